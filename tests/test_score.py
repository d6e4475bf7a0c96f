"""Scoring a whole submission: known-wrong variants lose exactly the problems
they break, and everything else keeps full marks."""

import pytest
from conftest import MUTANTS, REFERENCE, WARMUP

from grader.assignment import load_assignment
from grader.score import SubmissionError, find_module, grade_submission, problem_score
from grader.selftest import variant_row


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_variant_loses_exactly_the_problems_it_breaks_and_gets_its_diagnosis(
    hw1, mutant_submission, name
):
    result = grade_submission(hw1, mutant_submission(name))
    lost = sorted(p.id for p in result.problems if p.score < p.max_score)
    assert lost == sorted(MUTANTS[name].must_fail)
    for problem in result.problems:
        if problem.id in MUTANTS[name].must_fail:
            assert problem.score < problem.max_score
        else:
            assert problem.score == problem.max_score
    assert variant_row("hw1", MUTANTS[name], result).surprises == ()


def test_missing_batch_sum_names_the_failing_case_and_its_shapes(
    hw1_public, mutant_submission
):
    result = grade_submission(hw1_public, mutant_submission("wrong_matmul_batch_sum"))
    matmul = next(p for p in result.problems if p.id == "matmul")
    failed = [c for c in matmul.cases if not c.passed]
    assert [c.name for c in failed] == ["size_one_batch"]
    assert failed[0].shapes == {"out_grad": [2, 3, 5], "a": [1, 3, 4], "b": [2, 4, 5]}
    assert "shape (2, 3, 4), but it must have shape (1, 3, 4)" in failed[0].message
    assert matmul.score == pytest.approx(12 * 5 / 6, abs=0.01)
    assert result.score == pytest.approx(100 - 2, abs=0.01)


def test_score_is_points_times_fraction_or_all_or_nothing(submission):
    warmup = load_assignment(WARMUP)
    folder = submission(
        "import numpy as np\n"
        "def square_backward(g, x):\n    return 2 * x * g\n"
        "def dot_backward(g, u, v):\n    return g * v, g * u\n"
        "def squared_norm_grad(w):\n"
        "    return 2 * w if w.ndim == 1 else w\n",
        name="warmup.py",
    )
    result = grade_submission(warmup, folder)
    scores = {p.id: (p.score, p.passed, len(p.cases)) for p in result.problems}
    assert scores == {"square": (3, 1, 1), "dot": (4, 1, 1), "squared_norm": (0, 1, 2)}
    assert (result.score, result.max_score) == (7, 10)


def test_problem_score_rounds_to_hundredths(hw1_public):
    matmul = next(p for p in hw1_public.problems if p.id == "matmul")
    from grader.check import CaseResult

    results = [
        CaseResult(name=str(i), hidden=False, passed=i < 2, message="")
        for i in range(3)
    ]
    assert problem_score(matmul, results) == 8.0


def test_a_missing_module_is_an_error_that_says_where_to_run(tmp_path, hw1_public):
    with pytest.raises(SubmissionError, match=r"no ops.py in .*--submission"):
        find_module(hw1_public, tmp_path)


def test_an_import_error_fails_every_problem_and_grading_goes_on(
    hw1_public, submission
):
    result = grade_submission(hw1_public, submission("import numpy as np\nx = (\n"))
    messages = {c.message.split(".")[0] for p in result.problems for c in p.cases}
    assert messages == {"the module could not be imported"}
    assert result.score == 0


def test_a_symlinked_module_is_refused(tmp_path, hw1_public):
    (tmp_path / "ops.py").symlink_to("/etc/passwd")
    with pytest.raises(SubmissionError, match="is a symbolic link"):
        find_module(hw1_public, tmp_path)


def test_a_module_that_is_not_python_is_refused(tmp_path, hw1_public):
    (tmp_path / "ops.PY").write_text("x = 1\n")
    with pytest.raises(SubmissionError, match=r"is not a Python file \(\.py\)"):
        find_module(hw1_public, tmp_path / "ops.PY")


def test_a_module_file_named_like_numpy_still_grades(tmp_path, hw1_public):
    (tmp_path / "numpy.py").write_text((REFERENCE / "ops.py").read_text())
    assert grade_submission(hw1_public, tmp_path / "numpy.py").score == 100


def test_an_exception_names_the_students_own_file(submission):
    warmup = load_assignment(WARMUP)
    folder = submission(
        "def square_backward(g, x):\n    return g @ x @ x\n", name="warmup.py"
    )
    result = grade_submission(warmup, folder)
    assert "(warmup.py line 2)" in result.problems[0].cases[0].message
