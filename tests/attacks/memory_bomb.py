"""Ask for memory in 256 MiB blocks inside exp_backward, up to 4 GiB: twice
the worker's limit, a sixth of the machine. The blocks stay untouched, so a
tier without limits would not be hurt by this test."""

import numpy as np


def exp_backward(out_grad, a):
    hoard = []
    for _ in range(16):
        hoard.append(np.empty(32 << 20))
    return out_grad * np.exp(a)
