"""Work out, before any student code runs, what a right answer must satisfy.

Everything here comes from the assignment's trusted functions in float64:
the whole numeric gradient for small inputs, random-direction probes for
large ones, a numeric Jacobian, or an expected value. A draw that sits near
a kink (the derivative at h and 2h disagree) is drawn again rather than
risk failing a correct answer.
"""

from dataclasses import dataclass

import numpy as np

from grader import numeric
from grader.assignment import Case, Problem
from grader.cases import CaseError, DrawnCase, draw_case, forward_args

# up to this many elements across the checked inputs, check every element
FULL_LIMIT = 512
# two Gaussian probes per input let a 0.1 % error escape < 1 in a million
PROBES = 2
# h and 2h derivatives agree to ~1e-12 on smooth draws; a kink breaks that
KINK_TOLERANCE = 1e-6
MAX_REDRAWS = 10


@dataclass(frozen=True)
class Expectation:
    """What a right answer to one case looks like."""

    drawn: DrawnCase
    method: str  # "full", "probes" or "value"
    names: tuple[str, ...]  # names of the outputs: grad_a, jacobian, ...
    shapes: tuple[tuple[int, ...], ...]
    exact: tuple[np.ndarray, ...]  # per output, for "full" and "value"
    probes: tuple[tuple[int, numeric.Probe], ...]  # (output, probe) for "probes"


def expect(problem: Problem, case: Case, seed: int) -> Expectation:
    """Draw a case and compute the expectation a student's answer must meet."""
    if problem.kind == "jacobian":
        return _jacobian(problem, draw_case(problem, case, seed))
    if problem.kind == "value":
        drawn = draw_case(problem, case, seed)
        value = np.asarray(problem.reference(*forward_args(problem, drawn)), np.float64)
        return Expectation(drawn, "value", ("result",), (value.shape,), (value,), ())

    attempt = 0
    for _ in range(MAX_REDRAWS):
        drawn = draw_case(problem, case, seed, attempt)
        objective = _objective(problem, drawn)
        rng = np.random.default_rng([seed, case.seed, drawn.attempt, 1])
        if _smooth_here(objective, rng):
            return _gradient(problem, drawn, objective, rng)
        attempt = drawn.attempt + 1
    raise CaseError(
        f"{problem.id} › {case.name}: every draw sat near a kink; "
        "keep the case's inputs further from it"
    )


def output_names(problem: Problem) -> tuple[str, ...]:
    if problem.kind == "jacobian":
        return ("jacobian",)
    if problem.kind == "value":
        return ("result",)
    return tuple(f"grad_{name}" for name in problem.wrt)


def _objective(problem: Problem, drawn: DrawnCase) -> numeric.Objective:
    wrt = [problem.inputs.index(name) for name in problem.wrt]
    return numeric.Objective(
        problem.reference, forward_args(problem, drawn), wrt, drawn.out_grad
    )


def _smooth_here(objective: numeric.Objective, rng) -> bool:
    at_h = numeric.probe(objective, rng)
    at_2h = numeric.directional(objective, at_h.directions, 2 * numeric.STEP)
    gap = abs(at_h.derivative - at_2h.derivative)
    return gap <= KINK_TOLERANCE * max(at_h.scale, at_2h.scale, 1e-300)


def _gradient(problem, drawn, objective, rng) -> Expectation:
    names = output_names(problem)
    shapes = tuple(objective.variable(i).shape for i in range(len(names)))
    if sum(int(np.prod(s)) for s in shapes) <= FULL_LIMIT:
        exact = tuple(numeric.numerical_vjp(objective))
        return Expectation(drawn, "full", names, shapes, exact, ())
    probes = []
    for i, shape in enumerate(shapes):
        for _ in range(PROBES):
            directions = tuple(
                rng.standard_normal(s) if j == i else np.zeros(s)
                for j, s in enumerate(shapes)
            )
            probes.append((i, numeric.directional(objective, directions)))
    return Expectation(drawn, "probes", names, shapes, (), tuple(probes))


def _jacobian(problem: Problem, drawn: DrawnCase) -> Expectation:
    (x,) = forward_args(problem, drawn)
    jacobian = numeric.numerical_jacobian(problem.reference, x)
    if problem.layout == "numerator":
        jacobian = np.moveaxis(jacobian, tuple(range(x.ndim)), tuple(range(-x.ndim, 0)))
    return Expectation(drawn, "full", ("jacobian",), (jacobian.shape,), (jacobian,), ())
