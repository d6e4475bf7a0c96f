"""What one check costs: ours against its lower bound and against the others.

The lower bound is one call of the trusted forward plus one call of the
reference VJP, in process, float64, on the case's inputs. Ours is
`check_case` in process (expectation, call, comparison) and through a warm
isolated worker. Every column is a median over repeats taken in turn
(interleaved) in one run. Slow checkers run only where their predicted
time fits a budget; elsewhere the table gives a prediction scaled from the
largest size that ran (perturbed entries × forward cost: n⁵ for matmul, n⁴
for the others), marked "est.", or says the Jacobian does not fit in memory.
"""

import dataclasses
import time

import numpy as np

import checkers
from grader.cases import forward_args
from grader.check import check_case
from grader.expect import expect
from grader.runner import Worker
from harness import (
    REFERENCE,
    InProcessWorker,
    import_module,
    median_seconds,
    problem_of,
    square_case,
)

OPS = {  # problem id -> (case parameters, input ranges, cost exponent in n)
    "matmul": ({}, {"low": -1.0, "high": 1.0}, 5),
    "multiply": ({}, {}, 4),
    "summation": ({"axes": 1}, {}, 4),
}
# torch's slow mode holds a numerical and an analytical Jacobian in float64
JACOBIAN_BYTES_LIMIT = 2 << 30
SEED = 0


@dataclasses.dataclass(frozen=True)
class CostRow:
    op: str
    n: int
    lower: float
    ours: float
    ours_worker: float
    forwards: int  # trusted forward calls in one of our checks
    forward: float  # one forward call
    torch_fast: float
    torch_slow: str
    ones: str


def measure(assignment, sizes, repeats: int, budget: float) -> list[CostRow]:
    reference = import_module(REFERENCE, "_bench_reference")
    rows = []
    with Worker(REFERENCE) as worker:
        for op, (params, ranges, exponent) in OPS.items():
            slow_seen: dict = {}
            for n in sizes:
                problem = problem_of(assignment, op)
                case = square_case(f"{op}_{n}", n, params, **ranges)
                rows.append(
                    _row(problem, case, n, reference, worker, repeats, budget,
                         exponent, slow_seen)
                )
    return rows


def table(rows: list[CostRow]) -> list[str]:
    lines = [
        "| op | n | lower bound | ours, in process | ours, in a worker "
        "| torch fast | torch slow | all-ones full |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.op} | {r.n} | {_ms(r.lower)} | {_ms(r.ours)} "
            f"(**{r.ours / r.lower:.1f}x**) | {_ms(r.ours_worker)} "
            f"({r.ours_worker / r.lower:.1f}x) | {_ms(r.torch_fast)} "
            f"({r.torch_fast / r.ours:.1f}x ours) | {r.torch_slow} | {r.ones} |"
        )
    return lines


def breakdown(rows: list[CostRow]) -> list[str]:
    lines = [
        "| op | n | forward calls in one check | one forward | "
        "forwards' share of ours |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        share = r.forwards * r.forward / r.ours
        lines.append(
            f"| {r.op} | {r.n} | {r.forwards} | {_ms(r.forward)} | {share:.0%} |"
        )
    return lines


def _row(problem, case, n, reference, worker, repeats, budget, exponent, seen):
    expectation = expect(problem, case, SEED)
    drawn = expectation.drawn
    vjp = getattr(reference, problem.function)
    args = forward_args(problem, drawn)
    local = InProcessWorker(reference, REFERENCE)
    check_case(problem, case, SEED, worker)  # warm the worker up

    def lower():
        problem.reference(*args)
        vjp(drawn.out_grad, *args)

    timed = {
        "lower": lower,
        "ours": lambda: _passed(check_case(problem, case, SEED, local)),
        "worker": lambda: _passed(check_case(problem, case, SEED, worker)),
        "fast": lambda: checkers.torch_flags(problem, drawn, vjp, fast=True),
        "forward": lambda: problem.reference(*args),
    }
    samples = {name: [] for name in timed}
    for _ in range(repeats):  # in turn, so drift hits every column alike
        for name, function in timed.items():
            samples[name].append(median_seconds(function, 1))
    medians = {name: float(np.median(v)) for name, v in samples.items()}
    return CostRow(
        problem.id, n, medians["lower"], medians["ours"], medians["worker"],
        _count_forwards(problem, case), medians["forward"], medians["fast"],
        _slow(problem, drawn, vjp, n, budget, exponent, seen, "slow",
              medians["ours"]),
        _slow(problem, drawn, vjp, n, budget, exponent, seen, "ones",
              medians["ours"]),
    )


def _slow(problem, drawn, vjp, n, budget, exponent, seen, which, ours) -> str:
    if which == "slow" and _jacobian_bytes(problem, drawn) > JACOBIAN_BYTES_LIMIT:
        gib = _jacobian_bytes(problem, drawn) / 2**30
        return f"not run: Jacobians need {gib:,.0f} GiB"
    if which in seen:
        n_seen, t_seen = seen[which]
        predicted = t_seen * (n / n_seen) ** exponent
        if predicted > budget:
            return f"~{_duration(predicted)} est. ({predicted / ours:,.0f}x ours)"
    start = time.perf_counter()
    if which == "slow":
        flagged = checkers.torch_flags(problem, drawn, vjp, fast=False)
    else:
        flagged = checkers.ones_flags(problem, drawn, vjp)
    seconds = time.perf_counter() - start
    seen[which] = (n, seconds)
    note = " (flagged!)" if flagged else ""
    return f"{_duration(seconds)} ({seconds / ours:,.0f}x ours){note}"


def _jacobian_bytes(problem, drawn) -> int:
    out = np.shape(problem.reference(*forward_args(problem, drawn)))
    inputs = checkers.ones_cost_elements(problem, drawn)
    return 2 * 8 * inputs * int(np.prod(out))


def _count_forwards(problem, case) -> int:
    """Forward calls in a check after the first, as in grading: preflight
    has already run each forward once and remembered its output shape."""
    calls = []

    def counting(*args):
        calls.append(1)
        return problem.reference(*args)

    counted = dataclasses.replace(problem, reference=counting)
    worker = InProcessWorker(import_module(REFERENCE, "_bench_count"), REFERENCE)
    check_case(counted, case, SEED, worker)
    calls.clear()
    check_case(counted, case, SEED, worker)
    return len(calls)


def _passed(result):
    if not result.passed:
        raise AssertionError(f"the reference failed: {result.message}")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else _duration(seconds)


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds:,.0f} s"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:,.0f} h"
    return f"{seconds / 86400:,.0f} days"
