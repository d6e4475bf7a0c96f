"""Check one case: call the student's function in the worker and judge it.

The order is fixed: the call itself (an exception, a hang, a crash), then
arity, exact shapes, finite values, untouched arguments, and last the values
against the expectation from the trusted forward. The first check that fails
is the case's message. The grader judges with its own NumPy on fresh float64
copies of what came back. A failed case then goes to `diagnose`, which names
the likely mistake, and a failing 1-D or 2-D answer gets an error map.
"""

import dataclasses
import logging
from dataclasses import dataclass, field

import numpy as np

from grader.assignment import Case, Problem
from grader.diagnose import diagnose
from grader.errormap import error_map
from grader.expect import MAX_REDRAWS, Expectation, expect, kinked
from grader.mistakes import Diagnosis, for_hidden_case
from grader.runner import CallOutcome, Worker

# relative tolerance by the precision of the answer: float64 answers are held
# to 1e-6 (correct code measures < 1e-8, real bugs > 3e-5); float32 answers
# by their own precision; float16 gets about two of its ulps, no more, so a
# cast cannot hide a wrong answer behind a loose tolerance
ANSWER_TOLERANCE = {8: 1e-6, 4: 1e-3, 2: 2e-3}
# absolute slack for gradients that are exactly zero, far below any O(1) bug
ABSOLUTE_TOLERANCE = 1e-12

log = logging.getLogger(__name__)


_SHAPE_ADVICE = {
    "vjp": "Return a gradient shaped exactly like its input",
    "loss_grad": "Return a gradient shaped exactly like its input",
    "jacobian": "Lay the Jacobian out as the problem states (denominator layout: "
    "the input's shape, then the output's)",
    "value": "Return a value of the shape the problem states",
}


@dataclass(frozen=True)
class CaseResult:
    """The verdict on one case, with the numbers behind it."""

    name: str
    hidden: bool
    passed: bool
    message: str
    shapes: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    method: str = ""
    tolerance: float | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    worst: dict | None = None
    traceback: tuple[str, ...] = ()
    output: str = ""
    seconds: float = 0.0
    call_status: str = ""  # how the call ended: ok, error, timeout, crash, ...
    diagnosis: Diagnosis | None = None  # the likely mistake, for a failed case
    error_map: dict | None = None  # where a 1-D or 2-D answer is wrong


class Failure(Exception):
    """A check that failed: a summary safe to show for hidden cases, and detail.

    `stage` names the check (call, arity, type, shape, finite, untouched,
    values) and `output` the answer it failed on, for the diagnosis.
    """

    def __init__(
        self, summary: str, detail: str = "", stage: str = "", output=None, **numbers
    ):
        super().__init__(summary)
        self.summary, self.detail, self.numbers = summary, detail, numbers
        self.stage, self.output = stage, output


class _Redraw(Exception):
    """A joint probe disagreed, but the draw sits near a kink: draw again."""


def check_case(problem: Problem, case: Case, seed: int, worker: Worker) -> CaseResult:
    """Grade one case of one problem.

    A large case whose probe disagrees on a draw near a kink is drawn again
    and the student called again, so a kink never fails a correct answer.
    """
    attempt = 0
    for _ in range(MAX_REDRAWS):
        expectation = expect(problem, case, seed, attempt)
        try:
            return _check_drawn(problem, case, expectation, worker)
        except _Redraw:
            attempt = expectation.drawn.attempt + 1
            log.debug("%s › %s: near a kink, drawn again", problem.id, case.name)
    raise kinked(problem, case)


def _check_drawn(problem, case, expectation: Expectation, worker) -> CaseResult:
    outcome = worker.call(
        problem.function,
        _student_args(problem, expectation),
        len(expectation.names),
        case.timeout,
    )
    context = _context(problem, case, expectation, outcome)
    received: list = []
    try:
        answers = _answers(problem, expectation, outcome, received)
        _check_untouched(problem, expectation, outcome)
        numbers = _check_values(expectation, answers)
    except Failure as failure:
        diagnosis = diagnose(
            problem,
            expectation,
            outcome,
            failure.stage,
            failure.output,
            received,
            worker,
            case.timeout,
        )
        return _redacted(case, _failed(case, failure, context, diagnosis))
    result = CaseResult(passed=True, message="passed", **context, **numbers)
    return _redacted(case, result)


