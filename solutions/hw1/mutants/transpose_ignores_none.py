"""transpose inverts `axes` with argsort without handling axes=None."""

MUST_FAIL = ["transpose"]
DIAGNOSIS = {"transpose": "exception"}


def transpose_backward(out_grad, a, axes=None):
    return np.transpose(out_grad, tuple(np.argsort(axes))).copy()
