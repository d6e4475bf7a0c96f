"""exp and tanh return correct float32 gradients: right, at lower precision."""

MUST_FAIL = []
DIAGNOSIS = {}


def exp_backward(out_grad, a):
    return (out_grad * np.exp(a)).astype(np.float32)


def tanh_backward(out_grad, a):
    return (out_grad * (1 - np.tanh(a) ** 2)).astype(np.float32)
