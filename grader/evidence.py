"""What is known about the failing output of one case, and how to compare
a candidate answer with it.

A candidate matches when the grader's own rule for a right answer accepts
it: within the case's tolerance of the student's answer (`close`), or, for
a large case, through every random probe the case drew (`agrees`). The
shape helpers line shapes up from the right, as NumPy broadcasting does.
"""

import itertools
from dataclasses import dataclass

import numpy as np

# slack for entries that are exactly zero on both sides, as in check.py
ABSOLUTE = 1e-12
# one number is always a multiple of another: a pattern needs two entries
MIN_ENTRIES = 2


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


def right_answer(ev: Evidence) -> bool:
    """Whether the answer is right after all: then there is nothing to name."""
    if ev.expected is None:
        return agrees(ev.received, ev)
    return close(ev.expected, ev.received, ev.tolerance)


def close(candidate, received, tolerance: float) -> bool:
    """The grader's own rule for a right answer, applied to a candidate."""
    candidate = np.asarray(candidate, dtype=np.float64)
    if candidate.shape != received.shape or not np.all(np.isfinite(candidate)):
        return False
    if candidate.size == 0:
        return False
    scale = max(float(np.abs(candidate).max()), float(np.abs(received).max()))
    return float(np.abs(candidate - received).max()) <= tolerance * scale + ABSOLUTE


def count(array: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(array) > ABSOLUTE))


def certain(ev: Evidence) -> bool:
    return (
        ev.expected is not None
        and min(count(ev.expected), count(ev.received)) >= MIN_ENTRIES
    )


def agrees(candidate: np.ndarray, ev: Evidence, probes=None) -> bool:
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


def probe_ratio(ev: Evidence) -> float | None:
    if not ev.probes:
        return None
    direction, derivative, _ = ev.probes[0]
    claimed = float(np.sum(ev.received * direction))
    if derivative == 0 or claimed == 0:
        return None
    return claimed / derivative


def broadcasts(small: tuple, big: tuple) -> bool:
    """Whether `small` broadcasts to exactly `big` (lined up from the right)."""
    small, big = tuple(small), tuple(big)
    if small == big or len(small) > len(big):
        return False
    tail = big[len(big) - len(small) :]
    return all(s in (1, b) for s, b in zip(small, tail))


def stretched(small: tuple, big: tuple) -> tuple[int, ...]:
    offset = len(big) - len(small)
    return tuple(
        axis
        for axis, size in enumerate(big)
        if size != 1 and (axis < offset or small[axis - offset] == 1)
    )


def unbroadcast(x: np.ndarray, shape: tuple) -> np.ndarray:
    x = x.sum(axis=tuple(range(x.ndim - len(shape))))
    stretched = tuple(a for a, n in enumerate(shape) if n == 1 and x.shape[a] != 1)
    return x.sum(axis=stretched, keepdims=True).reshape(shape)


def subsets(ndim: int):
    for size in range(1, ndim + 1):
        yield from itertools.combinations(range(ndim), size)


def swapped(shape: tuple) -> tuple:
    shape = tuple(shape)
    return shape[:-2] + (shape[-1], shape[-2]) if len(shape) >= 2 else shape


def constant_axes(x: np.ndarray, tolerance: float) -> tuple[int, ...]:
    return tuple(
        axis
        for axis in range(x.ndim)
        if x.shape[axis] > 1
        and close(np.broadcast_to(np.take(x, [0], axis=axis), x.shape), x, tolerance)
    )


def core(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    for axis in axes:
        x = np.take(x, [0], axis=axis)
    return x.ravel()