def _student_args(problem: Problem, expectation: Expectation) -> list:
    drawn = expectation.drawn
    args = list(drawn.inputs.values()) + list(drawn.params.values())
    return [drawn.out_grad] + args if problem.kind == "vjp" else args


def _context(problem, case, expectation, outcome: CallOutcome) -> dict:
    drawn = expectation.drawn
    shapes = {name: list(a.shape) for name, a in drawn.inputs.items()}
    if drawn.out_grad is not None:
        shapes = {"out_grad": list(drawn.out_grad.shape), **shapes}
    error = outcome.error or {}
    return {
        "name": case.name,
        "hidden": case.hidden,
        "shapes": shapes,
        "params": {
            k: list(v) if isinstance(v, tuple) else v for k, v in drawn.params.items()
        },
        "method": expectation.method,
        "traceback": tuple(error.get("traceback") or ()),
        "output": outcome.output,
        "seconds": round(outcome.seconds, 4),
        "call_status": outcome.status,
    }


def _failed(case: Case, failure: Failure, context: dict, diagnosis) -> CaseResult:
    if case.redacted:
        message = f"{failure.summary} (hidden case: its inputs are not shown)"
    else:
        message = f"{failure.summary}. {failure.detail}".rstrip(". ") + "."
    return CaseResult(
        passed=False,
        message=message,
        diagnosis=diagnosis,
        **context,
        **failure.numbers,
    )


def _redacted(case: Case, result: CaseResult) -> CaseResult:
    """A hidden case keeps its verdict and errors, never its inputs or values:
    its diagnosis keeps the kind and the kind's own words, without numbers."""
    if not case.redacted:
        return result
    output = "[not shown for hidden cases]" if result.output else ""
    return dataclasses.replace(
        result,
        shapes={},
        params={},
        worst=None,
        output=output,
        diagnosis=for_hidden_case(result.diagnosis),
        error_map=None,
    )


def _answers(problem, expectation: Expectation, outcome: CallOutcome, received):
    """The student's outputs as fresh float64 arrays, each with the tolerance
    its own precision earns, after arity, shape and finiteness. Each array
    read is also appended to `received`, for a diagnosis."""
    function = problem.function
    _check_call(function, outcome)
    items = _result_items(function, expectation, outcome.result)
    answers = []
    for i, (name, shape, item) in enumerate(
        zip(expectation.names, expectation.shapes, items)
    ):
        array, tolerance = _array_of(function, name, item, outcome.outputs)
        received.append((array, tolerance))
        if array.shape != shape:
            raise Failure(
                f"{name} has the wrong shape",
                f"{name} has shape {array.shape}, but it must have shape {shape}. "
                + _SHAPE_ADVICE[problem.kind],
                stage="shape",
                output=i,
            )
        _check_finite(function, name, (array, tolerance), expectation, i)
        answers.append((array, tolerance))
    return answers


def _check_call(function: str, outcome: CallOutcome) -> None:
    error = outcome.error or {}
    where = (
        f" ({error.get('file') or 'line'} line {error['line']})"
        if error.get("line")
        else ""
    )
    if outcome.status == "ok":
        return
    stage = {"stage": "call"}
    if outcome.status == "import_error":
        raise Failure(
            "the module could not be imported",
            f"{error.get('type')}: {error.get('message')}{where}. "
            "Fix it first: no function can be graded until it imports",
            **stage,
        )
    if outcome.status == "missing":
        raise Failure(
            f"{function} is missing",
            f"the module has no function named {function}; "
            "define it with exactly this name",
            **stage,
        )
    if outcome.status == "error" and error.get("type") == "NotImplementedError":
        raise Failure(
            "not implemented yet",
            f"{function} raises NotImplementedError; write its body",
            **stage,
        )
    if outcome.status == "error":
        raise Failure(
            f"{function} raised {error.get('type')}",
            f"{error.get('message')}{where}",
            **stage,
        )
    if outcome.status == "timeout":
        raise Failure(
            f"{function} did not finish in time",
            f"{outcome.detail}; look for a loop that never ends or a long sleep",
            **stage,
        )
    if outcome.status == "limit":
        raise Failure(
            f"{function} went over a limit",
            f"{outcome.detail}; grading went on in a fresh worker",
            **stage,
        )
    raise Failure(
        f"{function} crashed the worker process",
        f"{outcome.detail}; grading went on in a fresh worker",
        **stage,
    )


