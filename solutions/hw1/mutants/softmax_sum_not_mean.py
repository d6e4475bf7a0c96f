"""softmax cross-entropy forgets to divide by the batch size."""

MUST_FAIL = ["softmax_cross_entropy"]
DIAGNOSIS = {"softmax_cross_entropy": "constant_factor"}


def softmax_cross_entropy_backward(out_grad, logits, labels):
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs = shifted / shifted.sum(axis=-1, keepdims=True)
    probs[np.arange(len(labels)), labels] -= 1
    return out_grad * probs
