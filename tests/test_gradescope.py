"""Our results in Gradescope's results.json format."""

import dataclasses
import itertools
import json
import re

import pytest
from conftest import MUTANTS, REFERENCE, copy_assignment

from grader.assignment import GRADESCOPE_VISIBILITY, load_assignment
from grader.gradescope import (
    gradescope_error,
    gradescope_results,
    split_points,
    write_gradescope_results,
)
from grader.mutants import materialise
from grader.results import results_dict
from grader.score import grade_submission

TOP_LEVEL = {"score", "output", "visibility", "stdout_visibility", "tests"}
TEST_FIELDS = {"name", "score", "max_score", "status", "output", "visibility"}
# a shape or index written out, like (4, 3): never in a hidden test's output
SHAPE = re.compile(r"\(\d+(, \d+)*,?\)")


@pytest.fixture(scope="module")
def reference(reference_result, hw1):
    return gradescope_results(results_dict(reference_result), hw1)


@pytest.fixture(scope="module")
def wrong_matmul(hw1, tmp_path_factory):
    folder = tmp_path_factory.mktemp("matmul_operand_order")
    materialise(MUTANTS["matmul_operand_order"], REFERENCE / "ops.py", folder)
    return results_dict(grade_submission(hw1, folder))


def by_problem(data: dict, results: dict) -> dict:
    """Each problem id's Gradescope tests, matched by name."""
    return {
        p["id"]: [t for t in data["tests"] if f"({p['id']})" in t["name"]]
        for p in results["problems"]
    }


def assert_well_formed(data: dict) -> None:
    assert TOP_LEVEL <= set(data)
    assert isinstance(data["score"], (int, float)) and not isinstance(
        data["score"], bool
    )
    assert data["visibility"] in GRADESCOPE_VISIBILITY
    for test in data["tests"]:
        assert TEST_FIELDS <= set(test), test
        for key in ("score", "max_score"):
            assert type(test[key]) in (int, float), (key, test)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in GRADESCOPE_VISIBILITY
        assert isinstance(test["output"], str) and test["output"]
    json.dumps(data, allow_nan=False)


def test_reference_scores_full_on_every_test(reference, reference_result, hw1):
    assert_well_formed(reference)
    assert reference["score"] == 100
    assert all(t["score"] == t["max_score"] for t in reference["tests"])
    assert all(t["status"] == "passed" for t in reference["tests"])
    assert sum(t["max_score"] for t in reference["tests"]) == pytest.approx(100)
    # every hw1 problem has hidden cases: a public and a hidden test each
    assert len(reference["tests"]) == 2 * len(hw1.problems)


def test_hidden_tests_take_the_assignment_visibility(reference, hw1):
    hidden = [t for t in reference["tests"] if t["name"].endswith("hidden cases")]
    public = [t for t in reference["tests"] if t not in hidden]
    assert {t["visibility"] for t in hidden} == {hw1.gradescope_hidden}
    assert {t["visibility"] for t in public} == {"visible"}
    assert reference["visibility"] == "visible"


def test_the_note_says_hidden_cases_count(reference):
    assert "Hidden cases ran and count toward this score" in reference["output"]
    assert "39 hidden cases in 21 problems" in reference["output"]
    assert "publishes grades" in reference["output"]


def test_points_split_sums_to_each_problem_score(wrong_matmul, hw1):
    data = gradescope_results(wrong_matmul, hw1)
    assert_well_formed(data)
    tests = by_problem(data, wrong_matmul)
    for problem in wrong_matmul["problems"]:
        parts = tests[problem["id"]]
        assert sum(t["score"] for t in parts) == pytest.approx(problem["score"])
        assert sum(t["max_score"] for t in parts) == pytest.approx(problem["max_score"])
    assert data["score"] == wrong_matmul["score"] < 100


def test_a_wrong_matmul_loses_points_on_matmul_only(wrong_matmul, hw1):
    data = gradescope_results(wrong_matmul, hw1)
    for pid, parts in by_problem(data, wrong_matmul).items():
        lost = any(t["score"] < t["max_score"] for t in parts)
        assert lost == (pid == "matmul"), pid
    public, hidden = by_problem(data, wrong_matmul)["matmul"]
    assert (public["status"], hidden["status"]) == ("failed", "failed")
    assert public["output"].startswith("0 of 6 public cases passed.")
    assert "Failed: plain" in public["output"]
    assert "grad_a has shape (4, 3), but it must have shape (3, 4)" in public["output"]
    assert "Likely mistake (certain): grad_a is the transpose" in public["output"]
    assert "Next step: Check the order of the operands" in public["output"]


def test_hidden_outputs_keep_only_what_results_redact(wrong_matmul, hw1):
    data = gradescope_results(wrong_matmul, hw1)
    hidden = by_problem(data, wrong_matmul)["matmul"][1]
    assert hidden["output"].startswith("0 of 4 hidden cases passed.")
    assert "(hidden case: its inputs are not shown)" in hidden["output"]
    assert "Your gradient is the transpose of the right one." in hidden["output"]
    assert not SHAPE.search(hidden["output"]), hidden["output"]
    public = by_problem(data, wrong_matmul)["matmul"][0]
    assert SHAPE.search(public["output"])


