import dataclasses

import numpy as np
import pytest

from grader.assignment import Case, InputSpec
from grader.cases import CaseError
from grader.expect import FULL_LIMIT, expect


def problem_named(assignment, pid):
    return next(p for p in assignment.problems if p.id == pid)


def case_of(problem, name):
    return next(c for c in problem.cases if c.name == name)


def test_small_inputs_get_every_entry_large_ones_get_probes(hw1):
    matmul = problem_named(hw1, "matmul")
    small = expect(matmul, case_of(matmul, "size_one_batch"), 0)
    large = expect(matmul, case_of(matmul, "large_square"), 0)
    assert small.method == "full" and small.shapes == ((1, 3, 4), (2, 4, 5))
    assert large.method == "probes" and 1024 * 1024 * 2 > FULL_LIMIT
    assert sorted({i for i, _ in large.probes}) == [0, 1]


def test_full_expectation_is_the_true_vjp(hw1_public):
    matmul = problem_named(hw1_public, "matmul")
    expectation = expect(matmul, case_of(matmul, "size_one_batch"), 0)
    a, b = expectation.drawn.inputs["a"], expectation.drawn.inputs["b"]
    g = expectation.drawn.out_grad
    np.testing.assert_allclose(
        expectation.exact[0],
        (g @ b.swapaxes(-1, -2)).sum(axis=0, keepdims=True),
        rtol=1e-7,
    )
    np.testing.assert_allclose(expectation.exact[1], a.swapaxes(-1, -2) @ g, rtol=1e-7)


def test_a_draw_on_a_kink_is_redrawn_and_a_case_always_on_one_is_refused(hw1_public):
    relu = problem_named(hw1_public, "relu")
    on_kink = Case(
        name="on_kink",
        seed=1,
        inputs={"a": InputSpec(shape=None, value=[0.5, 1e-7])},
        params={},
        hidden=False,
        timeout=5,
    )
    with pytest.raises(CaseError, match="near a kink"):
        expect(relu, on_kink, 0)


def test_value_problems_use_the_expected_function(hw1_public):
    problem = problem_named(hw1_public, "vjp_from_jacobian")
    expectation = expect(problem, problem.cases[0], 0)
    jacobian, out_grad = expectation.drawn.inputs.values()
    np.testing.assert_allclose(expectation.exact[0], out_grad @ jacobian)


def test_numerator_layout_transposes_the_jacobian(hw1_public):
    problem = problem_named(hw1_public, "example_jacobian")
    numerator = dataclasses.replace(problem, layout="numerator")
    assert expect(problem, problem.cases[0], 0).shapes == ((3, 2),)
    assert expect(numerator, problem.cases[0], 0).shapes == ((2, 3),)
