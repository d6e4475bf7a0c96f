"""multiply gives each input its own value: (G * a, G * b) instead of (G * b, G * a)."""

MUST_FAIL = ["multiply"]
DIAGNOSIS = {"multiply": "outputs_swapped"}


def multiply_backward(out_grad, a, b):
    return out_grad * a, out_grad * b
