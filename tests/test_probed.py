"""Large cases have probes, not an exact answer: a match is at most likely."""

import numpy as np
from conftest import evidence

from grader import transforms

RNG = np.random.default_rng(3)
EXACT = RNG.standard_normal((40, 40))
PROBES = tuple(
    (u, float(np.sum(EXACT * u)), float(np.linalg.norm(EXACT)))
    for u in (RNG.standard_normal((40, 40)) for _ in range(2))
)


def kind_and_confidence(received, **fields):
    found = transforms.explain(evidence(EXACT, received, probes=PROBES, **fields))
    return None if found is None else (found.kind, found.confidence)


def test_probes_alone_make_a_match_likely():
    assert kind_and_confidence(EXACT.T) == ("transpose", "likely")
    assert kind_and_confidence(3 * EXACT) == ("constant_factor", "likely")
    assert kind_and_confidence(-EXACT) == ("sign_flip", "likely")


def test_a_power_of_an_input_and_a_missing_out_grad_are_seen_through_probes():
    a = RNG.uniform(0.5, 2, (40, 40))
    assert kind_and_confidence(EXACT * a**2, inputs={"a": a}) == (
        "input_factor",
        "likely",
    )
    g = RNG.uniform(0.5, 2, (40, 40))
    assert kind_and_confidence(EXACT / g, out_grad=g) == ("ignores_out_grad", "likely")


def test_a_wrong_shape_is_summed_or_reshaped_back_before_the_probes():
    stacked = np.stack([EXACT * 0.25] * 4)
    assert kind_and_confidence(stacked) == ("missing_sum", "likely")
    assert kind_and_confidence(EXACT.ravel()) == ("missing_reshape", "likely")


def test_an_unrelated_answer_matches_nothing():
    assert kind_and_confidence(RNG.standard_normal((40, 40))) is None
    assert kind_and_confidence(EXACT) is None  # right after all
