"""Comparing a candidate with the student's answer, by the grader's own rule,
and lining shapes up from the right."""

import numpy as np
import pytest
from conftest import evidence

from grader.evidence import agrees, broadcasts, close, stretched, unbroadcast


def test_close_is_the_graders_rule_for_a_right_answer():
    x = np.array([1.0, -2.0, 0.0])
    assert close(x * (1 + 1e-8), x, 1e-6)
    assert not close(x * (1 + 1e-4), x, 1e-6)
    assert not close(x[:2], x, 1e-6)
    assert not close(np.array([np.nan, 0, 0]), x, 1e-6)


def test_agrees_checks_a_candidate_through_every_probe():
    rng = np.random.default_rng(1)
    exact = rng.standard_normal((30, 30))
    probes = tuple(
        (u, float(np.sum(exact * u)), float(np.linalg.norm(exact)))
        for u in (rng.standard_normal((30, 30)) for _ in range(2))
    )
    ev = evidence(exact, exact, probes=probes)
    assert agrees(exact, ev) and not agrees(exact * 1.01, ev)


@pytest.mark.parametrize(
    "small, big, expected",
    [
        ((3,), (2, 3), True),
        ((3, 1), (3, 3), True),
        ((3,), (3, 2), False),
        ((2,), (2,), False),
    ],
)
def test_broadcasting_lines_shapes_up_from_the_right(small, big, expected):
    assert broadcasts(small, big) is expected


def test_the_stretched_axes_are_the_ones_to_sum():
    assert stretched((3, 1), (2, 3, 4)) == (0, 2)
    assert stretched((1, 4), (1, 3, 4)) == (1,)
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(
        unbroadcast(x, (3, 1)), x.sum(axis=0).sum(axis=1, keepdims=True)
    )
