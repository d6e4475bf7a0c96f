"""`grade batch`: a class graded in parallel, every student accounted for,
resumable after a kill with the same gradebook."""

import csv
import functools
import json
import os
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from classroom import HW1_POINTS, build_class
from conftest import GRADE, ROOT

from grader.assignment import find_assignment, load_assignment
from grader.batch import student_seed

WARMUP_SOLUTION = ROOT / "solutions" / "warmup" / "warmup.py"
WARMUP_STUBS = ROOT / "assignments" / "warmup" / "handout" / "warmup.py"


def batch(*args, timeout=1800):
    return subprocess.run(
        [GRADE, "batch", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def gradebook(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def entry(out: Path, student: str) -> dict:
    return json.loads((out / "students" / student / "entry.json").read_text())


@pytest.fixture
def warmup_class(tmp_path):
    """Five warmup hand-ins: right (folder and zip), stubs, a crash, a bad zip."""
    root = tmp_path / "class"
    right = WARMUP_SOLUTION.read_text()
    for name, text in {"ann": right, "cho": WARMUP_STUBS.read_text()}.items():
        (root / name).mkdir(parents=True)
        (root / name / "warmup.py").write_text(text)
    with zipfile.ZipFile(root / "bob.zip", "w") as archive:
        archive.writestr("warmup/warmup.py", right)
    (root / "dee").mkdir()
    (root / "dee" / "warmup.py").write_text("import os\nos._exit(3)\n")
    (root / "eve.zip").write_text("not a zip")
    return root


def test_the_seed_depends_on_assignment_and_student_only():
    assert student_seed("hw1", "ann") == student_seed("hw1", "ann")
    seeds = {student_seed(a, s) for a in ("hw1", "hw2") for s in ("ann", "bob")}
    assert len(seeds) == 4
    assert all(0 <= seed < 2**32 for seed in seeds)


def test_a_small_class_is_graded_with_everyone_in_the_gradebook(warmup_class, tmp_path):
    out = tmp_path / "out"
    run = batch("warmup", warmup_class, "--out", out, "--jobs", 2)
    assert run.returncode == 0, run.stderr
    rows = {row["student"]: row for row in gradebook(out)}
    assert sorted(rows) == ["ann", "bob", "cho", "dee", "eve"]
    assert float(rows["ann"]["total"]) == float(rows["bob"]["total"]) == 10
    assert float(rows["cho"]["total"]) == 0 and float(rows["dee"]["total"]) == 0
    assert "eve" in run.stderr and "could not be graded" in run.stderr
    assert "not a zip" in entry(out, "eve")["error"]
    for student in ("ann", "bob", "cho", "dee"):
        folder = out / "students" / student
        results = json.loads((folder / "results.json").read_text())
        assert results["seed"] == student_seed("warmup", student)
        assert entry(out, student)["seed"] == results["seed"]
        assert not results["public_only"]
        assert (folder / "report.html").is_file()
        assert (folder / "gradescope" / "results.json").is_file()
    assert json.loads((out / "students" / "bob" / "results.json").read_text())[
        "submission"
    ] == str(warmup_class / "bob.zip")
    assert (out / "summary.html").is_file()
    assert not list(out.glob("batch-*")), "the unpacking folder is left behind"
    assert (
        "Graded 4 of 5 submissions in this run (0 unchanged since the last run, "
        "skipped); 1 of 5 could not be graded" in run.stdout
    )


def test_a_rerun_skips_the_unchanged_and_regrades_the_changed(warmup_class, tmp_path):
    out = tmp_path / "out"
    assert batch("warmup", warmup_class, "--out", out).returncode == 0
    first = (out / "grades.csv").read_bytes()
    stamps = {
        p.parent.name: p.stat().st_mtime_ns for p in out.glob("students/*/entry.json")
    }
    (warmup_class / "cho" / "warmup.py").write_text(WARMUP_SOLUTION.read_text())

    run = batch("warmup", warmup_class, "--out", out)
    assert run.returncode == 0, run.stderr
    assert "4 submissions unchanged since the last run: skipped" in run.stdout
    after = {
        p.parent.name: p.stat().st_mtime_ns for p in out.glob("students/*/entry.json")
    }
    assert [s for s in stamps if stamps[s] != after[s]] == ["cho"]
    rows = {row["student"]: row for row in gradebook(out)}
    assert float(rows["cho"]["total"]) == 10
    assert (out / "grades.csv").read_bytes() != first
    assert "Graded 1 of 5 submissions in this run" in run.stdout
    assert "1 of 5 could not be graded" in run.stdout  # eve, from the first run

    forced = batch("warmup", warmup_class, "--out", out, "--force")
    assert "Graded 4 of 5 submissions in this run (0 unchanged" in forced.stdout


def test_one_zip_holding_the_class_is_graded_like_its_folder(warmup_class, tmp_path):
    bundle = tmp_path / "export.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in sorted(warmup_class.rglob("*")):
            if path.is_file():
                archive.write(
                    path, Path("submissions") / path.relative_to(warmup_class)
                )
    from_folder, from_zip = tmp_path / "a", tmp_path / "b"
    assert batch("warmup", warmup_class, "--out", from_folder).returncode == 0
    run = batch("warmup", bundle, "--out", from_zip)
    assert run.returncode == 0, run.stderr
    assert (from_zip / "grades.csv").read_bytes() == (
        from_folder / "grades.csv"
    ).read_bytes()


def test_a_missing_class_folder_exits_1_before_any_work(tmp_path):
    run = batch("warmup", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert run.returncode == 1
    assert "does not exist" in run.stderr
    assert "Isolation" not in run.stdout and not (tmp_path / "out").exists()


def test_hand_ins_without_the_module_say_what_to_upload(tmp_path):
    root = tmp_path / "class"
    (root / "kim").mkdir(parents=True)
    (root / "kim" / "solution.py").write_text("x = 1\n")
    (root / "lee").symlink_to(WARMUP_SOLUTION.parent)
    out = tmp_path / "out"
    assert batch("warmup", root, "--out", out).returncode == 0
    assert entry(out, "kim")["error"].startswith(
        "no warmup.py found in your upload (it holds: solution.py)"
    )
    assert "lee is a symbolic link" in entry(out, "lee")["error"]
    gradescope = json.loads((out / "students/kim/gradescope/results.json").read_text())
    assert gradescope["score"] == 0 and "solution.py" in gradescope["output"]


def test_an_interrupted_batch_says_how_to_resume_and_resumes(tmp_path):
    root = tmp_path / "class"
    for name in ("ann", "bob"):
        (root / name).mkdir(parents=True)
        (root / name / "warmup.py").write_text(WARMUP_SOLUTION.read_text())
    (root / "zed").mkdir()
    (root / "zed" / "warmup.py").write_text(
        "import time\ndef square_backward(g, x):\n    time.sleep(60)\n"
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [GRADE, "batch", "warmup", root, "--out", out, "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell's background job ignores SIGINT, and a child inherits that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while len(list(out.glob("students/*/entry.json"))) < 2:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted: every student graded so far is saved" in stderr
    assert "Traceback" not in stderr
    assert not list(out.glob("batch-*")), "the unpacking folder is left behind"

    (root / "zed" / "warmup.py").write_text(WARMUP_SOLUTION.read_text())
    run = batch("warmup", root, "--out", out)
    assert "2 submissions unchanged since the last run: skipped" in run.stdout
    assert [float(row["total"]) for row in gradebook(out)] == [10, 10, 10]


@pytest.mark.parametrize("args", [["--jobs", "0"], []])
def test_usage_errors_exit_2(args, tmp_path):
    out = ["--out", str(tmp_path / "out")] if args else []
    assert batch("warmup", tmp_path, *args, *out).returncode == 2


# ---- a class of 200 hw1 submissions ------------------------------------------


@pytest.fixture(scope="module")
def hw1_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("hw1-class")
    expected = build_class(root / "submissions")
    return root, expected


@pytest.fixture(scope="module")
def uninterrupted(hw1_class):
    root, _ = hw1_class
    out = root / "uninterrupted"
    started = time.monotonic()
    run = batch("hw1", root / "submissions", "--out", out)
    print(f"200 submissions in {time.monotonic() - started:.0f} s")
    assert run.returncode == 0, run.stderr[-3000:]
    return out, run


@pytest.mark.slow
def test_a_class_of_200_is_graded_completely_and_as_expected(hw1_class, uninterrupted):
    _, expected = hw1_class
    out, run = uninterrupted
    assert len(expected) >= 200
    rows = {row["student"]: row for row in gradebook(out)}
    assert sorted(rows) == sorted(expected)
    surprises = []
    for student, want in expected.items():
        recorded = entry(out, student)
        if recorded["status"] != want.status:
            surprises.append(f"{student}: {recorded['status']} {recorded['error']}")
        elif want.status == "error":
            if want.error not in recorded["error"] or student not in run.stderr:
                surprises.append(f"{student}: error {recorded['error']!r}")
        else:
            surprises += _grade_surprises(student, want, rows[student])
    assert surprises == []


def _grade_surprises(student: str, want, row: dict) -> list[str]:
    problems = {
        k: float(v) for k, v in row.items() if k not in ("student", "total", "status")
    }
    if want.zero:
        return [] if float(row["total"]) == 0 else [f"{student}: {row['total']} not 0"]
    full = {pid for pid, score in problems.items() if score == _max(pid)}
    lost = set(problems) - full
    if lost != set(want.loses):
        return [f"{student}: lost {sorted(lost)}, expected {sorted(want.loses)}"]
    if not want.loses and float(row["total"]) != HW1_POINTS:
        return [f"{student}: total {row['total']}"]
    return []


@functools.cache
def _max(problem: str) -> float:
    points = {p.id: p.points for p in load_assignment(find_assignment("hw1")).problems}
    return points[problem]


@pytest.mark.slow
def test_a_batch_killed_halfway_resumes_to_the_same_gradebook(hw1_class, uninterrupted):
    root, expected = hw1_class
    out = root / "killed"
    process = subprocess.Popen(
        [GRADE, "batch", "hw1", root / "submissions", "--out", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 1200
    while len(list(out.glob("students/*/entry.json"))) < len(expected) // 2:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    graders = _children(process.pid)
    assert graders, "no grading processes to follow the batch"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    done = len(list(out.glob("students/*/entry.json")))
    assert done < len(expected), "the batch finished before it was killed"
    deadline = time.monotonic() + 30  # they follow their parent (PDEATHSIG)
    while any(map(_alive, graders)):
        assert time.monotonic() < deadline, "grading processes outlived the batch"
        time.sleep(0.2)

    run = batch("hw1", root / "submissions", "--out", out)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"{done} submissions unchanged since the last run" in run.stdout
    assert (out / "grades.csv").read_bytes() == (
        uninterrupted[0] / "grades.csv"
    ).read_bytes()


def _children(pid: int) -> list[str]:
    """The ids of the processes whose parent is `pid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(
            line.split(":\t", 1) for line in text.splitlines() if ":\t" in line
        )
        if fields.get("PPid", "").strip() == str(pid):
            found.append(status.parent.name)
    return found


def _alive(pid: str) -> bool:
    """Running, not a zombie waiting for a parent that never reaps it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


# ---- what a breaker tried ---------------------------------------------------


def _warmup_folder(root: Path, student: str, source: Path = WARMUP_SOLUTION) -> None:
    (root / student).mkdir(parents=True)
    (root / student / "warmup.py").write_text(source.read_text())


def test_an_id_shaped_like_another_ids_safe_form_gets_its_own_folder(tmp_path):
    from grader.archive import safe_name

    root = tmp_path / "class"
    _warmup_folder(root, "mallory x", WARMUP_STUBS)
    _warmup_folder(root, safe_name("mallory x"))
    out = tmp_path / "out"
    assert batch("warmup", root, "--out", out).returncode == 0
    assert len(list(out.glob("students/*/entry.json"))) == 2
    totals = {row["student"]: float(row["total"]) for row in gradebook(out)}
    assert totals == {"mallory x": 0, safe_name("mallory x"): 10}


def test_special_files_and_a_very_deep_folder_are_reported_not_hung_on(tmp_path):
    root = tmp_path / "class"
    _warmup_folder(root, "ann")
    os.mkfifo(root / "fifo")
    deep = root / "deep"
    deep.mkdir()
    (deep / "warmup.py").write_text(WARMUP_SOLUTION.read_text())
    below = deep
    for _ in range(1100):  # deeper than Python's recursion limit
        below = below / "d"
        below.mkdir()
    out = tmp_path / "out"
    try:
        run = batch("warmup", root, "--out", out, timeout=300)
    finally:  # pytest's own clean-up of old runs would recurse into it
        while below != deep:
            below.rmdir()
            below = below.parent
    assert run.returncode == 0, run.stderr
    totals = {row["student"]: row["total"] for row in gradebook(out)}
    assert totals["ann"] == totals["deep"] == "10"
    assert "neither a folder nor a .zip" in entry(out, "fifo")["error"]


def test_damaged_results_are_regraded_and_never_break_the_gradebook(
    warmup_class, tmp_path
):
    out = tmp_path / "out"
    assert batch("warmup", warmup_class, "--out", out).returncode == 0
    good = (out / "grades.csv").read_bytes()
    (out / "students" / "ann" / "results.json").write_text("{}")
    (out / "students" / "bob" / "results.json").write_text("garbage")
    run = batch("warmup", warmup_class, "--out", out)
    assert run.returncode == 0, run.stderr
    assert "3 submissions unchanged since the last run" in run.stdout
    assert (out / "grades.csv").read_bytes() == good


def test_an_edit_after_a_huge_file_is_still_seen(tmp_path):
    root = tmp_path / "class"
    _warmup_folder(root, "big")
    with open(root / "big" / "a_data.bin", "wb") as handle:
        handle.truncate(2**30)  # sparse: sorts before warmup.py, past the cap
    out = tmp_path / "out"
    assert batch("warmup", root, "--out", out).returncode == 0
    (root / "big" / "warmup.py").write_text(WARMUP_STUBS.read_text())
    run = batch("warmup", root, "--out", out)
    assert "Graded 1 of 1 submissions in this run" in run.stdout
    assert gradebook(out)[0]["total"] == "0"


def test_out_overlapping_the_submissions_is_refused(warmup_class, tmp_path):
    for out in (warmup_class, warmup_class / "report", tmp_path):
        run = batch("warmup", warmup_class, "--out", out)
        assert run.returncode == 1 and "overlap" in run.stderr, out


def test_a_dead_batchs_unpacking_folder_is_swept(warmup_class, tmp_path):
    out = tmp_path / "out"
    stale = out / "batch-999999999-abcd" / "class"
    stale.mkdir(parents=True)
    assert batch("warmup", warmup_class, "--out", out).returncode == 0
    assert not (out / "batch-999999999-abcd").exists()


def test_an_empty_class_says_so(tmp_path):
    (tmp_path / "class").mkdir()
    run = batch("warmup", tmp_path / "class", "--out", tmp_path / "out")
    assert run.returncode == 0 and "No submissions found" in run.stdout


def test_a_name_that_is_not_utf8_is_graded_and_shown_escaped(tmp_path):
    root = tmp_path / "class"
    root.mkdir()
    name = os.fsdecode(b"bad\xffname")
    (root / name).mkdir()
    (root / name / "warmup.py").write_text(WARMUP_SOLUTION.read_text())
    out = tmp_path / "out"
    run = batch("warmup", root, "--out", out)
    assert run.returncode == 0, run.stderr
    (row,) = gradebook(out)
    assert row["total"] == "10" and row["student"] == "bad\\xffname"


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script")
def test_a_terminal_gets_a_progress_bar_with_an_eta(warmup_class, tmp_path):
    # `script` gives the batch a pseudo-terminal that reports no size
    command = f"{GRADE} batch warmup {warmup_class} --out {tmp_path / 'out'}"
    typescript = tmp_path / "typescript"
    run = subprocess.run(
        ["script", "-qfc", command, str(typescript)],
        capture_output=True,
        timeout=300,
    )
    assert run.returncode == 0
    frames = typescript.read_text(errors="replace").replace("\r", "\n")
    assert "5/5 [" in frames and "submission/s]" in frames
