"""Reference gradients for hw1.

Each backward function turns the upstream gradient `out_grad` (shaped like the
forward's output) into one gradient per differentiable array input, shaped
exactly like that input. Results are always fresh arrays and no argument is
modified, so a grader can compare them with a student's answer on the same
inputs.
"""

import numpy as np

Axes = int | tuple[int, ...] | None


def add_backward(
    out_grad: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the gradients of `a + b`."""
    return _unbroadcast(out_grad, np.shape(a)), _unbroadcast(out_grad, np.shape(b))


def multiply_backward(
    out_grad: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the gradients of `a * b`."""
    grad_a = out_grad * b
    grad_b = out_grad * a
    return _unbroadcast(grad_a, np.shape(a)), _unbroadcast(grad_b, np.shape(b))


def divide_backward(
    out_grad: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the gradients of `a / b`."""
    grad_a = out_grad / b
    grad_b = -out_grad * a / b**2
    return _unbroadcast(grad_a, np.shape(a)), _unbroadcast(grad_b, np.shape(b))


def add_scalar_backward(
    out_grad: np.ndarray, a: np.ndarray, scalar: float
) -> np.ndarray:
    """Return the gradient of `a + scalar`."""
    return _unbroadcast(out_grad, np.shape(a))


def mul_scalar_backward(
    out_grad: np.ndarray, a: np.ndarray, scalar: float
) -> np.ndarray:
    """Return the gradient of `a * scalar`."""
    return _unbroadcast(out_grad * scalar, np.shape(a))


def div_scalar_backward(
    out_grad: np.ndarray, a: np.ndarray, scalar: float
) -> np.ndarray:
    """Return the gradient of `a / scalar`."""
    return _unbroadcast(out_grad / scalar, np.shape(a))


def power_scalar_backward(
    out_grad: np.ndarray, a: np.ndarray, scalar: float
) -> np.ndarray:
    """Return the gradient of `a ** scalar`.

    With exponent 0 the forward is the constant 1, so the gradient is zero
    everywhere; the general formula would give `0 * 0**-1 = nan` where a == 0.
    """
    if scalar == 0:
        return _unbroadcast(out_grad * np.zeros_like(a), np.shape(a))
    return _unbroadcast(out_grad * scalar * a ** (scalar - 1), np.shape(a))


def negate_backward(out_grad: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Return the gradient of `-a`."""
    return _unbroadcast(-out_grad, np.shape(a))


def log_backward(out_grad: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Return the gradient of `log(a)`."""
    return _unbroadcast(out_grad / a, np.shape(a))


def exp_backward(out_grad: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Return the gradient of `exp(a)`."""
    return _unbroadcast(out_grad * np.exp(a), np.shape(a))


def relu_backward(out_grad: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Return the gradient of `max(a, 0)`, taking 0 at the kink.

    A boolean mask keeps the dtype of `out_grad` (an integer mask would not).
    """
    return _unbroadcast(out_grad * (a > 0), np.shape(a))


def tanh_backward(out_grad: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Return the gradient of `tanh(a)`."""
    return _unbroadcast(out_grad * (1 - np.tanh(a) ** 2), np.shape(a))


def transpose_backward(
    out_grad: np.ndarray, a: np.ndarray, axes: tuple[int, ...] | None = None
) -> np.ndarray:
    """Return the gradient of `np.transpose(a, axes)`.

    Output axis i is input axis axes[i]; `np.argsort` inverts that permutation.
    """
    if axes is None:
        return np.transpose(out_grad).copy()
    ndim = np.ndim(a)
    inverse = np.argsort([axis % ndim for axis in axes])
    return np.transpose(out_grad, inverse).copy()


def reshape_backward(
    out_grad: np.ndarray, a: np.ndarray, shape: tuple[int, ...]
) -> np.ndarray:
    """Return the gradient of `np.reshape(a, shape)`."""
    return np.reshape(out_grad, np.shape(a)).copy()


def broadcast_to_backward(
    out_grad: np.ndarray, a: np.ndarray, shape: tuple[int, ...]
) -> np.ndarray:
    """Return the gradient of `np.broadcast_to(a, shape)`."""
    return _unbroadcast(out_grad, np.shape(a))


def summation_backward(
    out_grad: np.ndarray, a: np.ndarray, axes: Axes = None
) -> np.ndarray:
    """Return the gradient of `np.sum(a, axis=axes)`.

    Every entry of `a` gets the upstream entry of the group it was summed into.
    """
    ndim = np.ndim(a)
    if axes is None:
        reduced = tuple(range(ndim))
    elif np.ndim(axes) == 0:
        reduced = (int(axes) % ndim,)
    else:
        reduced = tuple(int(axis) % ndim for axis in axes)
    grad = np.expand_dims(out_grad, reduced)
    return np.broadcast_to(grad, np.shape(a)).copy()


def matmul_backward(
    out_grad: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the gradients of `a @ b`, batch dims included.

    The leading axes are batch dims that broadcast like any NumPy operation, so
    each gradient is summed back over the batch axes its operand was stretched
    along. 1-D operands are handled as np.matmul does: `a` as one row, `b` as
    one column.
    """
    # view 1-D operands as matrices and give the upstream gradient their axes
    grad = np.asarray(out_grad)
    a_mat, b_mat = np.asarray(a), np.asarray(b)
    if b_mat.ndim == 1:
        b_mat, grad = b_mat[:, np.newaxis], grad[..., np.newaxis]
    if a_mat.ndim == 1:
        a_mat, grad = a_mat[np.newaxis, :], grad[..., np.newaxis, :]

    # grad_a = G @ bᵀ and grad_b = aᵀ @ G, matrix by matrix
    grad_a = grad @ np.swapaxes(b_mat, -1, -2)
    grad_b = np.swapaxes(a_mat, -1, -2) @ grad

    # sum each back over its broadcast batch dims
    grad_a = _unbroadcast(grad_a, a_mat.shape).reshape(np.shape(a))
    grad_b = _unbroadcast(grad_b, b_mat.shape).reshape(np.shape(b))
    return grad_a, grad_b


def softmax_cross_entropy_backward(
    out_grad: np.ndarray, logits: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """Return the gradient of the mean softmax cross-entropy for `logits`."""
    return out_grad * _mean_cross_entropy_grad(logits, labels)


def two_layer_backward(
    X: np.ndarray, y: np.ndarray, W1: np.ndarray, W2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (dW1, dW2) for the loss of `relu(X @ W1) @ W2` with labels y."""
    # forward, keeping what the backward pass needs
    hidden_pre = X @ W1
    hidden = np.maximum(hidden_pre, 0)
    logits = hidden @ W2

    # backward, from the loss (upstream gradient 1) to the weights
    grad_logits = _mean_cross_entropy_grad(logits, y)
    grad_W2 = hidden.T @ grad_logits
    grad_hidden = grad_logits @ W2.T
    grad_hidden_pre = grad_hidden * (hidden_pre > 0)
    grad_W1 = X.T @ grad_hidden_pre
    return grad_W1, grad_W2


def example_jacobian(x: np.ndarray) -> np.ndarray:
    """Return the Jacobian of f(x) = [x1 + x2, x2 (x1 + x3)], inputs by rows."""
    x1, x2, x3 = x
    return np.array(
        [
            [1.0, x2],
            [1.0, x1 + x3],
            [0.0, x2],
        ]
    )


def vjp_from_jacobian(jacobian: np.ndarray, out_grad: np.ndarray) -> np.ndarray:
    """Contract G with a Jacobian shaped out_shape + in_shape over the out axes."""
    return np.tensordot(out_grad, jacobian, axes=np.ndim(out_grad))


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum grad over the axes that broadcasting added or stretched to get shape.

    Shapes line up from the right: the leading axes that `shape` lacks were
    added, and its size-1 axes were stretched. Always returns a fresh array.
    """
    grad = np.asarray(grad)
    added = tuple(range(grad.ndim - len(shape)))
    grad = grad.sum(axis=added)
    stretched = tuple(
        axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1
    )
    grad = grad.sum(axis=stretched, keepdims=True)
    return np.array(grad.reshape(shape))


def _mean_cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Return (softmax(logits) - onehot(labels)) / N, the loss gradient."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=-1, keepdims=True)

    rows = np.arange(len(labels))
    probs[rows, labels] -= 1
    return probs / len(labels)
