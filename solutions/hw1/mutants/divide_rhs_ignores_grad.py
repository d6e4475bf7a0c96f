"""divide's right-hand gradient is not multiplied by out_grad."""

MUST_FAIL = ["divide"]
DIAGNOSIS = {"divide": "ignores_out_grad"}


def divide_backward(out_grad, a, b):
    return out_grad / b, -a / b**2
