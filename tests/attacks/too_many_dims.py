"""Answer exp_backward with a 20-dimensional array of one entry (the
protocol allows 16 dimensions)."""

import numpy as np


def exp_backward(out_grad, a):
    return np.zeros((1,) * 20)
