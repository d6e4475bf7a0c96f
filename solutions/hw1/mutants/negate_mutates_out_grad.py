"""negate flips out_grad in place and returns it."""

MUST_FAIL = ["negate"]
DIAGNOSIS = {"negate": "in_place"}


def negate_backward(out_grad, a):
    out_grad *= -1
    return out_grad
