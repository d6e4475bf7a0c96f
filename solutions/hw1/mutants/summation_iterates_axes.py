"""summation iterates over `axes`, so an int axis crashes."""

MUST_FAIL = ["summation"]
DIAGNOSIS = {"summation": "exception"}


def summation_backward(out_grad, a, axes=None):
    if axes is None:
        return np.broadcast_to(out_grad, a.shape).copy()
    grad = out_grad
    for axis in sorted(ax % a.ndim for ax in axes):
        grad = np.expand_dims(grad, axis)
    return np.broadcast_to(grad, a.shape).copy()
