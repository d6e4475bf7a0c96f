"""Name the mistake behind a failed case, from evidence, or say none fits.

A case that failed is looked at once more, in the order its checks ran:
an exception, a non-finite entry or an argument changed in place is named
from what was observed. A wrong shape or wrong values first get one more
call with the same arguments, in the same worker and only now that the case
has failed: an answer that changes makes every other comparison moot. Then
`transforms` looks for a transformation of the exact answer that reproduces
the student's. If none is certain, at most two more calls follow: with
out_grad scaled by -2 (does the answer follow G linearly?) and, for a
one-input op whose output has the input's shape, with the forward's output
in place of the input. Large cases checked by probes have no exact answer: their matches
come from the probes and are at most likely; the extra calls work at any
size.
"""

import numpy as np

from grader import numeric, transforms
from grader.assignment import Problem
from grader.cases import forward_args
from grader.evidence import Evidence, agrees, close
from grader.expect import Expectation
from grader.mistakes import CERTAIN, Diagnosis, named
from grader.runner import CallOutcome, Worker

# the broadcast form is differentiated entry by entry up to this many entries
BROADCAST_FORM_LIMIT = 4096
# an extra call may take this long beyond ten times the first call, at most
# the case's own timeout: a diagnosis must stay cheap
EXTRA_CALL_SLACK = 2.0
# the upstream gradient is scaled by this to test linearity: a negative
# factor also catches masks and absolute values, which scale positively
SCALE = -2.0


def diagnose(
    problem: Problem,
    expectation: Expectation,
    outcome: CallOutcome,
    stage: str,
    index: int | None,
    received: list,
    worker: Worker,
    timeout: float,
) -> Diagnosis | None:
    """The likely mistake of a case that failed at `stage`, or None.

    `index` is the failing output and `received` the student's answers read
    so far, each as (float64 array, tolerance).
    """
    if stage == "call":
        return _exception(problem, outcome)
    if stage == "untouched":
        return _in_place(problem, expectation, outcome)
    if index is None or index >= len(received):
        return None
    array, tolerance = received[index]
    if stage == "finite":
        return _non_finite(expectation, index, array)
    if stage not in ("shape", "values"):
        return None
    evidence = _evidence(problem, expectation, index, array, tolerance)
    calls = _Calls(problem, expectation, index, worker, _budget(outcome, timeout))
    again = calls.repeat()
    if again is None:
        return None  # the function no longer answers: nothing more to learn
    if again.shape != array.shape or not close(again, array, tolerance):
        return _nondeterministic(evidence, again)
    found = transforms.explain(evidence)
    if found is not None and found.confidence == CERTAIN:
        return found
    observed = calls.observe(evidence, stage)
    return observed or found or transforms.guess_from_shapes(evidence)


# ---- what was observed directly


def _exception(problem: Problem, outcome: CallOutcome) -> Diagnosis | None:
    error = outcome.error or {}
    if outcome.status != "error" or error.get("type") == "NotImplementedError":
        return None
    where = (error.get("traceback") or ["your file"])[-1]
    return named(
        "exception",
        True,
        f"{problem.function} raised {error.get('type')}: "
        f"{str(error.get('message'))[:300]} (at {where}).",
        f"Fix line {error.get('line')} of your file; try the same shapes yourself."
        if error.get("line")
        else "",
    )


def _non_finite(expectation: Expectation, index: int, array: np.ndarray):
    bad = ~np.isfinite(array)
    name = expectation.names[index]
    first = [int(i) for i in np.argwhere(bad)[0]] if bad.ndim else []
    where = _where_non_finite(expectation, bad)
    return named(
        "nan_or_inf",
        True,
        f"{name} has {int(np.isnan(array).sum())} NaN and "
        f"{int(np.isinf(array).sum())} infinite entries, the first at index "
        f"{first}{where}.",
    )


