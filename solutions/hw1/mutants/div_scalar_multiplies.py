"""div_scalar multiplies by the scalar instead of dividing by it."""

MUST_FAIL = ["div_scalar"]
DIAGNOSIS = {"div_scalar": "constant_factor"}


def div_scalar_backward(out_grad, a, scalar):
    return out_grad * scalar
