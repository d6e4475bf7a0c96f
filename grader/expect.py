"""Work out, before any student code runs, what a right answer must satisfy.

Everything here comes from the assignment's trusted functions in float64:
the whole numeric gradient for small inputs, random-direction probes for
large ones, a numeric Jacobian, or an expected value. A small draw that sits
near a kink (the derivative at h and 2h disagree) is drawn again rather than
risk failing a correct answer. A large draw gets joint probes only, along
every checked input at once; its kink test and its per-input probes, which
say which output is wrong, are computed only once an answer disagrees.
"""

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from grader import numeric
from grader.assignment import Case, Problem
from grader.cases import CaseError, DrawnCase, draw_case, forward_args

# up to this many elements across the checked inputs, check every element
FULL_LIMIT = 512
# two Gaussian probes (joint, then per input on a failure) let a 0.1 % error
# escape < 1 in a million
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
    joint: tuple[numeric.Probe, ...] = ()  # along every input at once, "probes"
    objective: numeric.Objective | None = field(default=None, repr=False)
    rng_seed: tuple[int, ...] = ()  # seeds the per-input probes

    @cached_property
    def probes(self) -> tuple[tuple[int, numeric.Probe], ...]:
        """(output, probe) pairs along one input at a time, for "probes"."""
        if self.method != "probes":
            return ()
        rng = np.random.default_rng(list(self.rng_seed))
        return _per_input(self.objective, self.shapes, rng)

    def smooth_along(self, index: int) -> bool:
        """Whether joint probe `index` agrees with the same derivative at 2h:
        if not, the draw sits near a kink and must not judge an answer."""
        at_h = self.joint[index]
        at_2h = numeric.directional(self.objective, at_h.directions, 2 * numeric.STEP)
        return _agree(at_h, at_2h)


def expect(problem: Problem, case: Case, seed: int, attempt: int = 0) -> Expectation:
    """Draw a case and compute the expectation a student's answer must meet.

    `attempt` starts the draw further along, after a draw that sat near a kink.
    """
    if problem.kind == "jacobian":
        return _jacobian(problem, draw_case(problem, case, seed))
    if problem.kind == "value":
        drawn = draw_case(problem, case, seed)
        value = np.asarray(problem.reference(*forward_args(problem, drawn)), np.float64)
        return Expectation(drawn, "value", ("result",), (value.shape,), (value,))

    for _ in range(MAX_REDRAWS):
        drawn = draw_case(problem, case, seed, attempt)
        objective = _objective(problem, drawn)
        rng = np.random.default_rng([seed, case.seed, drawn.attempt, 1])
        if _probed(objective):
            rng_seed = (seed, case.seed, drawn.attempt, 2)
            return _joint(problem, drawn, objective, rng, rng_seed)
        if _smooth_here(objective, rng):
            return _full(problem, drawn, objective)
        attempt = drawn.attempt + 1
    raise kinked(problem, case)


def kinked(problem: Problem, case: Case) -> CaseError:
    """The error for a case whose every draw sat near a kink."""
    return CaseError(
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


def _probed(objective: numeric.Objective) -> bool:
    sizes = (objective.variable(i).size for i in range(len(objective.wrt)))
    return sum(sizes) > FULL_LIMIT


def _smooth_here(objective: numeric.Objective, rng) -> bool:
    at_h = numeric.probe(objective, rng)
    at_2h = numeric.directional(objective, at_h.directions, 2 * numeric.STEP)
    return _agree(at_h, at_2h)


def _agree(at_h: numeric.Probe, at_2h: numeric.Probe) -> bool:
    gap = abs(at_h.derivative - at_2h.derivative)
    return gap <= KINK_TOLERANCE * max(at_h.scale, at_2h.scale, 1e-300)


def _shapes(objective: numeric.Objective) -> tuple[tuple[int, ...], ...]:
    return tuple(objective.variable(i).shape for i in range(len(objective.wrt)))


def _full(problem, drawn, objective) -> Expectation:
    exact = tuple(numeric.numerical_vjp(objective))
    return Expectation(drawn, "full", output_names(problem), _shapes(objective), exact)


def _joint(problem, drawn, objective, rng, rng_seed) -> Expectation:
    joint = tuple(numeric.probe(objective, rng) for _ in range(PROBES))
    names, shapes = output_names(problem), _shapes(objective)
    return Expectation(drawn, "probes", names, shapes, (), joint, objective, rng_seed)


def _per_input(objective, shapes, rng) -> tuple[tuple[int, numeric.Probe], ...]:
    probes = []
    for i in range(len(shapes)):
        for _ in range(PROBES):
            directions = tuple(
                rng.standard_normal(s) if j == i else np.zeros(s)
                for j, s in enumerate(shapes)
            )
            probes.append((i, numeric.directional(objective, directions)))
    return tuple(probes)


def _jacobian(problem: Problem, drawn: DrawnCase) -> Expectation:
    (x,) = forward_args(problem, drawn)
    jacobian = numeric.numerical_jacobian(problem.reference, x)
    if problem.layout == "numerator":
        jacobian = np.moveaxis(jacobian, tuple(range(x.ndim)), tuple(range(-x.ndim, 0)))
    return Expectation(drawn, "full", ("jacobian",), (jacobian.shape,), (jacobian,))
