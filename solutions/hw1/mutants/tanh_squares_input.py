"""tanh uses 1 - a**2, the derivative written for the output, at the input."""

MUST_FAIL = ["tanh"]
DIAGNOSIS = {"tanh": "derivative_at_input"}


def tanh_backward(out_grad, a):
    return out_grad * (1 - a**2)
