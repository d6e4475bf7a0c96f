"""Naming a constant factor in the words of the lecture."""

import numpy as np
import pytest
from conftest import evidence

from grader.wording import axes_text, factor_name


@pytest.mark.parametrize(
    "factor, params, inputs, phrase",
    [
        (2.0, {}, {}, "2"),
        (0.5, {}, {}, "1/2"),
        (8.0, {}, {"logits": np.zeros((8, 5))}, "8, the size of axis 0 of logits"),
        (0.125, {}, {"X": np.zeros((8, 5))}, "1/8, one over the size of axis 0 of X"),
        (-2.5, {"scalar": -2.5}, {}, "scalar (= -2.5)"),
        (-0.4, {"scalar": -2.5}, {}, "1/scalar (= -0.4)"),
        (16.0, {"scalar": 4.0}, {}, "scalar² (= 16)"),
    ],
)
def test_a_factor_is_named_by_what_it_most_likely_is(factor, params, inputs, phrase):
    ev = evidence(np.ones(3), np.ones(3), params=params, inputs=inputs)
    named, hint = factor_name(factor, ev)
    assert named == phrase and hint


def test_an_unknown_factor_is_shown_without_a_hint():
    assert factor_name(1.37, evidence(np.ones(3), np.ones(3))) == ("1.37", None)


def test_axes_read_as_one_axis_or_a_tuple():
    assert (axes_text((1,)), axes_text((0, 2))) == ("1", "(0, 2)")
