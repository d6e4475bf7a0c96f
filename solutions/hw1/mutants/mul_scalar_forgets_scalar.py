"""mul_scalar passes out_grad through and forgets the scalar."""

MUST_FAIL = ["mul_scalar"]
DIAGNOSIS = {"mul_scalar": "constant_factor"}


def mul_scalar_backward(out_grad, a, scalar):
    return out_grad.copy()
