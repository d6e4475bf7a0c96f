"""summation broadcasts G straight to a's shape without re-inserting the summed axes."""

MUST_FAIL = ["summation"]
DIAGNOSIS = {"summation": ["wrong_axis", "exception"]}


def summation_backward(out_grad, a, axes=None):
    return np.broadcast_to(out_grad, a.shape).copy()
