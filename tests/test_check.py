"""Judging one case: every reference gradient passes, and each way an answer
can be wrong fails with a message that says how."""

import pytest

from grader.check import check_case
from grader.runner import Worker
from grader.score import grade_problem

from conftest import REFERENCE

# problem id -> what the table checks for that op (every reference case passes)
OPS = [
    "add",
    "multiply",
    "divide",
    "add_scalar",
    "mul_scalar",
    "div_scalar",
    "power_scalar",
    "negate",
    "log",
    "exp",
    "relu",
    "tanh",
    "transpose",
    "reshape",
    "broadcast_to",
    "summation",
    "matmul",
    "softmax_cross_entropy",
    "two_layer",
    "example_jacobian",
    "vjp_from_jacobian",
]


@pytest.mark.parametrize("pid", OPS)
def test_reference_gradient_passes_every_public_and_hidden_case(reference_result, pid):
    problem = next(p for p in reference_result.problems if p.id == pid)
    failures = [(c.name, c.message) for c in problem.cases if not c.passed]
    assert failures == []
    assert problem.score == problem.max_score
    assert any(c.hidden for c in problem.cases)


def problem_named(assignment, pid):
    return next(p for p in assignment.problems if p.id == pid)


def check_source(assignment, submission, source, pid, case_name=None):
    """Check one case (the first, or the named one) of `source` as ops.py."""
    folder = submission(source)
    problem = problem_named(assignment, pid)
    case = next(c for c in problem.cases if case_name in (None, c.name))
    with Worker(folder / "ops.py") as worker:
        return check_case(problem, case, 0, worker)


REFERENCE_SOURCE = (REFERENCE / "ops.py").read_text()


@pytest.mark.parametrize(
    "pid, body, message",
    [
        (
            "matmul",
            "def matmul_backward(g, a, b):\n    return g @ b.T\n",
            "wrong number of results. matmul_backward returned one value, but it "
            "must return a tuple (grad_a, grad_b).",
        ),
        (
            "divide",
            "def divide_backward(g, a, b):\n    g / b\n",
            "wrong number of results. divide_backward returned None, but it must "
            "return a tuple (grad_a, grad_b).",
        ),
        (
            "matmul",
            "def matmul_backward(g, a, b):\n    return g, g, g\n",
            "wrong number of results. matmul_backward returned 3 value(s), but it "
            "must return 2: (grad_a, grad_b).",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return (g * np.exp(a)).ravel()\n",
            "grad_a has the wrong shape. grad_a has shape (12,), but it must have "
            "shape (3, 4). Return a gradient shaped exactly like its input.",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return (g * np.exp(a)).sum(axis=0)\n",
            "grad_a has the wrong shape",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return None\n",
            "grad_a is None. exp_backward returned None for grad_a; return an array.",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return np.array([object()] * 12)\n",
            "grad_a is not a numeric array. exp_backward returned an array of dtype object",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return g * np.exp(a) + 1j\n",
            "grad_a is not a numeric array. exp_backward returned an array of dtype complex128",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return 'gradient'\n",
            "grad_a is not a numeric array. exp_backward returned an object of type str",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return g * np.exp(a) / (a * 0)\n",
            "grad_a has NaN or infinite entries",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return np.exp(a)\n",
            "grad_a has wrong values",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return 2 * g * np.exp(a)\n",
            "grad_a has wrong values",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    a += 1\n    return g * np.exp(a - 1)\n",
            "exp_backward modified a in place. a changed during the call",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    raise NotImplementedError\n",
            "not implemented yet. exp_backward raises NotImplementedError; write its body.",
        ),
        (
            "exp",
            "def exp_backward(g, a):\n    return g @ a\n",
            "exp_backward raised ValueError",
        ),
        ("exp", "del exp_backward\n", "exp_backward is missing"),
    ],
)
def test_each_kind_of_wrong_answer_fails_with_its_message(
    hw1_public, submission, pid, body, message
):
    result = check_source(hw1_public, submission, f"{REFERENCE_SOURCE}\n{body}", pid)
    assert not result.passed
    assert result.message.startswith(message), result.message


