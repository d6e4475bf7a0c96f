"""exp returns the local derivative and ignores out_grad."""

MUST_FAIL = ["exp"]


def exp_backward(out_grad, a):
    return np.exp(a)
