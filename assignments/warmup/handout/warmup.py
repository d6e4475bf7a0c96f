"""Warm-up gradients. Run `grade warmup` in this folder to check them."""

import numpy as np


def square_backward(out_grad, x):
    """Forward `x * x`: return the gradient for x, shaped like x."""
    raise NotImplementedError


def dot_backward(out_grad, u, v):
    """Forward `np.dot(u, v)` (0-d out_grad): return (grad_u, grad_v)."""
    raise NotImplementedError


def squared_norm_grad(w):
    """Loss `np.sum(w * w)`: return its gradient, shaped like w."""
    raise NotImplementedError
