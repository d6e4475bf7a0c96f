"""The `grade` command end to end, through its installed entry point."""

import json
import shutil
import subprocess

import pytest
from conftest import GRADE, HW1, REFERENCE, WARMUP, copy_assignment

pytestmark = pytest.mark.skipif(GRADE is None, reason="`grade` is not installed")


def grade(*args, cwd=None):
    return subprocess.run(
        [GRADE, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_grading_the_reference_writes_report_and_results(tmp_path):
    run = grade("hw1", "--submission", REFERENCE, "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "Score: 100 / 100" in run.stdout
    assert "Only public cases ran" in run.stdout
    assert f"Report:  {tmp_path / 'out' / 'report.html'}" in run.stdout
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert (data["score"], data["max_score"], data["seed"]) == (100, 100, 0)
    assert not any(c["hidden"] for p in data["problems"] for c in p["cases"])


def test_the_stubs_score_zero_and_every_problem_says_not_implemented(tmp_path):
    run = grade("hw1", "--submission", HW1 / "handout", "--out", tmp_path, "--hidden")
    assert run.returncode == 0, run.stderr
    assert "Score: 0 / 100" in run.stdout
    summary = [
        line for line in run.stdout.splitlines() if "/" in line and "cases" in line
    ]
    assert len(summary) == 21
    assert all("not implemented yet" in line for line in summary)


def test_default_submission_is_the_current_folder(tmp_path):
    shutil.copy(REFERENCE / "ops.py", tmp_path / "ops.py")
    run = grade("hw1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "grade-report" / "report.html").is_file()


def test_seed_is_recorded_and_changes_the_draw(tmp_path):
    run = grade(
        "warmup",
        "--submission",
        REFERENCE.parent / "warmup",
        "--seed",
        "7",
        "--out",
        tmp_path,
    )
    assert run.returncode == 0
    assert json.loads((tmp_path / "results.json").read_text())["seed"] == 7


@pytest.mark.parametrize(
    "args, message",
    [
        (["hw9"], "no assignment named 'hw9'"),
        (["hw1", "--submission", "/nonexistent"], "/nonexistent does not exist"),
        (["hw1", "--submission", "/tmp"], "no ops.py in /tmp"),
    ],
)
def test_could_not_grade_exits_1_with_a_message(args, message):
    run = grade(*args)
    assert run.returncode == 1
    assert message in run.stderr


def test_a_bad_spec_exits_1_naming_the_field(tmp_path):
    folder = copy_assignment(tmp_path)
    spec = folder / "assignment.yaml"
    spec.write_text(spec.read_text().replace("points: 4", "points: four"))
    run = grade(folder, "--submission", REFERENCE.parent / "warmup")
    assert run.returncode == 1
    assert "problem 'dot': field 'points': expected a finite number" in run.stderr


def test_hidden_where_there_are_none_exits_1(tmp_path):
    folder = copy_assignment(tmp_path)
    (folder / "cases" / "hidden.yaml").unlink()
    run = grade(folder, "--hidden", "--submission", REFERENCE.parent / "warmup")
    assert run.returncode == 1
    assert "hidden cases are not available" in run.stderr


@pytest.mark.parametrize(
    "args", [[], ["hw1", "--seed", "x"], ["hw1", "--bogus"], ["list", "extra"]]
)
def test_usage_errors_exit_2(args):
    assert grade(*args).returncode == 2


def test_list_shows_every_assignment():
    run = grade("list")
    assert run.returncode == 0
    assert "hw1" in run.stdout and "21 problems, 100 points" in run.stdout
    assert "warmup" in run.stdout


@pytest.mark.slow
def test_selftest_is_green():
    run = grade("selftest")
    assert run.returncode == 0, run.stdout
    assert "selftest: 43 of 43 submissions behaved as expected" in run.stdout
    assert (
        "diagnosis: 31 of 31 failing variants got the declared diagnosis (100 %); "
        "2 declare that no kind fits; 0 diagnosed wrongly as certain"
    ) in run.stdout
    assert "matmul_operand_order" in run.stdout


def test_selftest_fails_loudly_when_a_reference_is_wrong(tmp_path):
    folder = copy_assignment(tmp_path)
    solutions = tmp_path / "solutions" / "warmup"
    solutions.mkdir(parents=True)
    source = (REFERENCE.parent / "warmup" / "warmup.py").read_text()
    (solutions / "warmup.py").write_text(source.replace("2 * w", "3 * w"))
    run = grade("selftest", "warmup", "--assignments", folder.parent)
    assert run.returncode == 1
    assert "squared_norm › vector: grad_w has wrong values" in run.stdout
    assert "NO" in run.stdout
    assert WARMUP.exists()


def test_an_out_folder_that_cannot_be_made_exits_1(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    run = grade("warmup", "--submission", REFERENCE.parent / "warmup", "--out", blocker)
    assert run.returncode == 1
    assert f"cannot use {blocker} for the report" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_case_the_trusted_forward_cannot_take_stops_before_grading(tmp_path):
    folder = copy_assignment(tmp_path)
    cases = folder / "cases" / "public.yaml"
    cases.write_text(cases.read_text().replace("v: {shape: [5]}", "v: {shape: [4]}"))
    run = grade(folder, "--submission", REFERENCE.parent / "warmup", "--out", tmp_path)
    assert run.returncode == 1
    assert "dot › length_five: the trusted dot failed on this case" in run.stderr
    assert "Traceback" not in run.stderr
    assert "cases" not in run.stdout  # no problem was graded


def test_list_goes_on_past_a_broken_assignment(tmp_path):
    folder = copy_assignment(tmp_path)
    (folder / "forwards.py").write_text("raise RuntimeError('broken')\n")
    run = grade("list", "--assignments", folder.parent)
    assert run.returncode == 0
    assert "warmup           cannot be loaded" in run.stdout
    assert "hw1" in run.stdout


def test_a_terminated_grader_leaves_no_worker_folder(tmp_path):
    import os
    import signal
    import time

    submission = tmp_path / "student"
    submission.mkdir()
    (submission / "ops.py").write_text(
        "import time\ndef add_backward(g, a, b):\n    time.sleep(60)\n"
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    process = subprocess.Popen(
        [GRADE, "hw1", "--submission", submission, "--out", tmp_path / "out"],
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(scratch.glob("grader-worker-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the canary's folder is gone; the student's worker is up
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(scratch.glob("grader-worker-*")) == []
