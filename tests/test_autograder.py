"""The Gradescope autograder zip, and its run_autograder on Gradescope's layout."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import HW1, MUTANTS, REFERENCE, copy_assignment

from grader import autograder
from grader.assignment import AssignmentError
from grader.autograder import PACKAGES, build_bundle, grade_upload
from grader.cli import main
from grader.mutants import materialise
from grader.sandbox import Isolation


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return build_bundle(HW1, tmp_path_factory.mktemp("bundle") / "autograder.zip")


@pytest.fixture
def gradescope_root(bundle, tmp_path):
    """Gradescope's /autograder: source/ (the zip unpacked), submission/, results/."""
    root = tmp_path / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            archive.extract(info, root / "source")
            mode = (info.external_attr >> 16) & 0o777
            os.chmod(root / "source" / info.filename, mode)
    return root


def run_autograder(root: Path, cwd: Path | None = None, **env) -> dict:
    """Run the bundle's script as Gradescope would, with the test venv's Python."""
    environment = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "GRADER_PYTHON": sys.executable,
        **env,
    }
    run = subprocess.run(
        [root / "source" / "run_autograder"],
        check=False,
        env=environment,
        cwd=cwd or root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_bundle_holds_scripts_grader_and_hidden_cases(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {
            i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()
        }
        scripts = {n: archive.read(n) for n in ("setup.sh", "run_autograder")}
    assert {
        "setup.sh",
        "run_autograder",
        "grader-src/pyproject.toml",
        "grader-src/grader/cli.py",
        "grader-src/grader/templates/report.html.j2",
        "assignments/hw1/assignment.yaml",
        "assignments/hw1/cases/public.yaml",
        "assignments/hw1/cases/hidden.yaml",
    } <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if ".grader-canary" in n]
    for name, text in scripts.items():
        assert modes[name] == 0o755, name
        assert text.startswith(b"#!/usr/bin/env bash\n")
        assert b"\r" not in text
    assert modes["assignments/hw1/cases/hidden.yaml"] == 0o644


def test_scripts_are_valid_bash_and_setup_installs_every_package(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path, members=["setup.sh", "run_autograder"])
    for name in ("setup.sh", "run_autograder"):
        check = subprocess.run(
            ["bash", "-n", tmp_path / name], check=False, capture_output=True
        )
        assert check.returncode == 0, check.stderr
    setup = (tmp_path / "setup.sh").read_text()
    assert f"packages=({' '.join(PACKAGES)})" in setup
    assert 'pip" install -q "$root/source/grader-src"' in setup
    assert "source/assignments/hw1" in (tmp_path / "run_autograder").read_text()


def test_an_assignment_without_hidden_cases_is_refused(tmp_path):
    folder = copy_assignment(tmp_path)
    (folder / "cases" / "hidden.yaml").unlink()
    with pytest.raises(AssignmentError, match="hidden cases are not available"):
        build_bundle(folder, tmp_path / "autograder.zip")
    assert not (tmp_path / "autograder.zip").exists()


def test_grade_gradescope_writes_the_zip(tmp_path, capsys):
    out = tmp_path / "out" / "hw1.zip"
    assert main(["gradescope", "hw1", "--out", str(out)]) == 0
    assert "upload it as the autograder" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert "assignments/hw1/cases/hidden.yaml" in archive.namelist()


@pytest.mark.slow
def test_run_autograder_grades_a_nested_upload_in_full(gradescope_root):
    # a zip of a folder, as macOS makes it, unpacked by Gradescope
    nested = gradescope_root / "submission" / "hw1-jane"
    nested.mkdir()
    shutil.copy(REFERENCE / "ops.py", nested / "ops.py")
    (gradescope_root / "submission" / "__MACOSX").mkdir()
    (gradescope_root / "submission" / "__MACOSX" / "ops.py").write_text("junk")
    data = run_autograder(gradescope_root)
    assert data["score"] == 100 and len(data["tests"]) == 42
    assert all(t["score"] == t["max_score"] for t in data["tests"])
    assert "Hidden cases ran and count toward this score" in data["output"]
    assert "canary held" in data["extra_data"]["isolation"]
    # the workers (user nobody) could not even list the hidden cases
    assert stat.S_IMODE((gradescope_root / "source").stat().st_mode) & 0o077 == 0


@pytest.mark.slow
def test_run_autograder_takes_points_off_the_wrong_problem(gradescope_root):
    # the module at the top of the upload, as when ops.py itself is uploaded
    materialise(
        MUTANTS["matmul_no_batch_sum"],
        REFERENCE / "ops.py",
        gradescope_root / "submission",
    )
    data = run_autograder(gradescope_root)
    lost = {t["name"] for t in data["tests"] if t["score"] < t["max_score"]}
    assert lost and all("(matmul)" in name for name in lost), lost
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    assert data["score"] < 100


def test_run_autograder_explains_an_empty_upload(gradescope_root):
    data = run_autograder(gradescope_root)
    assert data["score"] == 0 and data["tests"] == []
    assert "your upload is empty: upload your ops.py" in data["output"]


def test_run_autograder_names_what_was_uploaded_instead(gradescope_root):
    (gradescope_root / "submission" / "Ops (1).py").write_text("x = 1\n")
    data = run_autograder(gradescope_root)
    assert data["score"] == 0
    assert "no ops.py found in your upload (it holds: Ops (1).py)" in data["output"]
    assert "upload ops.py itself" in data["output"]


def test_a_relative_python_path_is_taken_from_where_the_script_is_run(
    gradescope_root, tmp_path
):
    (gradescope_root / "submission" / "notes.txt").write_text("x")
    python = os.path.relpath(sys.executable, tmp_path)
    data = run_autograder(gradescope_root, cwd=tmp_path, GRADER_PYTHON=python)
    assert "no ops.py found in your upload (it holds: notes.txt)" in data["output"]


def test_run_autograder_still_writes_results_when_python_cannot_start(
    gradescope_root,
):
    shutil.copy(REFERENCE / "ops.py", gradescope_root / "submission" / "ops.py")
    data = run_autograder(gradescope_root, GRADER_PYTHON="/nonexistent/python")
    assert data["score"] == 0
    assert "the autograder could not start" in data["output"]


def isolation(read_secret: bool) -> Isolation:
    canary = {"read_secret": read_secret, "connect_loopback": False}
    return Isolation("user", None, None, None, ("limits",), canary)


def test_hidden_cases_are_not_run_where_a_worker_could_read_them(tmp_path, monkeypatch):
    monkeypatch.setattr(autograder, "current_isolation", lambda: isolation(True))
    upload = tmp_path / "upload"
    upload.mkdir()
    shutil.copy(REFERENCE / "ops.py", upload)
    data = grade_upload(HW1, upload, tmp_path / "results.json")
    assert data["score"] == 0
    assert "the hidden cases could not be protected here" in data["output"]
    assert "not with your code: tell your instructor" in data["output"]
    assert json.loads((tmp_path / "results.json").read_text()) == data


def test_a_grader_fault_still_gives_the_student_a_result(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(autograder, "current_isolation", lambda: isolation(False))
    monkeypatch.setattr(autograder, "grade_submission", broken)
    upload = tmp_path / "upload"
    upload.mkdir()
    shutil.copy(REFERENCE / "ops.py", upload)
    data = grade_upload(HW1, upload, tmp_path / "results.json")
    assert data["score"] == 0
    assert "the grader failed (RuntimeError)" in data["output"]
    assert "a bug in the grader" not in data["output"]
