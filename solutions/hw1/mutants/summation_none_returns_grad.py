"""summation with axes=None returns out_grad unchanged (a 0-d gradient)."""

MUST_FAIL = ["summation"]
DIAGNOSIS = {"summation": "output_shape"}


def summation_backward(out_grad, a, axes=None):
    if axes is None:
        return out_grad.copy()
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    grad = np.expand_dims(out_grad, tuple(sorted(ax % a.ndim for ax in axes)))
    return np.broadcast_to(grad, a.shape).copy()
