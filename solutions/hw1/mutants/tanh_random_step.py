"""tanh estimates its derivative by a forward difference with a random step."""

MUST_FAIL = ["tanh"]
DIAGNOSIS = {"tanh": "nondeterministic"}


def tanh_backward(out_grad, a):
    step = np.random.uniform(1e-4, 1e-3)
    return out_grad * (np.tanh(a + step) - np.tanh(a)) / step
