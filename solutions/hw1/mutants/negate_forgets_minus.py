"""negate returns out_grad unchanged: the minus sign is forgotten."""

MUST_FAIL = ["negate"]
DIAGNOSIS = {"negate": "sign_flip"}


def negate_backward(out_grad, a):
    return out_grad.copy()
