"""matmul multiplies in the wrong order, which gives the transpose of each gradient."""

MUST_FAIL = ["matmul"]
DIAGNOSIS = {"matmul": "transpose"}


def matmul_backward(out_grad, a, b):
    grad_a = b @ np.swapaxes(out_grad, -1, -2)
    grad_b = np.swapaxes(out_grad, -1, -2) @ a
    return grad_a, grad_b
