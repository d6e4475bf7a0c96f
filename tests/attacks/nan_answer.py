"""Answer exp_backward with NaN everywhere (NaN compares unequal to
everything, so a careless `not (error > tol)` would pass it)."""

import numpy as np


def exp_backward(out_grad, a):
    return np.full(a.shape, np.nan)
