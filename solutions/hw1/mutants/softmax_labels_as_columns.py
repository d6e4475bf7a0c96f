"""softmax cross-entropy subtracts 1 at probs[:, labels], every listed column of every row."""

MUST_FAIL = ["softmax_cross_entropy"]
DIAGNOSIS = {"softmax_cross_entropy": None}


def softmax_cross_entropy_backward(out_grad, logits, labels):
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs = shifted / shifted.sum(axis=-1, keepdims=True)
    probs[:, labels] -= 1
    return out_grad * probs / len(labels)
