"""transpose applies the same permutation instead of its inverse."""

MUST_FAIL = ["transpose"]
DIAGNOSIS = {"transpose": "same_permutation"}


def transpose_backward(out_grad, a, axes=None):
    return np.transpose(out_grad, axes).copy()
