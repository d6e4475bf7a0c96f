"""two_layer sums the cross-entropy gradient over the batch instead of averaging."""

MUST_FAIL = ["two_layer"]
DIAGNOSIS = {"two_layer": "constant_factor"}


def two_layer_backward(X, y, W1, W2):
    hidden_pre = X @ W1
    hidden = np.maximum(hidden_pre, 0)
    logits = hidden @ W2
    grad_logits = _mean_cross_entropy_grad(logits, y) * len(y)
    grad_W2 = hidden.T @ grad_logits
    grad_hidden_pre = (grad_logits @ W2.T) * (hidden_pre > 0)
    return X.T @ grad_hidden_pre, grad_W2
