"""matmul never reduces over batch dims at all."""

MUST_FAIL = ["matmul"]
DIAGNOSIS = {"matmul": "missing_sum"}


def matmul_backward(out_grad, a, b):
    return out_grad @ np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2) @ out_grad
