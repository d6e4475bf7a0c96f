"""Grading the grader: a variant is judged against what it declares, and the
hit rate counts the failing variants that got their diagnosis."""

from pathlib import Path

from grader.check import CaseResult
from grader.mistakes import named
from grader.mutants import Mutant
from grader.score import ProblemResult, SubmissionResult
from grader.selftest import hit_rate, variant_row, variant_table


def mutant(must_fail=("exp",), diagnosis=None):
    diagnosis = {"exp": ("ignores_out_grad",)} if diagnosis is None else diagnosis
    return Mutant(
        "exp_variant", "A variant.", tuple(must_fail), diagnosis, "", Path("x")
    )


def graded(*diagnoses, lost=("exp",)):
    cases = tuple(
        CaseResult(
            name=f"c{i}", hidden=False, passed=False, message="wrong", diagnosis=d
        )
        for i, d in enumerate(diagnoses)
    ) or (CaseResult(name="c", hidden=False, passed=True, message="passed"),)
    problems = (
        ProblemResult("exp", "Exponential", 0.0 if "exp" in lost else 3.0, 3.0, cases),
        ProblemResult("log", "Logarithm", 0.0 if "log" in lost else 3.0, 3.0, ()),
    )
    return SubmissionResult("hw1", "hw1", "x", 0, 6, 0, False, problems)


def test_a_variant_that_gets_its_declared_diagnosis_behaves():
    row = variant_row("hw1", mutant(), graded(named("ignores_out_grad", True), None))
    assert row.ok and row.hit and row.declared


def test_a_missing_diagnosis_is_a_surprise():
    row = variant_row("hw1", mutant(), graded(None, named("sign_flip", False)))
    assert not row.hit
    assert row.surprises == ("exp: never diagnosed ignores_out_grad (got sign_flip)",)


def test_a_certain_diagnosis_the_variant_does_not_declare_is_a_surprise():
    row = variant_row(
        "hw1",
        mutant(),
        graded(named("ignores_out_grad", True), named("transpose", True)),
    )
    assert row.hit and not row.ok
    assert "diagnosed transpose as certain" in row.surprises[0]


def test_no_kind_fits_allows_only_likely_diagnoses():
    declared_none = mutant(diagnosis={"exp": ()})
    assert variant_row("hw1", declared_none, graded(named("sign_flip", False))).ok
    assert not variant_row("hw1", declared_none, graded(named("sign_flip", True))).ok


def test_points_lost_or_kept_against_the_declaration_are_surprises():
    row = variant_row("hw1", mutant(), graded(lost=("log",)))
    assert row.surprises[0] == "exp kept full marks, but the variant must fail it"


def test_the_table_ends_with_the_hit_rate():
    rows = [
        variant_row("hw1", mutant(), graded(named("ignores_out_grad", True))),
        variant_row("hw1", mutant(), graded(None)),
        variant_row("hw1", mutant(diagnosis={"exp": ()}), graded(None)),
    ]
    assert hit_rate(rows) == (
        "diagnosis: 1 of 2 failing variants got the declared diagnosis (50 %); "
        "1 declare that no kind fits; 0 diagnosed wrongly as certain"
    )
    lines = variant_table(rows)
    assert "ignores_out_grad -> ignores_out_grad (certain)" in lines[1]
    assert lines[-1] == hit_rate(rows)
