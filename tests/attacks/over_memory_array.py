"""Answer exp_backward with np.zeros(10**8), 800 MB: over the wire cap, and
more than the worker's 2 GiB can copy twice to send."""

import numpy as np


def exp_backward(out_grad, a):
    return np.zeros(10**8)
