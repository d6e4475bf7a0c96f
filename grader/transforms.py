"""Transformations of the right answer that reproduce common wrong answers.

On a small case the grader knows the exact gradient. Each hypothesis here
applies what one known mistake does (a sign, a constant factor, a transpose,
another order of axes, a missing or misplaced sum, a missing reshape, the
local derivative without out_grad) and asks whether the result reproduces
the student's answer within the case's tolerance. Such a match is certain
when it holds on at least two nonzero entries. On a large case only random
probes are known: the student's answer is transformed back instead and
checked against the probes, which makes a match likely, never certain.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from grader.mistakes import Diagnosis, named

# slack for entries that are exactly zero on both sides, as in check.py
ABSOLUTE = 1e-12
# one number is always a multiple of another: a pattern needs two entries
MIN_ENTRIES = 2
# powers of an input that a misremembered derivative puts in or leaves out
POWERS = (1, 2, -1, -2)
SUPERSCRIPT = {1: "", 2: "²", -1: "⁻¹", -2: "⁻²"}


@dataclass(frozen=True)
class Evidence:
    """What is known about the failing output of one case."""

    name: str  # grad_a, jacobian, result
    variable: str  # the input it is the gradient of ("" if none)
    received: np.ndarray  # the student's answer, in float64
    shape: tuple  # the shape a right answer has
    tolerance: float
    expected: np.ndarray | None  # the exact answer, None for probed cases
    probes: tuple  # (direction, derivative, scale) for probed cases
    others: dict  # output name -> exact answer, the other outputs
    other_probes: dict  # output name -> probes, the other outputs of a probed case
    inputs: dict  # input name -> float64 array
    params: dict
    out_grad: np.ndarray | None
    output: np.ndarray | None  # the forward's value
    broadcast_form: object  # shape -> gradient for the input broadcast to it


def explain(evidence: Evidence) -> Diagnosis | None:
    """The first certain match, else the first likely one, else None."""
    same = evidence.received.shape == tuple(evidence.shape)
    if same and _right(evidence):
        return None  # a right answer has no mistake to name
    if evidence.expected is None:
        hypotheses = _PROBED_SAME if same else _PROBED_OTHER
    else:
        hypotheses = _SAME_SHAPE if same else _OTHER_SHAPE
    likely = None
    for hypothesis in hypotheses:
        found = hypothesis(evidence)
        if found is not None and found.confidence == "certain":
            return found
        likely = likely or found
    return likely


def guess_from_shapes(evidence: Evidence) -> Diagnosis | None:
    """A likely kind from the shapes alone, when no values could be matched."""
    got, want, name = evidence.received.shape, tuple(evidence.shape), evidence.name
    if got == want:
        return None
    if len(got) >= 2 and got == _swapped(want):
        return named(
            "transpose", False, f"{name} has shape {got}, the transpose of {want}."
        )
    if _broadcasts(want, got):
        return named("missing_sum", False, _missing_sum_message(evidence))
    if evidence.output is not None and got == evidence.output.shape:
        return named(
            "output_shape",
            False,
            f"{name} has shape {got}, the shape of the output, instead of {want}.",
        )
    return None


# ---- hypotheses on an exact answer of the right shape


def _factor(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    if not np.any(np.abs(e) > ABSOLUTE):
        return None
    if not np.any(np.abs(r) > ABSOLUTE):
        return named(
            "all_zeros",
            _count(e) >= MIN_ENTRIES,
            f"{ev.name} is zero everywhere, but the right gradient is not "
            f"(its largest entry is {np.abs(e).max():.3g}).",
        )
    c = float(np.sum(r * e) / np.sum(e * e))
    if not _close(c * e, r, ev.tolerance):
        return None
    if _close(-e, r, ev.tolerance):
        return named(
            "sign_flip", _certain(ev), f"{ev.name} is exactly minus the right gradient."
        )
    phrase, hint = _factor_name(c, ev)
    if hint is None and not _certain(ev):
        return None  # a single number is always some multiple of another
    return named(
        "constant_factor",
        _certain(ev),
        f"{ev.name} is the right gradient times {phrase}.",
        f"Look for {hint or 'a constant that is missing or extra'}.",
    )


def _repeated_on_wrong_axis(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    want, got = _constant_axes(e, ev.tolerance), _constant_axes(r, ev.tolerance)
    if not want or not got or want == got:
        return None
    core_e, core_r = _core(e, want), _core(r, got)
    if core_e.size != core_r.size or not _close(core_e, core_r, ev.tolerance):
        return None
    return named(
        "wrong_axis",
        _certain(ev),
        f"{ev.name} repeats out_grad's values along axis {_axes(got)}, but the right "
        f"gradient repeats them along axis {_axes(want)}.",
        f"Put the reduced axes {_axes(want)} back into out_grad as size-1 axes "
        "(np.expand_dims) before broadcasting to the input's shape.",
    )


def _transposed(ev: Evidence) -> Diagnosis | None:
    e = ev.expected
    if e.ndim < 2 or _swapped(e.shape) != ev.received.shape:
        return None
    if not _close(np.swapaxes(e, -1, -2), ev.received, ev.tolerance):
        return None
    which = "" if e.ndim == 2 else " in every batch (its last two axes are swapped)"
    return named(
        "transpose",
        _certain(ev),
        f"{ev.name} is the transpose of the right gradient{which}.",
    )


def _permuted(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    if e.ndim < 3 or e.ndim > 6 or sorted(e.shape) != sorted(r.shape):
        return None
    for order in itertools.permutations(range(e.ndim)):
        if order in (tuple(range(e.ndim)), _swapped(tuple(range(e.ndim)))):
            continue
        moved = np.transpose(e, order)
        if moved.shape == r.shape and _close(moved, r, ev.tolerance):
            return _permutation(ev, order)
    return None


def _outputs_swapped(ev: Evidence) -> Diagnosis | None:
    for other, exact in ev.others.items():
        if exact.shape == ev.received.shape and _close(exact, ev.received, ev.tolerance):
            return named(
                "outputs_swapped", _certain(ev), f"{ev.name} equals the right {other}."
            )
    return None


def _local_derivative(ev: Evidence) -> Diagnosis | None:
    g = ev.out_grad
    if g is None or g.shape != ev.expected.shape or not np.all(g != 0):
        return None
    if not _close(ev.expected / g, ev.received, ev.tolerance):
        return None
    return named(
        "ignores_out_grad",
        _certain(ev),
        f"{ev.name} times out_grad is the right gradient: it is the local "
        "derivative alone, never multiplied by out_grad.",
    )


def _forward_value(ev: Evidence) -> Diagnosis | None:
    f, g, r = ev.output, ev.out_grad, ev.received
    if f is None or f.shape != r.shape:
        return None
    if _close(f, r, ev.tolerance):
        message = f"{ev.name} is the forward's output itself."
    elif g is not None and g.shape == f.shape and _close(g * f, r, ev.tolerance):
        message = (
            f"{ev.name} is out_grad times the forward's output; the chain rule "
            "needs out_grad times the forward's derivative."
        )
    else:
        return None
    return named("forward_value", _count(r) >= MIN_ENTRIES, message)


def _input_power(ev: Evidence) -> Diagnosis | None:
    for name, x in ev.inputs.items():
        if x.shape != ev.received.shape or x.dtype.kind != "f":
            continue
        for k in POWERS:
            if k < 0 and np.any(x == 0):
                continue
            if _close(ev.expected * x**k, ev.received, ev.tolerance):
                return named(
                    "input_factor",
                    _certain(ev),
                    f"{ev.name} is the right gradient times {name}{SUPERSCRIPT[k]}, "
                    "entry by entry.",
                )
    return None


def _summed_on_wrong_axes(ev: Evidence) -> Diagnosis | None:
    full, want = _output_shape(ev), tuple(ev.shape)
    if full is None or full == want or not _broadcasts(want, full):
        return None
    form = ev.broadcast_form(full)
    if form is None:
        return None
    right = _stretched(want, full)
    for axes in _subsets(len(full)):
        summed = form.sum(axis=axes)
        if axes == right or summed.size != ev.received.size:
            continue
        candidate = summed.reshape(ev.received.shape)
        if _close(candidate, ev.expected, ev.tolerance):
            continue
        if _close(candidate, ev.received, ev.tolerance):
            return named(
                "wrong_axis",
                _certain(ev),
                f"{ev.name} sums out_grad (shape {full}) over axis {_axes(axes)}, "
                f"but {ev.variable} was broadcast along axis {_axes(right)}.",
                "Line the shapes up from the right: the axes to sum are the ones "
                f"{ev.variable} lacks at the front and those where it has size 1.",
            )
    return None


# ---- hypotheses on an exact answer of another shape


def _reshaped(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    if e.size != r.size or not _close(e.reshape(r.shape), r, ev.tolerance):
        return None
    fix = f"Reshape it to {ev.variable or 'the input'}'s shape {tuple(ev.shape)}."
    if ev.output is not None and r.shape == ev.output.shape:
        return named(
            "output_shape",
            _certain(ev),
            f"{ev.name} has the right values in row-major order, but the output's "
            f"shape {r.shape} instead of {tuple(ev.shape)}.",
            fix,
        )
    return named(
        "missing_reshape",
        _certain(ev),
        f"{ev.name} has the right values, but shape {r.shape} instead of "
        f"{tuple(ev.shape)}.",
        fix,
    )


def _not_broadcast_back(ev: Evidence) -> Diagnosis | None:
    r, want = ev.received, tuple(ev.shape)
    if ev.output is None or r.shape != ev.output.shape or not _broadcasts(r.shape, want):
        return None
    if not _close(np.broadcast_to(r, want), ev.expected, ev.tolerance):
        return None
    return named(
        "output_shape",
        _certain(ev) or _count(ev.expected) >= MIN_ENTRIES,
        f"{ev.name} has the output's shape {r.shape}; the right gradient is it "
        f"repeated over {ev.variable}'s shape {want}.",
        f"Broadcast it back to {want}, re-inserting any reduced axes first.",
    )


def _missing_sum(ev: Evidence) -> Diagnosis | None:
    r, want = ev.received, tuple(ev.shape)
    if not _broadcasts(want, r.shape):
        return None
    form = ev.broadcast_form(r.shape)
    if form is not None and _close(form, r, ev.tolerance):
        return named("missing_sum", _certain(ev), _missing_sum_message(ev))
    if _close(_unbroadcast(r, want), ev.expected, ev.tolerance):
        return named("missing_sum", False, _missing_sum_message(ev))
    return None


# ---- hypotheses checked against random probes (large cases)


def _probed_same(ev: Evidence) -> Diagnosis | None:
    r, name = ev.received, ev.name
    ratio = _probe_ratio(ev)
    if ratio is not None and _agrees(r / ratio, ev):
        if abs(ratio + 1) < 1e-3:
            return named("sign_flip", False, f"{name} looks like minus the gradient.")
        phrase, hint = _factor_name(ratio, ev)
        return named(
            "constant_factor",
            False,
            f"{name} looks like the right gradient times {phrase}.",
            f"Look for {hint}.",
        )
    if r.ndim >= 2 and _swapped(r.shape) == r.shape and _agrees(np.swapaxes(r, -1, -2), ev):
        return named("transpose", False, f"{name} looks like the transpose.")
    g = ev.out_grad
    if g is not None and g.shape == r.shape and _agrees(r * g, ev):
        return named(
            "ignores_out_grad",
            False,
            f"{name} times out_grad looks like the right gradient: out_grad is "
            "never multiplied in.",
        )
    return None


def _probed_powers(ev: Evidence) -> Diagnosis | None:
    for name, x in ev.inputs.items():
        if x.shape != ev.received.shape or np.any(x == 0):
            continue
        for k in POWERS:
            if _agrees(ev.received / x**k, ev):
                return named(
                    "input_factor",
                    False,
                    f"{ev.name} looks like the right gradient times "
                    f"{name}{SUPERSCRIPT[k]}.",
                )
    return None


def _probed_swap(ev: Evidence) -> Diagnosis | None:
    for other, probes in ev.other_probes.items():
        if _agrees(ev.received, ev, probes):
            return named(
                "outputs_swapped", False, f"{ev.name} looks like the right {other}."
            )
    return None


def _probed_other(ev: Evidence) -> Diagnosis | None:
    r, want = ev.received, tuple(ev.shape)
    if r.ndim >= 2 and _swapped(r.shape) == want and _agrees(np.swapaxes(r, -1, -2), ev):
        return named("transpose", False, f"{ev.name} looks like the transpose.")
    if _broadcasts(want, r.shape) and _agrees(_unbroadcast(r, want), ev):
        return named("missing_sum", False, _missing_sum_message(ev))
    if r.size == int(np.prod(want)) and _agrees(r.reshape(want), ev):
        return named(
            "missing_reshape",
            False,
            f"{ev.name} has shape {r.shape}; reshaped to {want} it looks right.",
        )
    return None


_SAME_SHAPE = (
    _factor,
    _repeated_on_wrong_axis,
    _transposed,
    _permuted,
    _outputs_swapped,
    _local_derivative,
    _input_power,
    _forward_value,
    _summed_on_wrong_axes,
)
_OTHER_SHAPE = (_transposed, _permuted, _reshaped, _not_broadcast_back, _missing_sum)
_PROBED_SAME = (_probed_same, _probed_powers, _probed_swap, _forward_value)
_PROBED_OTHER = (_probed_other,)


# ---- helpers


def _right(ev: Evidence) -> bool:
    if ev.expected is None:
        return _agrees(ev.received, ev)
    return _close(ev.expected, ev.received, ev.tolerance)


def _close(candidate, received, tolerance: float) -> bool:
    """The grader's own rule for a right answer, applied to a candidate."""
    candidate = np.asarray(candidate, dtype=np.float64)
    if candidate.shape != received.shape or not np.all(np.isfinite(candidate)):
        return False
    if candidate.size == 0:
        return False
    scale = max(float(np.abs(candidate).max()), float(np.abs(received).max()))
    return float(np.abs(candidate - received).max()) <= tolerance * scale + ABSOLUTE


