"""Write garbage to fd 1 and every other low file descriptor (one of them is
the protocol stream back to the grader), then answer correctly."""

import os

import numpy as np


def exp_backward(out_grad, a):
    for fd in range(1, 32):
        try:
            os.write(fd, b"\0BPG1 garbage \xff\xfe" * 64)
        except OSError:
            pass
    return out_grad * np.exp(a)