def test_an_exception_points_at_the_line_in_the_students_file(hw1_public, submission):
    source = "import numpy as np\n\ndef exp_backward(g, a):\n    return g @ a\n"
    result = check_source(hw1_public, submission, source, "exp")
    assert "(ops.py line 4)" in result.message
    assert result.traceback == ("ops.py, line 4, in exp_backward: return g @ a",)


def test_large_case_wrong_values_fail_through_probes(hw1, submission):
    body = "def matmul_backward(g, a, b):\n    return g @ b.T, 1.001 * (a.T @ g)\n"
    result = check_source(
        hw1, submission, f"{REFERENCE_SOURCE}\n{body}", "matmul", "large_square"
    )
    assert (result.passed, result.method) == (False, "probes")
    assert result.message.startswith("grad_b has wrong values (hidden case")
    assert result.max_rel_error > 1e-4


def test_small_answer_reports_worst_entry_and_errors(hw1_public, submission):
    body = (
        "def exp_backward(g, a):\n    out = g * np.exp(a)\n"
        "    out[1, 2] += 0.5\n    return out\n"
    )
    result = check_source(hw1_public, submission, f"{REFERENCE_SOURCE}\n{body}", "exp")
    assert result.worst["index"] == [1, 2]
    assert result.worst["received"] - result.worst["expected"] == pytest.approx(0.5)
    assert result.max_abs_error == pytest.approx(0.5)
    assert result.tolerance == 1e-6
    assert result.shapes == {"out_grad": [3, 4], "a": [3, 4]}


def test_float32_answer_is_judged_at_float32_precision(hw1_public, submission):
    body = "def exp_backward(g, a):\n    return (g * np.exp(a)).astype(np.float32)\n"
    result = check_source(hw1_public, submission, f"{REFERENCE_SOURCE}\n{body}", "exp")
    assert result.passed and result.tolerance == 1e-3
    assert 1e-9 < result.max_rel_error < 1e-6


def test_a_one_element_tuple_counts_as_one_array(hw1_public, submission):
    body = "def exp_backward(g, a):\n    return (g * np.exp(a),)\n"
    assert check_source(
        hw1_public, submission, f"{REFERENCE_SOURCE}\n{body}", "exp"
    ).passed


def test_hidden_cases_never_show_inputs_values_or_output(hw1, submission):
    body = "def relu_backward(g, a):\n    print(a)\n    return g\n"
    result = check_source(
        hw1, submission, f"{REFERENCE_SOURCE}\n{body}", "relu", "all_negative"
    )
    assert not result.passed
    assert result.message == (
        "grad_a has wrong values (hidden case: its inputs are not shown)"
    )
    assert (result.shapes, result.params, result.worst) == ({}, {}, None)
    assert result.output == "[not shown for hidden cases]"


def test_a_hang_fails_the_case_and_later_cases_are_skipped(hw1_public, submission):
    folder = submission(
        f"{REFERENCE_SOURCE}\ndef exp_backward(g, a):\n    while True:\n        pass\n"
    )
    problem = problem_named(hw1_public, "exp")
    problem = type(problem)(
        **{
            **problem.__dict__,
            "cases": tuple(
                type(c)(**{**c.__dict__, "timeout": 0.5}) for c in problem.cases * 2
            ),
        }
    )
    with Worker(folder / "ops.py") as worker:
        result = grade_problem(problem, worker, 0)
        after = check_case(
            problem_named(hw1_public, "log"),
            problem_named(hw1_public, "log").cases[0],
            0,
            worker,
        )
    messages = [c.message for c in result.cases]
    assert messages[0].startswith("exp_backward did not finish in time")
    assert messages[2] == "not run: 2 earlier cases of this problem timed out"
    assert result.score == 0
    assert after.passed
