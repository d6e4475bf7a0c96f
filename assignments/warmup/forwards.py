"""Trusted forward functions of the warm-up assignment."""

import numpy as np


def square(x):
    return x * x


def dot(u, v):
    return np.dot(u, v)


def squared_norm(w):
    return np.sum(w * w)
