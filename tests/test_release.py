"""Releasing a handout: only what students may see, and it grades on its own."""

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import GRADE, HW1, REFERENCE, ROOT, copy_assignment

from grader.assignment import load_assignment
from grader.release import ReleaseError, release_handout, released_files

HIDDEN = HW1 / "cases" / "hidden.yaml"
PUBLIC = HW1 / "cases" / "public.yaml"
STUB = HW1 / "handout" / "ops.py"
# a marker no released file holds unless a planted file got through
PLANTED = "planted-by-test-release-7f3c"
EXPECTED_FILES = {
    Path("README.md"),
    Path("ops.py"),
    Path("assignments/hw1/assignment.yaml"),
    Path("assignments/hw1/forwards.py"),
    Path("assignments/hw1/cases/public.yaml"),
}


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    return release_handout(HW1, tmp_path_factory.mktemp("release") / "hw1-handout")


def every_file(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def texts(folder: Path) -> dict[Path, str]:
    found = {}
    for path in every_file(folder):
        try:
            found[path] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# what a release holds


def test_release_holds_the_stubs_the_public_assignment_grader_and_readme(released):
    assert set(released_files(released)) == EXPECTED_FILES
    assert (released / "ops.py").read_bytes() == STUB.read_bytes()
    for name in ("assignment.yaml", "forwards.py", "cases/public.yaml"):
        assert (released / "assignments/hw1" / name).read_bytes() == (
            HW1 / name
        ).read_bytes()
    source = released / "grader-src"
    assert (source / "pyproject.toml").is_file()
    assert (source / "grader" / "cli.py").is_file()
    assert (source / "grader" / "templates" / "handout-README.md.j2").is_file()
    assert not list(source.rglob("__pycache__"))


def test_the_released_assignment_loads_with_every_public_case(released):
    copy = load_assignment(released / "assignments" / "hw1")
    original = load_assignment(HW1)
    assert [p.id for p in copy.problems] == [p.id for p in original.problems]
    assert [len(p.cases) for p in copy.problems] == [
        len(p.cases) for p in original.problems
    ]
    with pytest.raises(Exception, match="hidden cases are not available"):
        load_assignment(released / "assignments" / "hw1", hidden=True)


def test_readme_says_what_to_do_and_lists_every_problem(released):
    readme = (released / "README.md").read_text()
    assert readme.startswith("# hw1: gradients of matrix operations\n")
    for problem in load_assignment(HW1).problems:
        row = f"| `{problem.id}` | `{problem.function}` | {problem.points:g} |"
        assert row in readme
    assert "**100**" in readme
    assert "python3 -m venv .venv" in readme
    assert ".venv/bin/pip install ./grader-src" in readme
    assert ".venv/bin/grade hw1" in readme
    assert "bubblewrap" in readme and "You do\nnot need them" in readme
    assert "grade-report/report.html" in readme
    assert "Only the public cases" in readme
    assert "not a promise of a full final score" in readme


# nothing secret leaves


def test_no_released_file_is_a_copy_of_a_solution_or_hidden_cases(released):
    secrets = [p for p in every_file(ROOT / "solutions") if p.stat().st_size]
    secrets += [HIDDEN, HW1.parent / "warmup" / "cases" / "hidden.yaml"]
    secret_digests = {digest(p): p for p in secrets}
    assert len(secret_digests) > 40
    leaked = [p for p in every_file(released) if digest(p) in secret_digests]
    assert leaked == []
    assert not list(released.rglob("hidden.yaml"))
    assert not list(released.rglob("mutants"))


def test_no_hidden_case_name_or_literal_appears_in_any_released_text(released):
    hidden = yaml.safe_load(HIDDEN.read_text())
    public = yaml.safe_load(PUBLIC.read_text())
    public_names = {case["name"] for cases in public.values() for case in cases}
    names = {c["name"] for cs in hidden.values() for c in cs} - public_names
    # a compound name (`size_one_batch_on_b`) is no English word of a comment
    compound = {name for name in names if "_" in name}
    literals = hidden_only_literals()
    assert len(compound) > 15 and len(literals) > 30

    for path, text in texts(released).items():
        for name in names:
            assert not re.search(rf"name:\s*['\"]?{name}\b", text), (path, name)
        for name in compound:
            assert not re.search(rf"\b{name}\b", text), (path, name)
        for literal in literals:
            assert literal not in text, (path, literal)


def hidden_only_literals() -> set[str]:
    """Every hidden case line and its inputs, as written, absent from public.yaml."""
    public_text = PUBLIC.read_text()
    found = set()
    for line in HIDDEN.read_text().splitlines():
        case = line.strip().removeprefix("- ")
        if not case.startswith("{name:"):
            continue
        found.add(case)
        found.add(case[case.index("inputs:") :].rstrip("}"))
    return {literal for literal in found if literal not in public_text}


def test_no_line_of_a_reference_solution_appears_in_any_released_text(released):
    lines = reference_lines()
    assert len(lines) > 40
    for path, text in texts(released).items():
        present = {line.strip() for line in text.splitlines()}
        assert not lines & present, path
        assert not [line for line in lines if line in text], path


def reference_lines() -> set[str]:
    """Distinctive lines of the reference function bodies, absent from the stubs.

    Lines the assignment shows students anyway (the stubs and the trusted
    forwards) and bare openings such as `return np.array(` say nothing.
    """
    source = (REFERENCE / "ops.py").read_text()
    lines = source.splitlines()
    public = STUB.read_text() + (HW1 / "forwards.py").read_text()
    shown = {line.strip() for line in public.splitlines()}
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef):
            continue
        body = node.body[1:] if ast.get_docstring(node) else node.body
        for statement in body:
            for line in lines[statement.lineno - 1 : statement.end_lineno]:
                line = line.strip()
                if len(line) >= 20 and line[-1] not in "([{" and line not in shown:
                    found.add(line)
    return found