def _count(array: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(array) > ABSOLUTE))


def _certain(ev: Evidence) -> bool:
    return ev.expected is not None and min(
        _count(ev.expected), _count(ev.received)
    ) >= MIN_ENTRIES


def _factor_name(c: float, ev: Evidence) -> tuple[str, str]:
    """Name a constant: a parameter, an axis size (a batch size), 2 or 1/2."""
    slack = max(10 * ev.tolerance, 1e-9)
    for value, phrase, hint in _named_constants(ev):
        if abs(c - value) <= slack * abs(value):
            return phrase, hint
    return f"{c:.4g}", None


def _named_constants(ev: Evidence):
    for key, s in ev.params.items():
        if isinstance(s, (int, float)) and not isinstance(s, bool) and s not in (0, 1):
            yield s, f"{key} (= {s:g})", f"an extra factor {key}"
            yield 1 / s, f"1/{key} (= {1 / s:.4g})", f"a missing factor {key}"
            yield s * s, f"{key}² (= {s * s:.4g})", (
                f"a multiplication by {key} where the derivative divides by it"
            )
            yield 1 / (s * s), f"1/{key}² (= {1 / (s * s):.4g})", (
                f"a division by {key} where the derivative multiplies by it"
            )
    for size, owners in _axis_sizes(ev.inputs).items():
        yield size, f"{size}, the size of {owners}", (
            f"a missing division by {size}: a mean over that axis (a batch mean) "
            f"divides its gradient by {size}"
        )
        yield 1 / size, f"1/{size}, one over the size of {owners}", (
            f"a division by {size} too many: divide by the batch size exactly once"
        )
    yield 2.0, "2", "a term counted twice or a stray factor 2"
    yield 0.5, "1/2", "a missing factor 2 (for example the exponent the power rule "
    "brings down)"


