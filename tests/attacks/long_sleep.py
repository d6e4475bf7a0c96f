"""Sleep for ten minutes inside exp_backward: no CPU used, so only a
wall-clock deadline can stop it."""

import time


def exp_backward(out_grad, a):
    time.sleep(600)
