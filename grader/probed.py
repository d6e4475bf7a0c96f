"""Hypotheses for a large case, which has random probes instead of an exact
answer.

The student's answer is transformed back (minus, a fitted factor, a
transpose, times out_grad, over a power of an input, summed or reshaped to
the input's shape) and the result is checked against every probe. A match
through two random directions is strong evidence, but it reproduces no
exact answer, so it is only ever likely.
"""

import numpy as np

from grader.evidence import (
    Evidence,
    agrees,
    broadcasts,
    probe_ratio,
    swapped,
    unbroadcast,
)
from grader.mistakes import Diagnosis, named
from grader.wording import factor_name, missing_sum_message

# powers of an input that a misremembered derivative puts in or leaves out
POWERS = (1, 2, -1, -2)
SUPERSCRIPT = {1: "", 2: "²", -1: "⁻¹", -2: "⁻²"}


def probed_same(ev: Evidence) -> Diagnosis | None:
    r, name = ev.received, ev.name
    ratio = probe_ratio(ev)
    if ratio is not None and agrees(r / ratio, ev):
        if abs(ratio + 1) < 1e-3:
            return named("sign_flip", False, f"{name} looks like minus the gradient.")
        phrase, hint = factor_name(ratio, ev)
        return named(
            "constant_factor",
            False,
            f"{name} looks like the right gradient times {phrase}.",
            f"Look for {hint}.",
        )
    if (
        r.ndim >= 2
        and swapped(r.shape) == r.shape
        and agrees(np.swapaxes(r, -1, -2), ev)
    ):
        return named("transpose", False, f"{name} looks like the transpose.")
    g = ev.out_grad
    if g is not None and g.shape == r.shape and agrees(r * g, ev):
        return named(
            "ignores_out_grad",
            False,
            f"{name} times out_grad looks like the right gradient: out_grad is "
            "never multiplied in.",
        )
    return None


def probed_powers(ev: Evidence) -> Diagnosis | None:
    for name, x in ev.inputs.items():
        if x.shape != ev.received.shape or np.any(x == 0):
            continue
        for k in POWERS:
            if agrees(ev.received / x**k, ev):
                return named(
                    "input_factor",
                    False,
                    f"{ev.name} looks like the right gradient times "
                    f"{name}{SUPERSCRIPT[k]}.",
                )
    return None


def probed_swap(ev: Evidence) -> Diagnosis | None:
    for other, probes in ev.other_probes.items():
        if agrees(ev.received, ev, probes):
            return named(
                "outputs_swapped", False, f"{ev.name} looks like the right {other}."
            )
    return None


def probed_other(ev: Evidence) -> Diagnosis | None:
    r, want = ev.received, tuple(ev.shape)
    if r.ndim >= 2 and swapped(r.shape) == want and agrees(np.swapaxes(r, -1, -2), ev):
        return named("transpose", False, f"{ev.name} looks like the transpose.")
    if broadcasts(want, r.shape) and agrees(unbroadcast(r, want), ev):
        return named("missing_sum", False, missing_sum_message(ev))
    if r.size == int(np.prod(want)) and agrees(r.reshape(want), ev):
        return named(
            "missing_reshape",
            False,
            f"{ev.name} has shape {r.shape}; reshaped to {want} it looks right.",
        )
    return None


SAME_SHAPE = (probed_same, probed_powers, probed_swap)
OTHER_SHAPE = (probed_other,)
