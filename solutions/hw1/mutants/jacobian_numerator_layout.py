"""example_jacobian returns the numerator layout (2x3), the transpose."""

MUST_FAIL = ["example_jacobian"]
DIAGNOSIS = {"example_jacobian": "transpose"}


def example_jacobian(x):
    return np.array([[1.0, 1.0, 0.0], [x[1], x[0] + x[2], x[1]]])
