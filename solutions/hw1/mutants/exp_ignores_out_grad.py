"""exp returns the local derivative and ignores out_grad."""

MUST_FAIL = ["exp"]
DIAGNOSIS = {"exp": "ignores_out_grad"}


def exp_backward(out_grad, a):
    return np.exp(a)
