"""softmax cross-entropy without subtracting the row max: right on these logits."""

MUST_FAIL = []
DIAGNOSIS = {}


def softmax_cross_entropy_backward(out_grad, logits, labels):
    probs = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    probs[np.arange(len(labels)), labels] -= 1
    return out_grad * probs / len(labels)
