"""Print 100 MB in exp_backward, then answer correctly."""

import sys

import numpy as np


def exp_backward(out_grad, a):
    sys.stdout.write("flood " * ((100 << 20) // 6))
    return out_grad * np.exp(a)
