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

import numpy as np

from grader import probed
from grader.evidence import (
    ABSOLUTE,
    MIN_ENTRIES,
    Evidence,
    broadcasts,
    certain,
    close,
    constant_axes,
    core,
    count,
    right_answer,
    stretched,
    subsets,
    swapped,
    unbroadcast,
)
from grader.mistakes import Diagnosis, named
from grader.probed import POWERS, SUPERSCRIPT
from grader.wording import axes_text, factor_name, missing_sum_message

__all__ = ["Evidence", "explain", "guess_from_shapes"]


def explain(evidence: Evidence) -> Diagnosis | None:
    """The first certain match, else the first likely one, else None."""
    same = evidence.received.shape == tuple(evidence.shape)
    if same and right_answer(evidence):
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
    if len(got) >= 2 and got == swapped(want):
        return named(
            "transpose", False, f"{name} has shape {got}, the transpose of {want}."
        )
    if broadcasts(want, got):
        return named("missing_sum", False, missing_sum_message(evidence))
    if evidence.output is not None and got == evidence.output.shape:
        return named(
            "output_shape",
            False,
            f"{name} has shape {got}, the shape of the output, instead of {want}.",
        )
    return None


def _factor(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    if not np.any(np.abs(e) > ABSOLUTE):
        return None
    if not np.any(np.abs(r) > ABSOLUTE):
        return named(
            "all_zeros",
            count(e) >= MIN_ENTRIES,
            f"{ev.name} is zero everywhere, but the right gradient is not "
            f"(its largest entry is {np.abs(e).max():.3g}).",
        )
    c = float(np.sum(r * e) / np.sum(e * e))
    if not close(c * e, r, ev.tolerance):
        return None
    if close(-e, r, ev.tolerance):
        return named(
            "sign_flip",
            certain(ev),
            f"{ev.name} is exactly minus the right gradient.",
        )
    phrase, hint = factor_name(c, ev)
    if hint is None and not certain(ev):
        return None  # a single number is always some multiple of another
    return named(
        "constant_factor",
        certain(ev),
        f"{ev.name} is the right gradient times {phrase}.",
        f"Look for {hint or 'a constant that is missing or extra'}.",
    )


def _repeated_on_wrong_axis(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    want, got = constant_axes(e, ev.tolerance), constant_axes(r, ev.tolerance)
    if not want or not got or want == got:
        return None
    core_e, core_r = core(e, want), core(r, got)
    if core_e.size != core_r.size or not close(core_e, core_r, ev.tolerance):
        return None
    return named(
        "wrong_axis",
        certain(ev),
        f"{ev.name} repeats out_grad's values along axis {axes_text(got)}, but "
        f"the right gradient repeats them along axis {axes_text(want)}.",
        f"Put the reduced axes {axes_text(want)} back into out_grad as size-1 "
        "axes (np.expand_dims) before broadcasting to the input's shape.",
    )


def _transposed(ev: Evidence) -> Diagnosis | None:
    e = ev.expected
    if e.ndim < 2 or swapped(e.shape) != ev.received.shape:
        return None
    if not close(np.swapaxes(e, -1, -2), ev.received, ev.tolerance):
        return None
    which = "" if e.ndim == 2 else " in every batch (its last two axes are swapped)"
    return named(
        "transpose",
        certain(ev),
        f"{ev.name} is the transpose of the right gradient{which}.",
    )


def _permuted(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    if e.ndim < 3 or e.ndim > 6 or sorted(e.shape) != sorted(r.shape):
        return None
    for order in itertools.permutations(range(e.ndim)):
        if order in (tuple(range(e.ndim)), swapped(tuple(range(e.ndim)))):
            continue
        moved = np.transpose(e, order)
        if moved.shape == r.shape and close(moved, r, ev.tolerance):
            return _permutation(ev, order)
    return None


def _outputs_swapped(ev: Evidence) -> Diagnosis | None:
    for other, exact in ev.others.items():
        if exact.shape == ev.received.shape and close(exact, ev.received, ev.tolerance):
            return named(
                "outputs_swapped",
                certain(ev),
                f"{ev.name} equals the right {other}.",
            )
    return None


def _local_derivative(ev: Evidence) -> Diagnosis | None:
    g = ev.out_grad
    if g is None or g.shape != ev.expected.shape or not np.all(g != 0):
        return None
    if not close(ev.expected / g, ev.received, ev.tolerance):
        return None
    return named(
        "ignores_out_grad",
        certain(ev),
        f"{ev.name} times out_grad is the right gradient: it is the local "
        "derivative alone, never multiplied by out_grad.",
    )


def _forward_value(ev: Evidence) -> Diagnosis | None:
    f, g, r = ev.output, ev.out_grad, ev.received
    if f is None or f.shape != r.shape:
        return None
    if close(f, r, ev.tolerance):
        message = f"{ev.name} is the forward's output itself."
    elif g is not None and g.shape == f.shape and close(g * f, r, ev.tolerance):
        message = (
            f"{ev.name} is out_grad times the forward's output; the chain rule "
            "needs out_grad times the forward's derivative."
        )
    else:
        return None
    return named("forward_value", count(r) >= MIN_ENTRIES, message)


def _input_power(ev: Evidence) -> Diagnosis | None:
    for name, x in ev.inputs.items():
        if x.shape != ev.received.shape or x.dtype.kind != "f":
            continue
        for k in POWERS:
            if k < 0 and np.any(x == 0):
                continue
            if close(ev.expected * x**k, ev.received, ev.tolerance):
                return named(
                    "input_factor",
                    certain(ev),
                    f"{ev.name} is the right gradient times {name}{SUPERSCRIPT[k]}, "
                    "entry by entry.",
                )
    return None


def _summed_on_wrong_axes(ev: Evidence) -> Diagnosis | None:
    full, want = _output_shape(ev), tuple(ev.shape)
    if full is None or full == want or not broadcasts(want, full):
        return None
    form = ev.broadcast_form(full)
    if form is None:
        return None
    right = stretched(want, full)
    for axes in subsets(len(full)):
        summed = form.sum(axis=axes)
        if axes == right or summed.size != ev.received.size:
            continue
        candidate = summed.reshape(ev.received.shape)
        if close(candidate, ev.expected, ev.tolerance):
            continue
        if close(candidate, ev.received, ev.tolerance):
            return named(
                "wrong_axis",
                certain(ev),
                f"{ev.name} sums out_grad (shape {full}) over axis "
                f"{axes_text(axes)}, but {ev.variable} was broadcast along axis "
                f"{axes_text(right)}.",
                "Line the shapes up from the right: the axes to sum are the ones "
                f"{ev.variable} lacks at the front and those where it has size 1.",
            )
    return None


def _reshaped(ev: Evidence) -> Diagnosis | None:
    e, r = ev.expected, ev.received
    if e.size != r.size or not close(e.reshape(r.shape), r, ev.tolerance):
        return None
    fix = f"Reshape it to {ev.variable or 'the input'}'s shape {tuple(ev.shape)}."
    if ev.output is not None and r.shape == ev.output.shape:
        return named(
            "output_shape",
            certain(ev),
            f"{ev.name} has the right values in row-major order, but the output's "
            f"shape {r.shape} instead of {tuple(ev.shape)}.",
            fix,
        )
    return named(
        "missing_reshape",
        certain(ev),
        f"{ev.name} has the right values, but shape {r.shape} instead of "
        f"{tuple(ev.shape)}.",
        fix,
    )


def _not_broadcast_back(ev: Evidence) -> Diagnosis | None:
    r, want = ev.received, tuple(ev.shape)
    if ev.output is None or r.shape != ev.output.shape or not broadcasts(r.shape, want):
        return None
    if not close(np.broadcast_to(r, want), ev.expected, ev.tolerance):
        return None
    return named(
        "output_shape",
        certain(ev) or count(ev.expected) >= MIN_ENTRIES,
        f"{ev.name} has the output's shape {r.shape}; the right gradient is it "
        f"repeated over {ev.variable}'s shape {want}.",
        f"Broadcast it back to {want}, re-inserting any reduced axes first.",
    )


def _missing_sum(ev: Evidence) -> Diagnosis | None:
    r, want = ev.received, tuple(ev.shape)
    if not broadcasts(want, r.shape):
        return None
    form = ev.broadcast_form(r.shape)
    if form is not None and close(form, r, ev.tolerance):
        return named("missing_sum", certain(ev), missing_sum_message(ev))
    if close(unbroadcast(r, want), ev.expected, ev.tolerance):
        return named("missing_sum", False, missing_sum_message(ev))
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


_PROBED_SAME = (*probed.SAME_SHAPE, _forward_value)


_PROBED_OTHER = probed.OTHER_SHAPE


def _permutation(ev: Evidence, order: tuple[int, ...]) -> Diagnosis:
    ndim = len(order)
    for key, p in ev.params.items():
        if _is_permutation(p, ndim):
            p = [axis % ndim for axis in p]
            if tuple(p[p[i]] for i in range(ndim)) == order:
                inverse = tuple(int(i) for i in np.argsort(p))
                return named(
                    "same_permutation",
                    certain(ev),
                    f"{ev.name} is out_grad transposed with {key}={tuple(p)} once "
                    f"more; the inverse permutation {inverse} undoes the forward.",
                    f"Transpose out_grad with np.argsort({key}) = {inverse}.",
                )
    return named(
        "axes_permuted",
        certain(ev),
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
