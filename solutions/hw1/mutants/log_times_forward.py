"""log multiplies out_grad by log(a), the forward value, as if it were exp."""

MUST_FAIL = ["log"]
DIAGNOSIS = {"log": "forward_value"}


def log_backward(out_grad, a):
    return out_grad * np.log(a)
