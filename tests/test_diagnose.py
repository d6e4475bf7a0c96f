"""Naming the mistake of a failed case: each kind is detected from evidence on
a case built to show it, nothing is certain that is not, and right answers
get no diagnosis at all."""

import pytest
from conftest import REFERENCE

from grader.check import check_case
from grader.mistakes import KINDS
from grader.runner import Worker
from grader.score import grade_submission

REFERENCE_SOURCE = (REFERENCE / "ops.py").read_text()

# (problem, case, the student's function, kind, words the message must have)
KIND_CASES = [
    (
        "exp",
        "with_zeros",
        "def exp_backward(g, a):\n    return g @ a\n",
        "exception",
        "raised ValueError",
    ),
    (
        "negate",
        "with_zeros",
        "def negate_backward(g, a):\n"
        "    with np.errstate(invalid='ignore'):\n        return -g * (a / a)\n",
        "nan_or_inf",
        "all where a is exactly 0",
    ),
    (
        "relu",
        "both_signs",
        "def relu_backward(g, a):\n    g[a <= 0] = 0\n    return g\n",
        "in_place",
        "changed out_grad during the call",
    ),
    (
        "exp",
        "with_zeros",
        "def exp_backward(g, a):\n"
        "    return g * np.exp(a) * (1 + np.random.uniform(1e-3, 2e-3))\n",
        "nondeterministic",
        "Called twice with the same arguments",
    ),
    (
        "exp",
        "with_zeros",
        "def exp_backward(g, a):\n    return np.exp(a)\n",
        "ignores_out_grad",
        "local derivative alone",
    ),
    (
        "summation",
        "int_axis_square",
        "def summation_backward(g, a, axes=None):\n    return np.ones_like(a)\n",
        "ignores_out_grad",
        "did not change at all",
    ),
    (
        "relu",
        "both_signs",
        "def relu_backward(g, a):\n    return g * (g > 0)\n",
        "not_linear_in_g",
        "should scale grad_a by -2",
    ),
    (
        "power_scalar",
        "cube",
        "def power_scalar_backward(g, a, scalar):\n"
        "    return scalar * g ** (scalar - 1)\n",
        "not_linear_in_g",
        "scaled it by 4",
    ),
    (
        "negate",
        "vector",
        "def negate_backward(g, a):\n    return g.copy()\n",
        "sign_flip",
        "minus the right gradient",
    ),
    (
        "exp",
        "with_zeros",
        "def exp_backward(g, a):\n    return 2 * g * np.exp(a)\n",
        "constant_factor",
        "times 2.",
    ),
    (
        "softmax_cross_entropy",
        "batch_of_eight",
        "def softmax_cross_entropy_backward(g, z, y):\n"
        "    return g * _mean_cross_entropy_grad(z, y) * len(y)\n",
        "constant_factor",
        "times 8, the size of axis 0 of logits",
    ),
    (
        "mul_scalar",
        "matrix",
        "def mul_scalar_backward(g, a, scalar):\n    return g.copy()\n",
        "constant_factor",
        "times 1/scalar",
    ),
    (
        "div_scalar",
        "matrix",
        "def div_scalar_backward(g, a, scalar):\n    return g * scalar\n",
        "constant_factor",
        "scalar² (= 16)",
    ),
    (
        "exp",
        "with_zeros",
        "def exp_backward(g, a):\n    return np.zeros_like(a)\n",
        "all_zeros",
        "zero everywhere",
    ),
    (
        "matmul",
        "plain",
        "def matmul_backward(g, a, b):\n    return b @ g.T, g.T @ a\n",
        "transpose",
        "transpose of the right gradient",
    ),
    (
        "matmul",
        "equal_batches",
        "def matmul_backward(g, a, b):\n"
        "    t = lambda x: np.swapaxes(x, -1, -2)\n    return b @ t(g), t(g) @ a\n",
        "transpose",
        "in every batch",
    ),
    (
        "example_jacobian",
        "random_point",
        "def example_jacobian(x):\n"
        "    return np.array([[1.0, 1.0, 0.0], [x[1], x[0] + x[2], x[1]]])\n",
        "transpose",
        "jacobian is the transpose",
    ),
    (
        "transpose",
        "rotate_axes",
        "def transpose_backward(g, a, axes=None):\n"
        "    return np.transpose(g, axes).copy()\n",
        "same_permutation",
        "axes=(1, 2, 0) once more; the inverse permutation (2, 0, 1)",
    ),
    (
        "transpose",
        "four_d_cycle",
        "def transpose_backward(g, a, axes=None):\n    return g.copy()\n",
        "axes_permuted",
        "axes in the order (0, 2, 3, 1)",
    ),
    (
        "summation",
        "all_axes",
        "def summation_backward(g, a, axes=None):\n    return g.copy()\n",
        "output_shape",
        "the output's shape ()",
    ),
    (
        "reshape",
        "matrix_to_matrix",
        "def reshape_backward(g, a, shape):\n    return g.copy()\n",
        "output_shape",
        "the output's shape (2, 6) instead of (3, 4)",
    ),
    (
        "matmul",
        "size_one_batch",
        "def matmul_backward(g, a, b):\n"
        "    t = lambda x: np.swapaxes(x, -1, -2)\n    return g @ t(b), t(a) @ g\n",
        "missing_sum",
        "summed over axis 0",
    ),
    (
        "broadcast_to",
        "vector_to_square",
        "def broadcast_to_backward(g, a, shape):\n    return g.sum(axis=1)\n",
        "wrong_axis",
        "over axis 1, but a was broadcast along axis 0",
    ),
    (
        "summation",
        "int_axis_square",
        "def summation_backward(g, a, axes=None):\n"
        "    return np.broadcast_to(g, a.shape).copy()\n",
        "wrong_axis",
        "along axis 0, but the right gradient repeats them along axis 1",
    ),
    (
        "broadcast_to",
        "column_to_square",
        "def broadcast_to_backward(g, a, shape):\n    return g.sum(axis=1)\n",
        "missing_reshape",
        "shape (3,) instead of (3, 1)",
    ),
    (
        "log",
        "matrix",
        "def log_backward(g, a):\n    return np.log(a)\n",
        "forward_value",
        "the forward's output itself",
    ),
    (
        "log",
        "matrix",
        "def log_backward(g, a):\n    return g * np.log(a)\n",
        "forward_value",
        "out_grad times the forward's output",
    ),
    (
        "multiply",
        "square",
        "def multiply_backward(g, a, b):\n    return g * a, g * b\n",
        "outputs_swapped",
        "grad_a equals the right grad_b",
    ),
    (
        "log",
        "matrix",
        "def log_backward(g, a):\n    return g * a\n",
        "input_factor",
        "times a²",
    ),
    (
        "power_scalar",
        "cube",
        "def power_scalar_backward(g, a, scalar):\n"
        "    return scalar * a ** scalar * g\n",
        "input_factor",
        "times a,",
    ),
    (
        "tanh",
        "with_zeros",
        "def tanh_backward(g, a):\n    return g * (1 - a**2)\n",
        "derivative_at_input",
        "written in terms of f(a)",
    ),
]


