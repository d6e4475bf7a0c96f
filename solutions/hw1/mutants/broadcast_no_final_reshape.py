"""broadcast_to sums the stretched axes away and forgets the final reshape."""

MUST_FAIL = ["broadcast_to"]
DIAGNOSIS = {"broadcast_to": ["missing_reshape", "exception"]}


def broadcast_to_backward(out_grad, a, shape):
    grad = out_grad.sum(axis=tuple(range(len(shape) - a.ndim)))
    stretched = tuple(
        axis for axis, size in enumerate(a.shape) if size == 1 and grad.shape[axis] != 1
    )
    return grad.sum(axis=stretched)
