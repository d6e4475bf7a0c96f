"""power_scalar keeps the exponent: n * a**n * G instead of n * a**(n-1) * G."""

MUST_FAIL = ["power_scalar"]
DIAGNOSIS = {"power_scalar": "input_factor"}


def power_scalar_backward(out_grad, a, scalar):
    return scalar * a**scalar * out_grad
