"""tanh's derivative written as 1 / cosh(a)**2: the same function, right."""

MUST_FAIL = []
DIAGNOSIS = {}


def tanh_backward(out_grad, a):
    return out_grad / np.cosh(a) ** 2