def problem_named(assignment, pid):
    return next(p for p in assignment.problems if p.id == pid)


def check(assignment, submission, body, pid, case_name, worker_class=Worker):
    folder = submission(f"{REFERENCE_SOURCE}\n{body}")
    problem = problem_named(assignment, pid)
    case = next(c for c in problem.cases if c.name == case_name)
    with worker_class(folder / "ops.py") as worker:
        return check_case(problem, case, 0, worker)


@pytest.mark.parametrize(
    "pid, case_name, body, kind, words",
    KIND_CASES,
    ids=[f"{k}-{p}-{c}" for p, c, _, k, _ in KIND_CASES],
)
def test_each_kind_is_named_from_evidence(
    hw1, submission, pid, case_name, body, kind, words
):
    result = check(hw1, submission, body, pid, case_name)
    assert not result.passed
    assert result.diagnosis is not None, result.message
    assert (result.diagnosis.kind, result.diagnosis.confidence) == (kind, "certain")
    assert words in result.diagnosis.message
    assert result.diagnosis.next_step


def test_every_kind_has_a_constructed_case():
    assert {kind for *_, kind, _ in KIND_CASES} == set(KINDS)


def test_a_wrong_answer_that_fits_no_kind_gets_no_diagnosis(hw1, submission):
    body = "def exp_backward(g, a):\n    return g * np.exp(a) * (1 + 0.1 * a)\n"
    result = check(hw1, submission, body, "exp", "with_zeros")
    assert not result.passed and result.diagnosis is None
    assert "expected" in result.message and "received" in result.message


