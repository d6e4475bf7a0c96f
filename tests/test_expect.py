import dataclasses

import numpy as np
import pytest

from grader.assignment import Case, InputSpec
from grader.cases import CaseError
from grader.expect import FULL_LIMIT, PROBES, expect


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
    assert len(large.joint) == PROBES
    assert all(np.all(u != 0) for p in large.joint for u in p.directions)


def test_per_input_probes_are_computed_only_when_asked_and_the_same_each_time(hw1):
    matmul = problem_named(hw1, "matmul")
    spec = InputSpec(shape=(32, 32))
    case = Case("probed", 3, {"a": spec, "b": spec}, {}, False, 10)
    first, again = expect(matmul, case, 0), expect(matmul, case, 0)
    assert "probes" not in first.__dict__  # a passing answer never pays for them
    assert [i for i, _ in first.probes] == [0] * PROBES + [1] * PROBES
    for (i, p), (_, q) in zip(first.probes, again.probes):
        assert np.array_equal(p.directions[i], q.directions[i])
        assert not p.directions[1 - i].any() and p.derivative == q.derivative


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


def test_a_small_case_always_on_a_kink_is_refused_up_front(hw1_public):
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
