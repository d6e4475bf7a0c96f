"""Trusted forward functions for hw1.

Every gradient a student returns is judged against finite differences of the
functions here, evaluated by the grader in float64. They belong to the
assignment: the grader never takes a forward function from a submission.

A problem's `forward` names one of these. A problem may also name an `accept`
predicate: the grader redraws a case's inputs until it holds, which keeps
correct answers away from kinks the ranges alone cannot rule out.
"""

import numpy as np


def add(a, b):
    return a + b


def multiply(a, b):
    return a * b


def divide(a, b):
    return a / b


def add_scalar(a, scalar):
    return a + scalar


def mul_scalar(a, scalar):
    return a * scalar


def div_scalar(a, scalar):
    return a / scalar


def power_scalar(a, scalar):
    return a**scalar


def negate(a):
    return -a


def log(a):
    return np.log(a)


def exp(a):
    return np.exp(a)


def relu(a):
    return np.maximum(a, 0)


def tanh(a):
    return np.tanh(a)


def transpose(a, axes=None):
    return np.transpose(a, axes)


def reshape(a, shape):
    return np.reshape(a, shape)


def broadcast_to(a, shape):
    return np.broadcast_to(a, shape)


def summation(a, axes=None):
    return np.sum(a, axis=axes)


def matmul(a, b):
    return a @ b


def softmax_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, labels[:, None], axis=-1)
    return -picked.mean()


def two_layer(X, y, W1, W2):
    return softmax_cross_entropy(relu(X @ W1) @ W2, y)


def two_layer_accept(X, y, W1, W2):
    """Keep every hidden pre-activation clear of relu's kink at 0."""
    return bool(np.abs(X @ W1).min() > 1e-3)


def example_jacobian(x):
    return np.array([x[0] + x[1], x[1] * (x[0] + x[2])])


def vjp_from_jacobian(jacobian, out_grad):
    return np.tensordot(out_grad, jacobian, axes=out_grad.ndim)
