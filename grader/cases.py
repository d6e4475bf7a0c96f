"""Draw the seeded inputs and upstream gradient of one case.

Inputs come from the ranges the case names, kept away from the points where
a correct answer could still fail a numeric check (kinks, poles, logs of
small numbers), with exact zeros placed only where the case asks for them.
The upstream gradient is standard normal, never all ones, so a gradient
that ignores it cannot pass.
"""

from dataclasses import dataclass

import numpy as np

from grader.assignment import Case, InputSpec, Problem

# redraws allowed when an `accept` predicate or the kink check says no
MAX_ATTEMPTS = 20
# output shapes remembered per (trusted forward, input shapes, params), so a
# large case's upstream gradient costs no forward after preflight; a few
# hundred cases per assignment, and shapes only, so this stays small
OUT_SHAPES_LIMIT = 4096
_out_shapes: dict = {}


class CaseError(Exception):
    """A case that cannot be drawn: a fault of the spec, not the student."""


@dataclass(frozen=True)
class DrawnCase:
    """Concrete arrays for one case, and the call the student receives."""

    inputs: dict  # name -> array, as the student gets them
    params: dict  # name -> parameter value
    out_grad: np.ndarray | None  # the upstream gradient G, for vjp problems
    attempt: int


def draw_case(problem: Problem, case: Case, seed: int, attempt: int = 0) -> DrawnCase:
    """Draw a case's inputs; redraw until the problem's `accept` holds."""
    for tries in range(attempt, attempt + MAX_ATTEMPTS):
        rng = np.random.default_rng([seed, case.seed, tries])
        inputs = {name: draw_input(case.inputs[name], rng) for name in problem.inputs}
        params = {name: case.params.get(name) for name in problem.params}
        if problem.accept is None or problem.accept(*_float64(inputs).values()):
            return DrawnCase(
                inputs, params, _out_grad(problem, inputs, params, rng), tries
            )
    raise CaseError(
        f"{problem.id} › {case.name}: no draw in {MAX_ATTEMPTS} satisfied "
        f"{problem.accept.__name__}; widen the case's ranges"
    )


def preflight(problems, seed: int) -> None:
    """Draw every case once and run its trusted function, before any grading.

    A case the trusted forward cannot take (mismatched shapes, a forward that
    raises or returns no finite numbers) is a fault of the spec: it is
    reported here, naming the problem and case, rather than mid-grading.
    """
    for problem in problems:
        for case in problem.cases:
            try:
                drawn = draw_case(problem, case, seed)
                output = problem.reference(*forward_args(problem, drawn))
                finite = np.isfinite(np.asarray(output, dtype=np.float64)).all()
            except CaseError:
                raise
            except Exception as error:  # noqa: BLE001 - the spec's own code failed
                raise CaseError(
                    f"{problem.id} › {case.name}: the trusted "
                    f"{problem.reference.__name__} failed on this case: {error!r:.300}; "
                    "check the case's shapes and ranges"
                ) from None
            if not finite:
                raise CaseError(
                    f"{problem.id} › {case.name}: the trusted "
                    f"{problem.reference.__name__} returned non-finite values; "
                    "keep the case's inputs inside its domain"
                )


def draw_input(spec: InputSpec, rng: np.random.Generator) -> np.ndarray:
    """Draw one input array as a case's spec describes it."""
    if spec.value is not None:
        return np.array(spec.value, dtype=spec.dtype)
    if spec.integers is not None:
        return rng.integers(*spec.integers, size=spec.shape)
    values = _uniform_away_from_zero(spec, rng)
    if spec.zeros and values.size:
        count = max(1, round(spec.zeros * values.size))
        values.flat[rng.choice(values.size, size=count, replace=False)] = 0.0
    return values.astype(spec.dtype, copy=False)  # values is a fresh array


def forward_args(problem: Problem, drawn: DrawnCase) -> list:
    """The trusted forward's arguments, in float64 where they are floats."""
    return list(_float64(drawn.inputs).values()) + list(drawn.params.values())


def _out_grad(problem: Problem, inputs: dict, params: dict, rng) -> np.ndarray | None:
    if problem.kind != "vjp":
        return None
    shape = _out_shape(problem, inputs, params)
    dtype = np.result_type(*[a for k, a in inputs.items() if k in problem.wrt])
    return rng.standard_normal(shape).astype(dtype, copy=False)


def _out_shape(problem: Problem, inputs: dict, params: dict) -> tuple[int, ...]:
    """The trusted forward's output shape, from the cache or one forward."""
    key = _shape_key(problem, inputs, params)
    if key is not None and key in _out_shapes:
        return _out_shapes[key]
    args = [*_float64(inputs).values(), *params.values()]
    shape = tuple(int(n) for n in np.shape(problem.reference(*args)))
    if key is not None:
        if len(_out_shapes) >= OUT_SHAPES_LIMIT:
            del _out_shapes[next(iter(_out_shapes))]  # the oldest
        _out_shapes[key] = shape
    return shape


def _shape_key(problem: Problem, inputs: dict, params: dict) -> tuple | None:
    """What the output shape depends on, or None when a parameter cannot be a
    key (then the forward runs every time)."""
    arrays = tuple((name, a.shape, a.dtype.str) for name, a in inputs.items())
    key = (problem.reference, arrays, tuple(params.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _uniform_away_from_zero(spec: InputSpec, rng) -> np.ndarray:
    """Uniform on [low, high] with (-min_abs, min_abs) cut out."""
    pieces = [
        (spec.low, min(spec.high, -spec.min_abs)),
        (max(spec.low, spec.min_abs), spec.high),
    ]
    pieces = [(lo, hi) for lo, hi in pieces if hi > lo]
    widths = np.array([hi - lo for lo, hi in pieces])
    offset = rng.uniform(0.0, widths.sum(), size=spec.shape)
    values = np.add(pieces[0][0], offset, out=np.empty(np.shape(offset)))
    if len(pieces) == 2:  # in place, the same sums: large inputs stay cheap
        second = offset >= widths[0]
        np.add(offset, pieces[1][0], out=values, where=second)
        np.subtract(values, widths[0], out=values, where=second)
    return np.asarray(values, dtype=np.float64)


def _float64(inputs: dict) -> dict:
    return {
        k: a.astype(np.float64) if a.dtype.kind == "f" else a for k, a in inputs.items()
    }
