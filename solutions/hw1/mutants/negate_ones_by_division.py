"""negate builds its ones as a / a, which is NaN where a == 0."""

MUST_FAIL = ["negate"]
DIAGNOSIS = {"negate": "nan_or_inf"}


def negate_backward(out_grad, a):
    with np.errstate(invalid="ignore"):
        return -out_grad * (a / a)
