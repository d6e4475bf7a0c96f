"""matmul sums only the extra leading batch dims, never the size-1 ones."""

MUST_FAIL = ["matmul"]
DIAGNOSIS = {"matmul": "missing_sum"}


def matmul_backward(out_grad, a, b):
    grad_a = out_grad @ np.swapaxes(b, -1, -2)
    grad_b = np.swapaxes(a, -1, -2) @ out_grad
    while grad_a.ndim > a.ndim:
        grad_a = grad_a.sum(axis=0)
    while grad_b.ndim > b.ndim:
        grad_b = grad_b.sum(axis=0)
    return grad_a, grad_b
