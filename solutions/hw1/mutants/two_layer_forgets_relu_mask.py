"""two_layer backpropagates through relu without its mask."""

MUST_FAIL = ["two_layer"]
DIAGNOSIS = {"two_layer": None}


def two_layer_backward(X, y, W1, W2):
    hidden = np.maximum(X @ W1, 0)
    grad_logits = _mean_cross_entropy_grad(hidden @ W2, y)
    return X.T @ (grad_logits @ W2.T), hidden.T @ grad_logits
