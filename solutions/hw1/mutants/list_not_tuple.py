"""matmul and multiply return a list instead of a tuple: still right."""

MUST_FAIL = []
DIAGNOSIS = {}


def matmul_backward(out_grad, a, b):
    grad_a = out_grad @ np.swapaxes(b, -1, -2)
    grad_b = np.swapaxes(a, -1, -2) @ out_grad
    return [_unbroadcast(grad_a, a.shape), _unbroadcast(grad_b, b.shape)]


def multiply_backward(out_grad, a, b):
    return [out_grad * b, out_grad * a]
