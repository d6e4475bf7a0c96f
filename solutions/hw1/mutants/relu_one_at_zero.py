"""relu with a >= 0 mask: gradient 1 at exactly 0, a convention, not a bug."""

MUST_FAIL = []
DIAGNOSIS = {}


def relu_backward(out_grad, a):
    return out_grad * (a >= 0)