def test_a_single_entry_is_never_certain(hw1, submission):
    body = (
        "def power_scalar_backward(g, a, scalar):\n    return scalar * a**scalar * g\n"
    )
    result = check(hw1, submission, body, "power_scalar", "single_two")
    assert result.diagnosis is not None and result.diagnosis.confidence == "likely"


def test_an_unnamed_factor_on_a_single_entry_is_no_diagnosis(hw1, submission):
    body = "def multiply_backward(g, a, b):\n    return 1.37 * g * b, g * a\n"
    result = check(hw1, submission, body, "multiply", "scalar_arrays")
    assert not result.passed and result.diagnosis is None


@pytest.mark.slow
def test_a_probed_case_is_at_most_likely(hw1, submission):
    body = (
        "def matmul_backward(g, a, b):\n"
        "    t = lambda x: np.swapaxes(x, -1, -2)\n    return b @ t(g), t(g) @ a\n"
    )
    result = check(hw1, submission, body, "matmul", "large_square")
    assert result.method == "probes"
    assert (result.diagnosis.kind, result.diagnosis.confidence) == (
        "transpose",
        "likely",
    )


def test_a_hidden_case_is_diagnosed_without_numbers(hw1, submission):
    body = "def div_scalar_backward(g, a, scalar):\n    return g * scalar\n"
    result = check(hw1, submission, body, "div_scalar", "three_d")
    assert result.hidden and result.diagnosis.kind == "constant_factor"
    kind = KINDS["constant_factor"]
    assert (result.diagnosis.message, result.diagnosis.next_step) == (
        kind.summary,
        kind.next_step,
    )
    assert result.error_map is None


class CountingWorker(Worker):
    calls = 0

    def call(self, *args, **kwargs):
        CountingWorker.calls += 1
        return super().call(*args, **kwargs)


@pytest.mark.parametrize(
    "body, calls",
    [
        ("def exp_backward(g, a):\n    return g * np.exp(a)\n", 1),
        ("def exp_backward(g, a):\n    return 2 * g * np.exp(a)\n", 2),
        ("def exp_backward(g, a):\n    return g * np.exp(a) * (1 + 0.1 * a)\n", 4),
    ],
    ids=["passes", "certain_after_one_repeat", "needs_every_extra_call"],
)
def test_extra_calls_only_after_a_failure_and_at_most_three(
    hw1, submission, body, calls
):
    CountingWorker.calls = 0
    check(hw1, submission, body, "exp", "with_zeros", CountingWorker)
    assert CountingWorker.calls == calls


def test_an_extra_call_that_crashes_is_no_diagnosis(hw1, submission):
    body = (
        "import os\nCALLS = []\n\ndef exp_backward(g, a):\n    CALLS.append(1)\n"
        "    if len(CALLS) > 1:\n        os._exit(3)\n"
        "    return g * np.exp(a) * (1 + 0.1 * a)\n"
    )
    result = check(hw1, submission, body, "exp", "with_zeros")
    assert not result.passed and result.diagnosis is None


@pytest.mark.parametrize("name", ["relu_one_at_zero", "float32_results"])
def test_a_right_variant_gets_no_diagnosis(hw1_public, mutant_submission, name):
    result = grade_submission(hw1_public, mutant_submission(name))
    assert all(
        c.passed and c.diagnosis is None for p in result.problems for c in p.cases
    )