def _where_non_finite(expectation: Expectation, bad: np.ndarray) -> str:
    drawn = expectation.drawn
    for name, x in drawn.inputs.items():
        if np.shape(x) == bad.shape and np.any(x == 0) and np.all((x == 0)[bad]):
            return (
                f", all where {name} is exactly 0: a 0/0 or x/0 there, such as "
                f"ones built as {name} / {name}"
            )
    g = drawn.out_grad
    if g is not None and g.shape == bad.shape and np.all((g < 0)[bad]):
        return (
            ", all where out_grad is negative: out_grad seems to be raised to a "
            "fractional power or passed to sqrt or log"
        )
    return ""


def _in_place(problem: Problem, expectation: Expectation, outcome: CallOutcome):
    drawn = expectation.drawn
    sent = [drawn.out_grad] if problem.kind == "vjp" else []
    sent += list(drawn.inputs.values())
    names = (["out_grad"] if problem.kind == "vjp" else []) + list(problem.inputs)
    for name, before, after in zip(names, sent, outcome.after):
        if after.shape == before.shape and np.array_equal(after, before, True):
            continue
        return named(
            "in_place",
            True,
            f"{problem.function} changed {name} during the call: "
            f"{_change(before, after)}.",
        )
    return None


def _change(before: np.ndarray, after: np.ndarray) -> str:
    if after.shape != before.shape:
        return f"its shape went from {before.shape} to {after.shape}"
    changed = before != after
    count = f"{int(changed.sum())} of {before.size} entries"
    if np.array_equal(after, -before):
        return "every entry was negated (as by *= -1)"
    if np.all(after[changed] == 0):
        return f"{count} were set to 0 (as by slice assignment)"
    return f"{count} changed (as by +=, *= or slice assignment)"


# ---- the evidence for transforms


def _evidence(problem, expectation, index, array, tolerance) -> Evidence:
    drawn = expectation.drawn
    exact = dict(zip(expectation.names, expectation.exact))
    name = expectation.names[index]
    args = forward_args(problem, drawn)
    return Evidence(
        name=name,
        variable=problem.wrt[index] if problem.kind in ("vjp", "loss_grad") else "",
        received=array,
        shape=tuple(expectation.shapes[index]),
        tolerance=tolerance,
        expected=exact.get(name) if expectation.method != "probes" else None,
        probes=_probes_of(expectation, index),
        others={k: v for k, v in exact.items() if k != name},
        other_probes={
            other: _probes_of(expectation, j)
            for j, other in enumerate(expectation.names)
            if j != index and expectation.method == "probes"
        },
        inputs={k: np.asarray(v, np.float64) for k, v in drawn.inputs.items()},
        params=dict(drawn.params),
        out_grad=None if drawn.out_grad is None else drawn.out_grad.astype(np.float64),
        output=_forward_output(problem, args),
        broadcast_form=lambda shape: _broadcast_form(problem, drawn, index, shape),
    )


def _probes_of(expectation: Expectation, index: int) -> tuple:
    return tuple(
        (p.directions[index], p.derivative, p.scale)
        for i, p in expectation.probes
        if i == index
    )


def _forward_output(problem: Problem, args: list) -> np.ndarray | None:
    if problem.kind != "vjp":
        return None
    return np.asarray(problem.reference(*args), dtype=np.float64)


def _broadcast_form(problem, drawn, index, shape) -> np.ndarray | None:
    """The gradient for the input broadcast to `shape` before the forward.

    Summed over the broadcast axes it is the right gradient; a student who
    forgets that sum, or sums the wrong axes, returns (a sum of) this.
    """
    if problem.kind != "vjp" or int(np.prod(shape)) > BROADCAST_FORM_LIMIT:
        return None
    position = problem.inputs.index(problem.wrt[index])
    args = forward_args(problem, drawn)
    objective = numeric.Objective(problem.reference, args, [position], drawn.out_grad)
    before = objective.output()
    try:
        objective.args[position] = np.broadcast_to(args[position], shape).copy()
        after = objective.output()
    except ValueError:
        return None
    if after.shape != before.shape or not np.allclose(after, before, rtol=1e-12):
        return None
    return numeric.numerical_vjp(objective)[0]


# ---- the extra calls


def _budget(outcome: CallOutcome, timeout: float) -> float:
    return min(timeout, EXTRA_CALL_SLACK + 10 * outcome.seconds)


