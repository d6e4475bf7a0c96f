"""reshape reshapes out_grad to the `shape` argument, the output's shape."""

MUST_FAIL = ["reshape"]
DIAGNOSIS = {"reshape": "output_shape"}


def reshape_backward(out_grad, a, shape):
    return np.reshape(out_grad, shape).copy()
