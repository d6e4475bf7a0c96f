import json

from grader.results import results_dict, write_results


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