class _Calls:
    """Extra calls into the student's function for one failed case."""

    def __init__(self, problem, expectation, index, worker, timeout):
        self.problem, self.expectation, self.index = problem, expectation, index
        self.worker, self.timeout = worker, timeout

    def repeat(self) -> np.ndarray | None:
        """The same call once more."""
        drawn = self.expectation.drawn
        return self._call(drawn.out_grad, drawn.inputs)

    def observe(self, ev: Evidence, stage: str) -> Diagnosis | None:
        """Linearity in out_grad, then the forward's output as the input."""
        if self.problem.kind != "vjp":
            return None
        drawn = self.expectation.drawn
        scaled_grad = np.array(drawn.out_grad * SCALE, dtype=drawn.out_grad.dtype)
        scaled = self._call(scaled_grad, drawn.inputs)
        found = _linearity(ev, scaled)
        if found is None and stage == "values":
            found = self._at_output(ev)
        return found

    def _at_output(self, ev: Evidence) -> Diagnosis | None:
        drawn, problem = self.expectation.drawn, self.problem
        (name,) = problem.inputs if len(problem.inputs) == 1 else (None,)
        x = drawn.inputs.get(name)
        if x is None or ev.output is None or ev.output.shape != np.shape(x):
            return None
        moved = self._call(drawn.out_grad, {name: ev.output.astype(x.dtype)})
        if moved is None or moved.shape != tuple(ev.shape):
            return None
        right = (
            close(moved, ev.expected, ev.tolerance)
            if ev.expected is not None
            else agrees(moved, ev)
        )
        if not right:
            return None
        return named(
            "derivative_at_input",
            ev.expected is not None,
            f"Called with the forward's output in place of {name}, "
            f"{problem.function} returns the right gradient: its formula is "
            f"written in terms of f({name}) but evaluated at {name}.",
        )

    def _call(self, out_grad: np.ndarray, inputs: dict) -> np.ndarray | None:
        """The failing output of one more call, or None if it did not answer."""
        drawn = self.expectation.drawn
        args = list(inputs.values()) + list(drawn.params.values())
        args = [out_grad] + args if self.problem.kind == "vjp" else args
        outcome = self.worker.call(
            self.problem.function, args, len(self.expectation.names), self.timeout
        )
        if outcome.status != "ok":
            return None
        result = outcome.result or {}
        items = (
            result.get("items")
            if result.get("kind") == "tuple"
            else [result.get("item")]
        )
        if not isinstance(items, list) or len(items) <= self.index:
            return None
        item = items[self.index]
        if not isinstance(item, dict) or item.get("kind") != "array":
            return None
        position = item.get("index")
        if not isinstance(position, int) or not 0 <= position < len(outcome.outputs):
            return None
        answer = np.asarray(outcome.outputs[position], dtype=np.float64)
        return answer if np.all(np.isfinite(answer)) else None


def _nondeterministic(ev: Evidence, again: np.ndarray) -> Diagnosis:
    if again.shape != ev.received.shape:
        differ = f"shapes {ev.received.shape} and {again.shape}"
    else:
        differ = f"entries up to {float(np.abs(again - ev.received).max()):.3g} apart"
    return named(
        "nondeterministic",
        True,
        f"Called twice with the same arguments, it returned {ev.name} with {differ}.",
    )


def _linearity(ev: Evidence, scaled: np.ndarray | None):
    r = ev.received
    if scaled is None or scaled.shape != r.shape:
        return None
    if close(scaled, r, ev.tolerance) and np.any(r != 0):
        return named(
            "ignores_out_grad",
            True,
            f"With out_grad scaled by {SCALE:g}, {ev.name} did not change at all.",
        )
    if close(SCALE * r, scaled, ev.tolerance):
        return None
    factor = float(np.sum(scaled * r) / np.sum(r * r)) if np.any(r) else 0.0
    how = (
        f"scaled it by {factor:.3g}"
        if close(factor * r, scaled, ev.tolerance)
        else "changed it in a way that is no scaling at all"
    )
    return named(
        "not_linear_in_g",
        True,
        f"Scaling out_grad by {SCALE:g} should scale {ev.name} by {SCALE:g}; it {how}.",
    )