def _axis_sizes(inputs: dict) -> dict:
    sizes: dict = {}
    for name, x in inputs.items():
        for axis, size in enumerate(np.shape(x)):
            if size > 1:
                sizes.setdefault(size, []).append(f"axis {axis} of {name}")
    return {size: " and ".join(where) for size, where in sizes.items()}


def _constant_axes(x: np.ndarray, tolerance: float) -> tuple[int, ...]:
    return tuple(
        axis
        for axis in range(x.ndim)
        if x.shape[axis] > 1
        and _close(np.broadcast_to(np.take(x, [0], axis=axis), x.shape), x, tolerance)
    )


def _core(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    for axis in axes:
        x = np.take(x, [0], axis=axis)
    return x.ravel()


def _permutation(ev: Evidence, order: tuple[int, ...]) -> Diagnosis:
    ndim = len(order)
    for key, p in ev.params.items():
        if _is_permutation(p, ndim):
            p = [axis % ndim for axis in p]
            if tuple(p[p[i]] for i in range(ndim)) == order:
                inverse = tuple(int(i) for i in np.argsort(p))
                return named(
                    "same_permutation",
                    _certain(ev),
                    f"{ev.name} is out_grad transposed with {key}={tuple(p)} once more; "
                    f"the inverse permutation {inverse} undoes the forward.",
                    f"Transpose out_grad with np.argsort({key}) = {inverse}.",
                )
    return named(
        "axes_permuted",
        _certain(ev),
        f"{ev.name} is the right gradient with its axes in the order {order}.",
    )


def _is_permutation(p, ndim: int) -> bool:
    return (
        isinstance(p, (tuple, list))
        and len(p) == ndim
        and all(isinstance(a, int) and not isinstance(a, bool) for a in p)
        and sorted(a % ndim for a in p) == list(range(ndim))
    )


def _output_shape(ev: Evidence) -> tuple | None:
    return None if ev.output is None else tuple(ev.output.shape)


def _broadcasts(small: tuple, big: tuple) -> bool:
    """Whether `small` broadcasts to exactly `big` (lined up from the right)."""
    small, big = tuple(small), tuple(big)
    if small == big or len(small) > len(big):
        return False
    tail = big[len(big) - len(small) :]
    return all(s in (1, b) for s, b in zip(small, tail))


def _stretched(small: tuple, big: tuple) -> tuple[int, ...]:
    offset = len(big) - len(small)
    return tuple(
        axis
        for axis, size in enumerate(big)
        if size != 1 and (axis < offset or small[axis - offset] == 1)
    )


def _unbroadcast(x: np.ndarray, shape: tuple) -> np.ndarray:
    x = x.sum(axis=tuple(range(x.ndim - len(shape))))
    stretched = tuple(a for a, n in enumerate(shape) if n == 1 and x.shape[a] != 1)
    return x.sum(axis=stretched, keepdims=True).reshape(shape)


def _subsets(ndim: int):
    for size in range(1, ndim + 1):
        yield from itertools.combinations(range(ndim), size)


def _swapped(shape: tuple) -> tuple:
    shape = tuple(shape)
    return shape[:-2] + (shape[-1], shape[-2]) if len(shape) >= 2 else shape


def _axes(axes: tuple[int, ...]) -> str:
    return str(axes[0]) if len(axes) == 1 else str(tuple(axes))


def _missing_sum_message(ev: Evidence) -> str:
    got, want = ev.received.shape, tuple(ev.shape)
    who = ev.variable or "the input"
    return (
        f"{ev.name} has shape {got}, the shape {who} takes after broadcasting; "
        f"summed over axis {_axes(_stretched(want, got))} (where {who} lacks the "
        f"axis or has size 1) it gives {want}."
    )


def _probe_ratio(ev: Evidence) -> float | None:
    if not ev.probes:
        return None
    direction, derivative, _ = ev.probes[0]
    claimed = float(np.sum(ev.received * direction))
    if derivative == 0 or claimed == 0:
        return None
    return claimed / derivative


def _agrees(candidate: np.ndarray, ev: Evidence, probes=None) -> bool:
    """Whether a candidate gradient passes every probe the case drew."""
    probes = ev.probes if probes is None else probes
    if not probes or candidate.shape != tuple(ev.shape):
        return False
    for direction, derivative, scale in probes:
        gap = abs(float(np.sum(candidate * direction)) - derivative)
        size = np.sqrt((scale**2 + float(np.sum(candidate**2))) / 2)
        if not size or gap / size > ev.tolerance:
            return False
    return True
