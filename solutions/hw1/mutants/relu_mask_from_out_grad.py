"""relu builds its mask from out_grad instead of from the input a."""

MUST_FAIL = ["relu"]
DIAGNOSIS = {"relu": "not_linear_in_g"}


def relu_backward(out_grad, a):
    return out_grad * (out_grad > 0)
