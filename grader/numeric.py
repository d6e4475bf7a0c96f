"""Numeric derivatives of a trusted forward, in float64, by central differences.

For a forward f and upstream gradient G, the scalar L(x) = <G, f(x)> has
gradient J(x)ᵀG, the VJP a student returns. Small inputs get the whole
gradient, one element at a time; large inputs get random-direction probes,
comparing <vjp, U> with the directional derivative <G, J U>, which costs two
forward evaluations per probe at any size.
"""

from dataclasses import dataclass

import numpy as np

# central differences at 2^-20: truncation ~1e-12 and rounding ~1e-10 relative
# on the O(1) inputs cases draw; measured noise on correct code stays < 1e-9
STEP = 2.0**-20


@dataclass(frozen=True)
class Probe:
    """One random-direction comparison of a gradient with the forward."""

    directions: tuple  # U_i, one per input checked
    derivative: float  # <G, J U> by central differences
    scale: float  # |J U|, the size the derivative has for a random G


class Objective:
    """L(x) = <G, f(x)>, with the inputs being checked as variables."""

    def __init__(self, forward, args: list, wrt: list[int], out_grad=None):
        self.forward = forward
        self.args = [
            np.asarray(a, dtype=np.float64) if _is_float(a) else a for a in args
        ]
        self.wrt = wrt
        self.out_grad = None if out_grad is None else np.asarray(out_grad, np.float64)

    def output(self, moved: dict | None = None) -> np.ndarray:
        """f at the inputs, with some of them replaced."""
        args = list(self.args)
        for position, value in (moved or {}).items():
            args[position] = value
        return np.asarray(self.forward(*args), dtype=np.float64)

    def weigh(self, change: np.ndarray) -> float:
        """<G, change>: differences are taken before the sum, so they stay exact
        where the output did not move."""
        return float(
            np.sum(change if self.out_grad is None else self.out_grad * change)
        )

    def variable(self, i: int) -> np.ndarray:
        return self.args[self.wrt[i]]


def numerical_vjp(objective: Objective, step: float = STEP) -> list[np.ndarray]:
    """The full gradient of L for each checked input, element by element."""
    gradients = []
    for i, position in enumerate(objective.wrt):
        x = objective.variable(i)
        gradient = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            plus, minus = x.copy(), x.copy()
            plus[index] += step
            minus[index] -= step
            change = objective.output({position: plus}) - objective.output(
                {position: minus}
            )
            gradient[index] = objective.weigh(change) / (2 * step)
        gradients.append(gradient)
    return gradients


def probe(objective: Objective, rng: np.random.Generator, step: float = STEP) -> Probe:
    """The directional derivative along a standard normal direction."""
    directions = tuple(
        rng.standard_normal(objective.variable(i).shape)
        for i in range(len(objective.wrt))
    )
    return directional(objective, directions, step)


def directional(objective: Objective, directions: tuple, step: float = STEP) -> Probe:
    """<G, J U> and |J U| for the given directions U."""
    moves = [step * d for d in directions]  # once for both sides: large inputs
    plus = {p: objective.variable(i) + moves[i] for i, p in enumerate(objective.wrt)}
    minus = {p: objective.variable(i) - moves[i] for i, p in enumerate(objective.wrt)}
    change = (objective.output(plus) - objective.output(minus)) / (2 * step)
    return Probe(directions, objective.weigh(change), float(np.linalg.norm(change)))


def numerical_jacobian(forward, x: np.ndarray, step: float = STEP) -> np.ndarray:
    """The full Jacobian in denominator layout: shape x.shape + out.shape."""
    x = np.asarray(x, dtype=np.float64)
    out_shape = np.shape(forward(x))
    jacobian = np.zeros(x.shape + out_shape)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        jacobian[index] = (np.asarray(forward(plus)) - np.asarray(forward(minus))) / (
            2 * step
        )
    return jacobian


def _is_float(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"