def test_totals_visibility_shows_only_counts_for_hidden_cases(wrong_matmul, hw1):
    totals = dataclasses.replace(hw1, hidden_visibility="totals")
    data = gradescope_results(wrong_matmul, totals)
    hidden = by_problem(data, wrong_matmul)["matmul"][1]
    assert hidden["output"] == "0 of 4 hidden cases passed. Their inputs are not shown."


@pytest.mark.parametrize("visibility", GRADESCOPE_VISIBILITY)
def test_every_gradescope_visibility_reaches_the_hidden_tests(
    reference_result, hw1, visibility
):
    assignment = dataclasses.replace(hw1, gradescope_hidden=visibility)
    data = gradescope_results(results_dict(reference_result), assignment)
    hidden = [t for t in data["tests"] if t["name"].endswith("hidden cases")]
    assert {t["visibility"] for t in hidden} == {visibility}


def test_public_only_results_say_so_and_give_one_test_per_problem(tmp_path):
    warmup = load_assignment(copy_assignment(tmp_path))
    results = results_dict(grade_submission(warmup, REFERENCE.parent / "warmup"))
    data = gradescope_results(results, warmup)
    assert_well_formed(data)
    assert "Only public cases ran" in data["output"]
    assert [t["max_score"] for t in data["tests"]] == [3, 4, 3]
    assert [t["number"] for t in data["tests"]] == ["1", "2", "3"]
    assert all(t["visibility"] == "visible" for t in data["tests"])


def test_all_or_nothing_scores_nothing_when_a_hidden_case_fails(tmp_path, submission):
    folder = copy_assignment(tmp_path)
    hidden = folder / "cases" / "hidden.yaml"
    hidden.write_text(
        hidden.read_text()
        + "squared_norm:\n  - {name: big, seed: 5, inputs: {w: {shape: [4, 5]}}}\n"
    )
    warmup = load_assignment(folder, hidden=True)
    source = (REFERENCE.parent / "warmup" / "warmup.py").read_text()
    # right on the small public cases, wrong on the big hidden one
    wrong_when_big = source.replace(
        "return 2 * w", "return 2 * w if w.size < 10 else w"
    )
    results = results_dict(
        grade_submission(warmup, submission(wrong_when_big, "warmup.py"))
    )
    data = gradescope_results(results, warmup)
    public, hidden_test = by_problem(data, results)["squared_norm"]
    assert (public["score"], hidden_test["score"]) == (0, 0)
    assert public["max_score"] + hidden_test["max_score"] == 3
    assert public["output"].startswith("2 of 2 public cases passed.")
    assert "all or nothing" in public["output"]
    assert "A hidden case failed, so this problem scores 0." in public["output"]
    assert data["score"] == 7


def test_split_points_always_sums_exactly_and_stays_in_range():
    sizes = itertools.product((1, 100, 200, 333, 800), (1, 2, 3, 7), (0, 1, 2, 5))
    for cents, public, hidden in sizes:
        points, total = cents / 100, public + hidden
        for passed in itertools.product(range(public + 1), range(hidden + 1)):
            proportional = round(points * sum(passed) / total, 2)
            every = points if sum(passed) == total else 0.0
            for score, all_or_nothing in ((proportional, False), (every, True)):
                (ps, pm), (hs, hm) = split_points(
                    points, score, passed, (public, hidden), all_or_nothing
                )
                assert round((ps + hs) * 100) == round(score * 100)
                assert round((pm + hm) * 100) == cents
                assert 0 <= ps <= pm and 0 <= hs <= hm, (cents, passed, ps, hs)


def test_split_points_moves_a_rounding_cent_to_the_public_part():
    # one point over three cases: 0.67 public, 0.33 hidden; one of each passed
    # scores 0.67, which 0.33 + 0.34 would give, but 0.34 exceeds the hidden max
    public, hidden = split_points(1, 0.67, (1, 1), (2, 1))
    assert (public, hidden) == ((0.34, 0.67), (0.33, 0.33))


def test_an_upload_that_cannot_be_graded_gets_zero_and_what_to_do(hw1):
    data = gradescope_error("no ops.py found in your upload: upload ops.py itself", hw1)
    assert_well_formed(data)
    assert data["score"] == 0 and data["tests"] == []
    assert data["output"].endswith(
        "no ops.py found in your upload: upload ops.py itself"
    )
    assert hw1.title in data["output"]


def test_written_file_is_the_converted_results(reference_result, hw1, tmp_path):
    results = results_dict(reference_result)
    path = write_gradescope_results(results, hw1, tmp_path / "gs" / "results.json")
    assert json.loads(path.read_text(encoding="utf-8")) == gradescope_results(
        results, hw1
    )


def test_results_of_another_schema_or_assignment_are_refused(reference_result, hw1):
    results = results_dict(reference_result)
    with pytest.raises(ValueError, match="schema_version 2"):
        gradescope_results({**results, "schema_version": 2}, hw1)
    with pytest.raises(ValueError, match="not 'hw1'"):
        gradescope_results({**results, "assignment": "warmup"}, hw1)
