"""Start a process meant to outlive the worker: fork, setsid in the child
(leaving the worker's session and process group), then exec `sleep 600`
with the marker as its argv[0] (and as its name before the exec).
exp_backward itself answers correctly at once."""

import ctypes
import os
import time

import numpy as np

ATTACK = globals()["ATTACK"]  # settings the test writes just above this module


def exp_backward(out_grad, a):
    if os.fork() == 0:
        try:
            os.setsid()
            ctypes.CDLL(None).prctl(15, ATTACK["marker"].encode(), 0, 0, 0)
            os.execv("/bin/sleep", [ATTACK["marker"], "600"])
        finally:
            time.sleep(600)
            os._exit(0)
    return out_grad * np.exp(a)
