"""Judging one case: every reference gradient passes, and each way an answer
can be wrong fails with a message that says how."""

import dataclasses

import numpy as np
import pytest

from grader.assignment import Case, InputSpec
from grader.cases import CaseError
from grader.check import Failure, _check_probes, check_case
from grader.expect import MAX_REDRAWS, PROBES, expect
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


# ---- large cases: joint probes, a lazy kink test, per-input attribution


class CountingWorker:
    """A worker that counts the student's calls."""

    def __init__(self, worker: Worker):
        self.worker, self.calls = worker, 0

    def call(self, *args):
        self.calls += 1
        return self.worker.call(*args)


def probed_case(problem, n: int = 32, **params) -> tuple:
    """`problem` with one public case of n×n inputs, over FULL_LIMIT entries."""
    spec = InputSpec(shape=(n, n), low=-1.0, high=1.0)
    case = Case("probed", 3, {name: spec for name in problem.inputs}, params, False, 10)
    return dataclasses.replace(problem, cases=(case,)), case


def check_counted(problem, case, folder) -> tuple:
    with Worker(folder / "ops.py") as worker:
        counting = CountingWorker(worker)
        return check_case(problem, case, 0, counting), counting.calls


def test_a_probed_case_costs_four_forwards_once_its_output_shape_is_known(
    hw1_public, submission
):
    matmul = problem_named(hw1_public, "matmul")
    forwards = []

    def counted_matmul(a, b):
        forwards.append(1)
        return matmul.reference(a, b)

    problem, case = probed_case(dataclasses.replace(matmul, reference=counted_matmul))
    counts = []
    with Worker(submission(REFERENCE_SOURCE) / "ops.py") as worker:
        for _ in range(2):
            forwards.clear()
            result = check_case(problem, case, 0, worker)
            assert (result.passed, result.method) == (True, "probes")
            counts.append(len(forwards))
    assert counts == [1 + PROBES * 2, PROBES * 2]  # the shape's forward only once
    assert result.tolerance == 1e-6 and result.max_rel_error < 1e-8


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        ("return 1.001 * (g @ b.T), a.T @ g", "grad_a"),
        ("return g @ b.T, (a.T @ g) + 1e-3", "grad_b"),
    ],
)
def test_a_wrong_output_of_a_probed_case_is_named_by_its_own_probes(
    hw1_public, submission, body, wrong
):
    problem, case = probed_case(problem_named(hw1_public, "matmul"))
    source = f"{REFERENCE_SOURCE}\ndef matmul_backward(g, a, b):\n    {body}\n"
    result, _ = check_counted(problem, case, submission(source))
    assert (result.passed, result.method) == (False, "probes")
    assert result.message.startswith(f"{wrong} has wrong values. along a random")
    assert result.max_rel_error > result.tolerance


def shifted_relu(a, t):
    return np.maximum(a - t, 0.0)


SHIFTED_RELU = (
    "import numpy as np\n\n"
    "def shifted_relu_backward(g, a, t):\n    return g * (a > t)\n"
)


def test_a_draw_near_a_kink_is_drawn_again_and_the_student_called_again(
    hw1_public, submission
):
    relu = problem_named(hw1_public, "relu")
    problem, case = probed_case(
        dataclasses.replace(
            relu,
            function="shifted_relu_backward",
            reference=shifted_relu,
            params=("t",),
        ),
        t=0.0,
    )
    first = expect(problem, case, 0)
    # put the kink 3e-7 from an entry of the first draw: h·|U| is about 1e-6
    kink = float(first.drawn.inputs["a"].flat[0]) - 3e-7
    problem, case = probed_case(problem, t=kink)
    assert not expect(problem, case, 0).smooth_along(0)

    result, calls = check_counted(problem, case, submission(SHIFTED_RELU))
    assert (result.passed, result.method, calls) == (True, "probes", 2)


def test_a_probed_case_always_on_a_kink_is_refused_not_failed(hw1_public, submission):
    relu = problem_named(hw1_public, "relu")
    on_kink = Case(
        "on_kink",
        1,
        {"a": InputSpec(shape=None, value=[0.5, 1e-7] * 300)},
        {},
        False,
        10,
    )
    problem = dataclasses.replace(relu, cases=(on_kink,))
    with Worker(submission(REFERENCE_SOURCE) / "ops.py") as worker:
        counting = CountingWorker(worker)
        with pytest.raises(CaseError, match="every draw sat near a kink"):
            check_case(problem, on_kink, 0, counting)
    assert counting.calls == MAX_REDRAWS


def test_outputs_right_alone_but_wrong_together_fail_jointly(hw1_public):
    problem, case = probed_case(problem_named(hw1_public, "matmul"))
    expectation = expect(problem, case, 0)
    expectation.__dict__["probes"] = ()  # as if each output passed its own probes
    a, b = (expectation.drawn.inputs[k] for k in ("a", "b"))
    g = expectation.drawn.out_grad
    answers = [(g @ b.T + 1e-3, 1e-6), (a.T @ g, 1e-6)]
    with pytest.raises(Failure, match="grad_a, grad_b have wrong values together"):
        _check_probes(expectation, answers)
    right = [(g @ b.T, 1e-6), (a.T @ g, 1e-6)]
    assert _check_probes(expectation, right)["max_rel_error"] < 1e-8
