"""matmul transposes with .T, which also reverses the batch axes."""

MUST_FAIL = ["matmul"]
DIAGNOSIS = {"matmul": "exception"}


def matmul_backward(out_grad, a, b):
    grad_a = out_grad @ b.T
    grad_b = a.T @ out_grad
    return _unbroadcast(grad_a, a.shape), _unbroadcast(grad_b, b.shape)
