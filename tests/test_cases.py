import dataclasses

import numpy as np
import pytest

from grader.assignment import InputSpec
from grader.cases import CaseError, draw_case, draw_input


def problem_named(assignment, pid):
    return next(p for p in assignment.problems if p.id == pid)


def test_values_stay_in_range_and_clear_of_zero():
    spec = InputSpec(shape=(200, 50), low=-2, high=2, min_abs=0.5)
    values = draw_input(spec, np.random.default_rng(0))
    assert values.min() >= -2 and values.max() <= 2
    assert np.abs(values).min() >= 0.5
    assert (values < 0).mean() == pytest.approx(0.5, abs=0.05)


def test_zeros_are_exact_and_counted():
    values = draw_input(InputSpec(shape=(10, 10), zeros=0.25), np.random.default_rng(1))
    assert (values == 0).sum() == 25


def test_integers_literals_and_dtypes():
    rng = np.random.default_rng(2)
    labels = draw_input(InputSpec(shape=(100,), integers=(0, 5)), rng)
    assert labels.dtype.kind == "i" and set(labels) == {0, 1, 2, 3, 4}
    literal = draw_input(InputSpec(shape=None, value=[[2.0]]), rng)
    assert literal.tolist() == [[2.0]]
    assert draw_input(InputSpec(shape=(3,), dtype="float32"), rng).dtype == np.float32


def test_same_seed_same_case_other_seed_other_case(hw1_public):
    matmul = problem_named(hw1_public, "matmul")
    case = matmul.cases[1]
    first, again = draw_case(matmul, case, 0), draw_case(matmul, case, 0)
    other = draw_case(matmul, case, 1)
    np.testing.assert_array_equal(first.inputs["a"], again.inputs["a"])
    np.testing.assert_array_equal(first.out_grad, again.out_grad)
    assert not np.array_equal(first.inputs["a"], other.inputs["a"])


def test_upstream_gradient_is_random_and_shaped_like_the_output(hw1_public):
    matmul = problem_named(hw1_public, "matmul")
    drawn = draw_case(matmul, matmul.cases[1], 0)  # (1,3,4) @ (2,4,5)
    assert drawn.out_grad.shape == (2, 3, 5)
    assert len(np.unique(drawn.out_grad)) == drawn.out_grad.size


def test_float32_cases_get_a_float32_upstream_gradient(hw1_public):
    softmax = problem_named(hw1_public, "softmax_cross_entropy")
    case = next(c for c in softmax.cases if c.name == "float32_logits")
    drawn = draw_case(softmax, case, 0)
    assert drawn.inputs["logits"].dtype == drawn.out_grad.dtype == np.float32
    assert drawn.out_grad.shape == ()


def test_accept_redraws_until_the_kink_is_clear(hw1_public):
    two_layer = problem_named(hw1_public, "two_layer")
    for seed in range(20):
        drawn = draw_case(two_layer, two_layer.cases[0], seed)
        assert np.abs(drawn.inputs["X"] @ drawn.inputs["W1"]).min() > 1e-3


def test_an_unsatisfiable_accept_is_a_spec_error(hw1_public):
    two_layer = dataclasses.replace(
        problem_named(hw1_public, "two_layer"), accept=lambda *args: False
    )
    with pytest.raises(CaseError, match="widen the case's ranges"):
        draw_case(two_layer, two_layer.cases[0], 0)


def test_the_output_shape_is_learnt_once_per_forward_shapes_and_params(hw1_public):
    summation = problem_named(hw1_public, "summation")
    forwards = []

    def counted(a, axes):
        forwards.append(np.shape(a))
        return summation.reference(a, tuple(axes) if isinstance(axes, list) else axes)

    problem = dataclasses.replace(summation, reference=counted)
    case = summation.cases[0]
    first, again = draw_case(problem, case, 0), draw_case(problem, case, 5)
    assert len(forwards) == 1 and first.out_grad.shape == again.out_grad.shape
    wider = dataclasses.replace(
        case, inputs={"a": InputSpec(shape=(3, 7))}, params={"axes": 1}
    )
    assert draw_case(problem, wider, 0).out_grad.shape == (3,)
    other_axes = dataclasses.replace(wider, params={"axes": 0})
    assert draw_case(problem, other_axes, 0).out_grad.shape == (7,)
    assert len(forwards) == 3
    unhashable = dataclasses.replace(wider, params={"axes": [0, 1]})
    draw_case(problem, unhashable, 0), draw_case(problem, unhashable, 0)
    assert len(forwards) == 5  # a parameter that cannot be a key: no cache
