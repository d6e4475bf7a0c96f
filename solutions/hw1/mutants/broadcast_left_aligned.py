"""broadcast_to aligns dims from the left instead of the right."""

MUST_FAIL = ["broadcast_to"]
DIAGNOSIS = {"broadcast_to": ["wrong_axis", "exception"]}


def broadcast_to_backward(out_grad, a, shape):
    grad = out_grad
    for axis in range(len(shape) - 1, a.ndim - 1, -1):
        grad = grad.sum(axis=axis)
    for axis, size in enumerate(a.shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad.reshape(a.shape)
