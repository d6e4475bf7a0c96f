"""The kinds a diagnosis can name: words for every kind, and nothing from a
case left in what a hidden case shows."""

import re

import pytest

from grader.mistakes import KINDS, Diagnosis, for_hidden_case, named


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_sentence_and_a_next_step(kind):
    words = KINDS[kind]
    assert words.summary.endswith(".") and words.next_step.endswith(".")
    assert re.match(r"[A-Z]", words.summary) and re.match(r"[A-Z]", words.next_step)


def test_a_diagnosis_falls_back_on_its_kinds_words():
    diagnosis = named("sign_flip", True)
    assert diagnosis == Diagnosis(
        "sign_flip", "certain", KINDS["sign_flip"].summary, KINDS["sign_flip"].next_step
    )
    assert named("sign_flip", False, "grad_a is minus it.").confidence == "likely"


def test_an_unknown_kind_is_a_grader_fault():
    with pytest.raises(KeyError, match="unknown diagnosis kind 'typo'"):
        named("typo", True)


def test_a_hidden_case_keeps_the_kind_but_not_the_numbers():
    public = named(
        "constant_factor", True, "grad_a is the right gradient times 8.", "Divide by 8."
    )
    hidden = for_hidden_case(public)
    assert (hidden.kind, hidden.confidence) == ("constant_factor", "certain")
    assert "8" not in hidden.message + hidden.next_step
    assert for_hidden_case(None) is None
