"""power_scalar uses the upstream gradient as the base: n * G**(n-1)."""

MUST_FAIL = ["power_scalar"]


def power_scalar_backward(out_grad, a, scalar):
    return scalar * out_grad ** (scalar - 1)
