"""hw1: gradients of matrix operations.

Fill in every function below; each one raises NotImplementedError until you
do. To check your work, run

    grade hw1

in the folder that holds this ops.py. The grader runs each function on its own
cases and reports every one; further, hidden cases run at grading time, so
test the awkward shapes yourself too.

What every `*_backward` function gets and gives:

- `out_grad` is the upstream gradient G = ∂L/∂F, shaped like the forward's
  output F. The grader draws it at random, so it is not all ones.
- Return one gradient per differentiable array input, shaped exactly like that
  input, as a tuple when there are two. Scalars, shapes and axes are constants
  and get no gradient.
- Never modify an argument in place.
- Arrays follow NumPy semantics, broadcasting and batch dims included.

The grader may pass every argument positionally.
"""

import numpy as np


def add_backward(out_grad, a, b):
    """Return (grad_a, grad_b) for the forward `a + b` (a and b of equal shape).

    Each gradient has exactly the shape of its input. Return arrays and
    leave every argument unmodified.
    """
    raise NotImplementedError


def multiply_backward(out_grad, a, b):
    """Return (grad_a, grad_b) for the forward `a * b` (a and b of equal shape).

    Each gradient has exactly the shape of its input. Return arrays and
    leave every argument unmodified.
    """
    raise NotImplementedError


def divide_backward(out_grad, a, b):
    """Return (grad_a, grad_b) for the forward `a / b` (a and b of equal shape).

    Each gradient has exactly the shape of its input. Return arrays and
    leave every argument unmodified.
    """
    raise NotImplementedError


def add_scalar_backward(out_grad, a, scalar):
    """Return grad_a for the forward `a + scalar`.

    `scalar` is a constant number. Return one array shaped like `a` (not a
    tuple) and leave every argument unmodified.
    """
    raise NotImplementedError


def mul_scalar_backward(out_grad, a, scalar):
    """Return grad_a for the forward `a * scalar`.

    `scalar` is a constant number. Return one array shaped like `a` (not a
    tuple) and leave every argument unmodified.
    """
    raise NotImplementedError


def div_scalar_backward(out_grad, a, scalar):
    """Return grad_a for the forward `a / scalar`.

    `scalar` is a constant, nonzero number, and `a` may contain zeros. Return
    one new array shaped like `a` (not a tuple), free of NaN, and leave every
    argument unmodified.
    """
    raise NotImplementedError


def power_scalar_backward(out_grad, a, scalar):
    """Return grad_a for the forward `a ** scalar`.

    `scalar` is a constant number: negative, zero and fractional exponents all
    occur. Return one array shaped like `a` (not a tuple), free of NaN
    wherever the true gradient is finite, and leave every argument unmodified.
    """
    raise NotImplementedError


def negate_backward(out_grad, a):
    """Return grad_a for the forward `-a`.

    `a` may contain zeros. Return one array shaped like `a`, free of NaN,
    and leave every argument unmodified.
    """
    raise NotImplementedError


def log_backward(out_grad, a):
    """Return grad_a for the forward `np.log(a)`, the natural log, with a > 0.

    Return one array shaped like `a` and leave every argument unmodified.
    """
    raise NotImplementedError


def exp_backward(out_grad, a):
    """Return grad_a for the forward `np.exp(a)`.

    Return one array shaped like `a` and leave every argument unmodified.
    """
    raise NotImplementedError


def relu_backward(out_grad, a):
    """Return grad_a for the forward `np.maximum(a, 0)`.

    Return one array shaped like `a`, with the dtype of `out_grad` (a
    float32 gradient stays float32), and leave every argument unmodified.
    Where `a` is exactly 0 the gradient may be taken as 0 or 1: both pass.
    """
    raise NotImplementedError


def tanh_backward(out_grad, a):
    """Return grad_a for the forward `np.tanh(a)`.

    Return one array shaped like `a` and leave every argument unmodified.
    """
    raise NotImplementedError


def transpose_backward(out_grad, a, axes=None):
    """Return grad_a for the forward `np.transpose(a, axes)`.

    `axes` is a permutation of all of a's axes (negative ones allowed), or
    None to reverse them. Return one array shaped like `a` and leave every
    argument unmodified.
    """
    raise NotImplementedError


def reshape_backward(out_grad, a, shape):
    """Return grad_a for the forward `np.reshape(a, shape)`.

    `shape` may contain one -1. Return one array shaped like `a` (not like
    `shape`) and leave every argument unmodified.
    """
    raise NotImplementedError


def broadcast_to_backward(out_grad, a, shape):
    """Return grad_a for the forward `np.broadcast_to(a, shape)`.

    `out_grad` has shape `shape`. Return one new array shaped exactly like `a`
    and leave every argument unmodified.
    """
    raise NotImplementedError


def summation_backward(out_grad, a, axes=None):
    """Return grad_a for the forward `np.sum(a, axis=axes)`.

    `axes` is None (sum everything, so `out_grad` is 0-d), an int, a negative
    int or a tuple of ints. Return one array shaped like `a` and leave
    every argument unmodified.
    """
    raise NotImplementedError


def matmul_backward(out_grad, a, b):
    """Return (grad_a, grad_b) for the forward `a @ b` (NumPy matmul).

    The last two axes hold the matrices; any leading axes are batch dims that
    broadcast against each other. Each gradient has exactly the shape of its
    input. Return arrays and leave every argument unmodified.
    """
    raise NotImplementedError


def softmax_cross_entropy_backward(out_grad, logits, labels):
    """Return grad_logits for the mean softmax cross-entropy loss.

    Forward: `logits` has shape (N, C), `labels` holds N integer class ids,
    and the loss is the mean over n of -log(softmax(logits[n])[labels[n]]).
    `out_grad` is a 0-d array. Labels are not differentiable: return one new
    array shaped like `logits` (not a tuple) and leave every argument
    unmodified.
    """
    raise NotImplementedError


def two_layer_backward(X, y, W1, W2):
    """Return (dW1, dW2), the gradients of a two-layer network's loss.

    Forward: the mean softmax cross-entropy of `relu(X @ W1) @ W2` with
    integer labels `y`, where X is (N, D), W1 is (D, H) and W2 is (H, C).
    There is no out_grad: the loss is the end of the graph. dW1 is shaped like
    W1 and dW2 like W2. Return arrays and leave every argument unmodified.
    """
    raise NotImplementedError


def example_jacobian(x):
    """Return the Jacobian of f(x) = [x1 + x2, x2 * (x1 + x3)] at `x`.

    `x` has shape (3,), with x1 = x[0], x2 = x[1] and x3 = x[2]. Use the
    denominator layout: a new (3, 2) array whose row i holds ∂f1/∂x_i and
    ∂f2/∂x_i. Leave `x` unmodified.
    """
    raise NotImplementedError


def vjp_from_jacobian(jacobian, out_grad):
    """Return the vector-Jacobian product of `out_grad` and `jacobian`.

    `jacobian` has shape out_shape + in_shape, with ∂F[k]/∂X[i] at index
    [k..., i...], and `out_grad` has shape out_shape. Return the sum over k of
    out_grad[k] * jacobian[k], a new array of shape in_shape, and leave every
    argument unmodified.
    """
    raise NotImplementedError
