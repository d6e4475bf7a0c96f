"""matmul written with einsum, summed back to each input's shape: right."""

MUST_FAIL = []
DIAGNOSIS = {}


def matmul_backward(out_grad, a, b):
    grad_a = np.einsum("...ik,...jk->...ij", out_grad, b)
    grad_b = np.einsum("...ki,...kj->...ij", a, out_grad)
    return _unbroadcast(grad_a, a.shape), _unbroadcast(grad_b, b.shape)
