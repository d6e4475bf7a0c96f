"""power_scalar uses the upstream gradient as the base: n * G**(n-1)."""

MUST_FAIL = ["power_scalar"]
DIAGNOSIS = {"power_scalar": ["not_linear_in_g", "ignores_out_grad", "nan_or_inf"]}


def power_scalar_backward(out_grad, a, scalar):
    return scalar * out_grad ** (scalar - 1)