def test_planted_files_are_not_released(tmp_path):
    folder = copy_assignment(tmp_path, HW1)
    (folder / "secret.txt").write_text(f"{PLANTED}: the answer is G @ b.T\n")
    (folder / "cases" / "extra.yaml").write_text("add: []\n")
    handout = folder / "handout"
    (handout / ".env").write_text(f"TOKEN={PLANTED}\n")
    (handout / "__pycache__").mkdir(exist_ok=True)
    (handout / "__pycache__" / "ops.cpython-311.pyc").write_bytes(PLANTED.encode())
    (handout / "ops.pyc").write_bytes(PLANTED.encode())
    (handout / "solution.py").symlink_to(REFERENCE / "ops.py")
    (handout / "reference").symlink_to(REFERENCE, target_is_directory=True)
    (handout / ".git").mkdir()
    (handout / ".git" / "config").write_text(f"{PLANTED}\n")
    (handout / "data").mkdir()
    (handout / "data" / "notes.txt").write_text("a stub data file\n")

    out = release_handout(folder, tmp_path / "out")
    assert set(released_files(out)) == EXPECTED_FILES | {Path("data/notes.txt")}
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert all(PLANTED not in text for text in texts(out).values())


# refusals


def test_a_folder_that_is_not_empty_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine\n")
    with pytest.raises(ReleaseError, match="already exists and is not empty"):
        release_handout(HW1, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "out").mkdir()
    out = release_handout(HW1, tmp_path / "out")
    assert set(released_files(out)) == EXPECTED_FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_assignment_without_stubs_is_refused(tmp_path):
    folder = copy_assignment(tmp_path, HW1)
    shutil.rmtree(folder / "handout")
    with pytest.raises(ReleaseError, match="has no handout/ folder of stubs"):
        release_handout(folder, tmp_path / "out")
    (folder / "handout").mkdir()
    (folder / "handout" / ".env").write_text("x\n")
    with pytest.raises(ReleaseError, match=r"has no ops\.py \(found: no files\)"):
        release_handout(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_spec_that_does_not_load_is_refused(tmp_path):
    folder = copy_assignment(tmp_path, HW1)
    spec = folder / "assignment.yaml"
    spec.write_text(spec.read_text().replace("points: 12", "points: -1", 1))
    with pytest.raises(ReleaseError, match="cannot release hw1: .*points"):
        release_handout(folder, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assignments"]


@pytest.mark.parametrize("secret", ["solution", "hidden"])
def test_a_stub_that_is_a_copy_of_a_secret_stops_the_release(tmp_path, secret):
    folder = copy_assignment(tmp_path, HW1)
    shutil.copytree(REFERENCE, tmp_path / "solutions" / "hw1")
    source = REFERENCE / "ops.py" if secret == "solution" else HIDDEN
    shutil.copyfile(source, folder / "handout" / "ops.py")
    with pytest.raises(ReleaseError, match="students must not get"):
        release_handout(folder, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assignments", "solutions"]


def test_a_stub_named_like_a_released_file_is_refused(tmp_path):
    folder = copy_assignment(tmp_path, HW1)
    (folder / "handout" / "README.md").write_text("the instructor's notes\n")
    with pytest.raises(ReleaseError, match="README.md would clash"):
        release_handout(folder, tmp_path / "out")


def test_a_named_file_that_is_a_symlink_is_refused(tmp_path):
    folder = copy_assignment(tmp_path, HW1)
    (folder / "forwards.py").unlink()
    (folder / "forwards.py").symlink_to(HW1 / "forwards.py")
    with pytest.raises(ReleaseError, match="forwards.py is a symbolic link"):
        release_handout(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# the command


def grade(*args, cwd=None):
    return subprocess.run(
        [GRADE, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(GRADE is None, reason="`grade` is not installed")
def test_grade_release_writes_the_default_folder_and_says_what_next(tmp_path):
    run = grade("release", "hw1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    out = tmp_path / "hw1-handout"
    assert set(released_files(out)) == EXPECTED_FILES
    assert f"Released hw1 from {HW1} into hw1-handout:" in run.stdout
    assert "  assignments/hw1/cases/public.yaml\n" in run.stdout
    assert "Next: " in run.stdout and ".venv/bin/grade hw1" in run.stdout

    again = grade("release", "hw1", "--out", out)
    assert again.returncode == 1
    assert again.stderr.startswith("grade: error: ") and "not empty" in again.stderr


@pytest.mark.skipif(GRADE is None, reason="`grade` is not installed")
def test_grade_release_of_an_unknown_assignment_exits_1(tmp_path):
    run = grade("release", "nosuch", "--out", tmp_path / "out")
    assert run.returncode == 1
    assert "no assignment named 'nosuch'" in run.stderr
    assert not (tmp_path / "out").exists()


# end to end, as a student


@pytest.mark.slow
def test_a_released_handout_grades_with_no_access_to_the_repo(tmp_path):
    out = release_handout(HW1, tmp_path / "hw1-handout")
    venv = tmp_path / "venv"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GRADER_ASSIGNMENTS", "PYTHONPATH", "VIRTUAL_ENV")
    }
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, env=env)
    install = subprocess.run(
        [venv / "bin" / "pip", "install", "-q", out / "grader-src"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, install.stderr

    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import grader; print(grader.__file__)"],
        capture_output=True,
        text=True,
        cwd=out,
        env=env,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)

    def student_grades() -> tuple[subprocess.CompletedProcess, dict]:
        run = subprocess.run(
            [venv / "bin" / "grade", "hw1"],
            capture_output=True,
            text=True,
            cwd=out,
            env=env,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert f"from {(out / 'assignments' / 'hw1').resolve()}" in run.stdout
        assert "Only public cases ran" in run.stdout
        assert str(ROOT) not in run.stdout + run.stderr
        results = out / "grade-report" / "results.json"
        assert (out / "grade-report" / "report.html").is_file()
        assert str(ROOT) not in results.read_text()
        return run, json.loads(results.read_text())

    run, data = student_grades()
    assert "Score: 0 / 100" in run.stdout
    assert data["submission"] == str(out.resolve())
    assert data["public_only"] and not data["hidden_ran"]

    shutil.copyfile(REFERENCE / "ops.py", out / "ops.py")
    run, data = student_grades()
    assert "Score: 100 / 100" in run.stdout
    assert all(p["score"] == p["max_score"] for p in data["problems"])
    assert not any(c["hidden"] for p in data["problems"] for c in p["cases"])