def _result_items(function: str, expectation: Expectation, result: dict) -> list:
    expected = len(expectation.names)
    items = result["items"] if result.get("kind") == "tuple" else [result.get("item")]
    if expected > 1 and result.get("kind") != "tuple":
        names = ", ".join(expectation.names)
        what = (
            "None" if (result.get("item") or {}).get("kind") == "none" else "one value"
        )
        raise Failure(
            "wrong number of results",
            f"{function} returned {what}, but it must return a tuple ({names})",
        )
    if len(items) != expected:
        names = ", ".join(expectation.names)
        raise Failure(
            "wrong number of results",
            f"{function} returned {len(items)} value(s), but it must return "
            f"{expected}: {'(' + names + ')' if expected > 1 else names}",
            stage="arity",
        )
    return items


def _array_of(function: str, name: str, item, outputs: list) -> np.ndarray:
    kind = item.get("kind") if isinstance(item, dict) else None
    if kind == "none":
        raise Failure(
            f"{name} is None",
            f"{function} returned None for {name}; return an array",
            stage="type",
        )
    if (
        kind != "array"
        or not isinstance(item.get("index"), int)
        or not 0 <= item["index"] < len(outputs)
    ):
        what = item.get("what", "something unreadable") if kind else "nothing usable"
        raise Failure(
            f"{name} is not a numeric array",
            f"{function} returned {what} for {name}; return a float array",
            stage="type",
        )
    received = outputs[item["index"]]
    precision = received.dtype.itemsize if received.dtype.kind == "f" else 8
    return np.array(received, dtype=np.float64, copy=True), ANSWER_TOLERANCE[precision]


def _check_finite(function, name, answer: tuple, expectation, i) -> None:
    array, tolerance = answer
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        exact = expectation.exact[i] if expectation.method == "full" else None
        raise Failure(
            f"{name} has NaN or infinite entries",
            f"{int(np.isnan(array).sum())} NaN and {int(np.isinf(array).sum())} "
            f"infinite entries, the first at index {list(first)}; a 0/0 or log(0) "
            "is the usual cause",
            stage="finite",
            output=i,
            error_map=error_map(name, exact, array, tolerance),
        )


def _check_untouched(problem, expectation: Expectation, outcome: CallOutcome) -> None:
    sent = [a for a in _student_args(problem, expectation) if isinstance(a, np.ndarray)]
    names = (["out_grad"] if problem.kind == "vjp" else []) + list(problem.inputs)
    for name, before, after in zip(names, sent, outcome.after):
        same = after.shape == before.shape and (
            np.array_equal(after, before)  # fast; NaN is looked at only if needed
            or np.array_equal(after, before, equal_nan=True)
        )
        if not same:
            raise Failure(
                f"{problem.function} modified {name} in place",
                f"{name} changed during the call; compute into a new array "
                "(avoid +=, *= and slice assignment on the arguments)",
                stage="untouched",
            )


def _check_values(expectation: Expectation, answers: list) -> dict:
    if expectation.method == "probes":
        return _check_probes(expectation, answers)
    return _check_exact(expectation, answers)


