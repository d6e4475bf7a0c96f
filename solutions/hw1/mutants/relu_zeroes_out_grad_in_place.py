"""relu zeroes the blocked entries of out_grad in place and returns it."""

MUST_FAIL = ["relu"]
DIAGNOSIS = {"relu": "in_place"}


def relu_backward(out_grad, a):
    out_grad[a <= 0] = 0
    return out_grad
