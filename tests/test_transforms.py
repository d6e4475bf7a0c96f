"""Transformations of the exact answer: each names what it reproduces, and
an answer that no transformation reproduces is never called certain."""

import itertools

import numpy as np
import pytest
from conftest import evidence

from grader import transforms

RNG = np.random.default_rng(0)


def explain(*args, **fields):
    found = transforms.explain(evidence(*args, **fields))
    return None if found is None else (found.kind, found.confidence, found.message)


@pytest.mark.parametrize("seed", range(200))
def test_an_unrelated_wrong_answer_is_never_certain(seed):
    rng = np.random.default_rng(seed)
    shape = [(3, 3), (2, 3, 4), (5,), (4, 4)][seed % 4]
    a, g = rng.uniform(0.5, 2, shape), rng.standard_normal(shape)
    expected = g / a
    received = expected + 0.3 * rng.standard_normal(shape)
    found = transforms.explain(
        evidence(expected, received, inputs={"a": a}, out_grad=g, output=np.log(a))
    )
    assert found is None or found.confidence != "certain"


def test_one_wrong_entry_is_no_pattern():
    expected = RNG.standard_normal((3, 4))
    received = expected.copy()
    received[1, 2] += 0.5
    assert explain(expected, received) is None


@pytest.mark.parametrize(
    "factor, params, inputs, words",
    [
        (2.0, {}, {}, "times 2."),
        (0.5, {}, {}, "times 1/2."),
        (
            8.0,
            {},
            {"logits": np.zeros((8, 5))},
            "times 8, the size of axis 0 of logits",
        ),
        (-2.5, {"scalar": -2.5}, {}, "times scalar (= -2.5)"),
        (1.37, {}, {}, "times 1.37."),
    ],
)
def test_a_constant_factor_is_named(factor, params, inputs, words):
    expected = RNG.standard_normal((3, 4))
    kind, confidence, message = explain(
        expected, factor * expected, params=params, inputs=inputs
    )
    assert (kind, confidence) == ("constant_factor", "certain") and words in message


def test_a_float32_answer_is_matched_at_its_own_precision():
    expected = RNG.standard_normal((3, 4))
    received = (-expected).astype(np.float32).astype(np.float64)
    assert explain(expected, received, tolerance=1e-3)[:2] == ("sign_flip", "certain")


@pytest.mark.parametrize(
    "axes", [p for n in (3, 4) for p in itertools.permutations(range(n))]
)
def test_same_permutation_is_named_only_when_it_is_the_forward_one(axes):
    g = RNG.standard_normal(tuple(range(2, 2 + len(axes))))
    expected = np.transpose(g, np.argsort(axes))
    received = np.transpose(g, axes)
    found = explain(expected, received, params={"axes": axes})
    if received.shape == expected.shape and np.allclose(received, expected):
        assert found is None  # axes is its own inverse: the answer is right
    else:
        kind = "transpose" if found[0] == "transpose" else "same_permutation"
        assert found[:2] == (kind, "certain")
        assert kind == "same_permutation" or len(axes) > 2


def test_shapes_alone_make_a_guess_likely():
    found = transforms.guess_from_shapes(evidence(np.zeros((3, 4)), np.zeros((4, 3))))
    assert (found.kind, found.confidence) == ("transpose", "likely")
    assert transforms.guess_from_shapes(evidence(np.zeros(3), np.zeros(3))) is None