def _check_exact(expectation: Expectation, answers: list) -> dict:
    worst_numbers: dict = {}
    for i, (name, expected, (got, tolerance)) in enumerate(
        zip(expectation.names, expectation.exact, answers)
    ):
        error = np.abs(got - expected)
        scale = max(
            float(np.abs(expected).max(initial=0)), float(np.abs(got).max(initial=0))
        )
        max_abs = float(error.max(initial=0))
        numbers = {
            "tolerance": tolerance,
            "max_abs_error": max_abs,
            "max_rel_error": max_abs / scale if scale else 0.0,
        }
        if error.size:
            index = np.unravel_index(int(error.argmax()), error.shape)
            numbers["worst"] = {
                "output": name,
                "index": [int(i) for i in index],
                "expected": float(expected[index]),
                "received": float(got[index]),
            }
        if max_abs > tolerance * scale + ABSOLUTE_TOLERANCE:
            worst = numbers["worst"]
            raise Failure(
                f"{name} has wrong values",
                f"largest error {max_abs:.3g} at index {worst['index']}: expected "
                f"{worst['expected']:.6g}, received {worst['received']:.6g} "
                f"(relative error {numbers['max_rel_error']:.2g}, tolerance "
                f"{tolerance:g})",
                stage="values",
                output=i,
                error_map=error_map(name, expected, got, tolerance),
                **numbers,
            )
        if not worst_numbers or max_abs >= worst_numbers["max_abs_error"]:
            worst_numbers = numbers
    return worst_numbers


def _check_probes(expectation: Expectation, answers: list) -> dict:
    """Judge all outputs at once along each joint probe; only a disagreement
    pays for the kink test and the per-input probes that name the output."""
    tolerance = max(t for _, t in answers)
    worst = {"tolerance": tolerance, "max_abs_error": 0.0, "max_rel_error": 0.0}
    arrays = [got for got, _ in answers]
    squares = sum(float(np.vdot(got, got)) for got in arrays)
    for index, probe in enumerate(expectation.joint):
        claimed = sum(
            float(np.vdot(got, u)) for got, u in zip(arrays, probe.directions)
        )
        gap, relative = _compare(claimed, probe, squares)
        if relative >= worst["max_rel_error"]:
            worst = {**worst, "max_abs_error": gap, "max_rel_error": relative}
        if relative > tolerance:
            if not expectation.smooth_along(index):
                raise _Redraw
            _check_per_input(expectation, answers)
            raise _joint_failure(expectation, claimed, probe, worst)
    return worst


def _compare(claimed: float, probe, squares: float) -> tuple[float, float]:
    """The gap between the claimed and the numeric derivative, absolute and
    relative to the size of what is compared (`squares`: the answers' ‖·‖²)."""
    gap = abs(claimed - probe.derivative)
    size = np.sqrt((probe.scale**2 + squares) / 2)
    return gap, gap / size if size else (0.0 if gap == 0 else np.inf)


def _check_per_input(expectation: Expectation, answers: list) -> None:
    """Fail naming the first output its own probes find wrong."""
    for i, (name, (got, tolerance)) in enumerate(zip(expectation.names, answers)):
        worst = _worst_own_probe(expectation, i, got)
        if worst is None or worst[1] <= tolerance:
            continue
        gap, relative, claimed, derivative = worst
        raise Failure(
            f"{name} has wrong values",
            f"along a random direction U, <{name}, U> = {claimed:.6g} but the "
            f"forward changes at rate {derivative:.6g} (relative error "
            f"{relative:.2g}, tolerance {tolerance:g})",
            stage="values",
            output=i,
            tolerance=tolerance,
            max_abs_error=gap,
            max_rel_error=relative,
        )


def _worst_own_probe(expectation: Expectation, i: int, got) -> tuple | None:
    """(gap, relative gap, claimed, derivative) of output i's worst probe."""
    squares = float(np.vdot(got, got))
    compared = []
    for j, probe in expectation.probes:
        if j == i:
            claimed = float(np.vdot(got, probe.directions[i]))
            gap, relative = _compare(claimed, probe, squares)
            compared.append((gap, relative, claimed, probe.derivative))
    return max(compared, key=lambda c: c[1], default=None)


def _joint_failure(expectation: Expectation, claimed, probe, worst) -> Failure:
    names = ", ".join(expectation.names)
    verb = "have" if len(expectation.names) > 1 else "has"
    terms = " + ".join(
        f"<{name}, U_{name.removeprefix('grad_')}>" for name in expectation.names
    )
    return Failure(
        f"{names} {verb} wrong values together",
        f"along random directions U for every input, {terms} = {claimed:.6g} "
        f"but the forward changes at rate {probe.derivative:.6g} (relative error "
        f"{worst['max_rel_error']:.2g}, tolerance {worst['tolerance']:g}); each "
        "alone passed its own probes, so look at how they combine",
        stage="values",
        **worst,
    )
