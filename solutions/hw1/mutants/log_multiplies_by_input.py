"""log multiplies out_grad by a where the derivative 1/a divides by it."""

MUST_FAIL = ["log"]
DIAGNOSIS = {"log": "input_factor"}


def log_backward(out_grad, a):
    return out_grad * a
