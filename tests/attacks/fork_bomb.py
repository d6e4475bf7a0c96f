"""A fork bomb in exp_backward, bounded at 2**8 processes so that a tier
without seccomp cannot take the machine down; every process carries the
marker in its name and sleeps."""

import ctypes
import os
import time

ATTACK = globals()["ATTACK"]  # settings the test writes just above this module


def exp_backward(out_grad, a):
    for _ in range(8):
        os.fork()
    ctypes.CDLL(None).prctl(15, ATTACK["marker"].encode(), 0, 0, 0)  # PR_SET_NAME
    time.sleep(600)
