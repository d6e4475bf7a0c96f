import numpy as np
import pytest

from grader import numeric


def objective(forward, args, wrt, out_grad=None):
    return numeric.Objective(forward, args, wrt, out_grad)


def test_full_vjp_matches_the_analytic_gradient_of_matmul():
    rng = np.random.default_rng(0)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    grad_a, grad_b = numeric.numerical_vjp(objective(np.matmul, [a, b], [0, 1], g))
    np.testing.assert_allclose(grad_a, g @ b.T, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(grad_b, a.T @ g, rtol=1e-8, atol=1e-10)


def test_only_the_named_inputs_are_differentiated():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    (grad_y,) = numeric.numerical_vjp(
        objective(lambda a, b: a * b, [x, y], [1], np.ones(2))
    )
    np.testing.assert_allclose(grad_y, x, rtol=1e-9)


def test_scalar_loss_without_upstream_gradient():
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    (grad,) = numeric.numerical_vjp(objective(lambda v: np.sum(v**2), [w], [0]))
    np.testing.assert_allclose(grad, 2 * w, rtol=1e-8)


def test_probe_equals_the_inner_product_of_gradient_and_direction():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 40))
    g = rng.normal(size=(50, 40))
    probe = numeric.probe(objective(np.tanh, [a], [0], g), rng)
    exact = np.sum(g * (1 - np.tanh(a) ** 2) * probe.directions[0])
    assert probe.derivative == pytest.approx(exact, rel=1e-8)
    assert probe.scale == pytest.approx(
        np.linalg.norm((1 - np.tanh(a) ** 2) * probe.directions[0]), rel=1e-8
    )


def test_jacobian_is_in_denominator_layout():
    x = np.array([1.0, 2.0, 3.0])
    jacobian = numeric.numerical_jacobian(
        lambda v: np.array([v[0] + v[1], v[1] * (v[0] + v[2])]), x
    )
    np.testing.assert_allclose(jacobian, [[1, 2], [1, 4], [0, 2]], atol=1e-8)


def test_integer_arguments_are_left_alone():
    labels = np.array([0, 1])
    obj = objective(
        lambda z, y: z[np.arange(2), y].sum(), [np.ones((2, 2)), labels], [0]
    )
    assert obj.args[1].dtype.kind == "i"
    (grad,) = numeric.numerical_vjp(obj)
    np.testing.assert_allclose(grad, [[1, 0], [0, 1]], atol=1e-9)
