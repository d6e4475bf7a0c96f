import json

import pytest
from conftest import ROOT, Document, copy_assignment

from grader.assignment import load_assignment
from grader.report import render_report
from grader.results import results_dict, write_results
from grader.score import as_shown, grade_submission


def test_results_file_has_the_documented_schema(reference_result, tmp_path):
    path = write_results(reference_result, tmp_path)
    data = json.loads(path.read_text())
    assert {
        "schema_version",
        "assignment",
        "title",
        "submission",
        "score",
        "max_score",
        "seed",
        "hidden_ran",
        "public_only",
        "problems",
    } <= set(data)
    assert (data["assignment"], data["score"], data["max_score"]) == ("hw1", 100, 100)
    problem = data["problems"][0]
    assert {
        "id",
        "title",
        "score",
        "max_score",
        "cases",
        "cases_passed",
        "cases_total",
    } <= set(problem)
    case = problem["cases"][0]
    assert {
        "name",
        "hidden",
        "passed",
        "message",
        "shapes",
        "params",
        "method",
        "tolerance",
        "max_abs_error",
        "max_rel_error",
        "worst",
        "diagnosis",
        "error_map",
    } <= set(case)
    assert (case["diagnosis"], case["error_map"]) == (None, None)


def test_a_failed_case_carries_its_diagnosis_and_error_map(
    hw1_public, mutant_submission
):
    from grader.score import grade_submission

    result = grade_submission(hw1_public, mutant_submission("negate_forgets_minus"))
    negate = next(p for p in results_dict(result)["problems"] if p["id"] == "negate")
    case = negate["cases"][0]
    assert case["diagnosis"] == {
        "kind": "sign_flip",
        "confidence": "certain",
        "message": "grad_a is exactly minus the right gradient.",
        "next_step": case["diagnosis"]["next_step"],
    }
    assert case["error_map"]["output"] == "grad_a"
    assert case["error_map"]["shape"] == [3, 4]
    json.dumps(results_dict(result), allow_nan=False)


def test_hidden_cases_carry_no_inputs_in_the_results(reference_result):
    data = results_dict(reference_result)
    hidden = [c for p in data["problems"] for c in p["cases"] if c["hidden"]]
    assert hidden
    assert all(
        c["shapes"] == {} and c["params"] == {} and c["worst"] is None for c in hidden
    )


def test_non_finite_numbers_become_null(reference_result):
    import dataclasses

    problem = reference_result.problems[0]
    case = dataclasses.replace(problem.cases[0], max_rel_error=float("inf"))
    result = dataclasses.replace(
        reference_result, problems=(dataclasses.replace(problem, cases=(case,)),)
    )
    assert results_dict(result)["problems"][0]["cases"][0]["max_rel_error"] is None


# ---- what the spec lets students see of hidden cases -------------------------

WRONG_SQUARE = "\n\ndef square_backward(out_grad, x):\n    return 3 * x * out_grad\n"


def graded_with(visibility: str, tmp_path):
    folder = copy_assignment(tmp_path)
    spec = folder / "assignment.yaml"
    spec.write_text(spec.read_text() + f"hidden_visibility: {visibility}\n")
    assignment = load_assignment(folder, hidden=True)
    student = tmp_path / "student"
    student.mkdir()
    solution = (ROOT / "solutions" / "warmup" / "warmup.py").read_text()
    (student / "warmup.py").write_text(solution + WRONG_SQUARE)
    result = grade_submission(assignment, student)
    return assignment, as_shown(result, visibility)


def square(data: dict) -> dict:
    return next(p for p in data["problems"] if p["id"] == "square")


@pytest.mark.parametrize("visibility", ["verdicts", "full"])
def test_hidden_cases_are_listed_with_or_without_their_inputs(visibility, tmp_path):
    assignment, result = graded_with(visibility, tmp_path)
    (hidden,) = [c for c in square(results_dict(result))["cases"] if c["hidden"]]
    assert not hidden["passed"] and square(results_dict(result))["withheld"] == [0, 0]
    if visibility == "full":
        assert hidden["shapes"] == {"out_grad": [40, 40], "x": [40, 40]}
        assert "inputs are not shown" not in hidden["message"]
    else:
        assert hidden["shapes"] == {} and hidden["worst"] is None
        assert hidden["message"].endswith("(hidden case: its inputs are not shown)")


def test_totals_count_hidden_cases_without_listing_them(tmp_path):
    assignment, result = graded_with("totals", tmp_path)
    problem = square(results_dict(result))
    assert not any(c["hidden"] for c in problem["cases"])
    assert problem["withheld"] == [0, 1]
    assert problem["cases_total"] == len(problem["cases"]) + 1
    assert problem["cases_passed"] == sum(c["passed"] for c in problem["cases"])
    text = " ".join(" ".join(Document(render_report(result, assignment)).text).split())
    assert "1 hidden cases: 0 passed (not listed one by one)" in text
    assert "counted in each problem's total but not listed" in text
