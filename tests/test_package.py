"""The grader's own source, as a handout and a Gradescope bundle carry it."""

import shutil
from pathlib import Path

import grader
from grader import package


def test_only_the_code_and_templates_are_copied(tmp_path, monkeypatch):
    fake = tmp_path / "installed" / "grader"
    shutil.copytree(Path(grader.__file__).parent, fake)
    (fake / "autograder.zip").write_bytes(b"hidden cases inside")
    (fake / "templates" / "notes.txt").write_text("secret")
    (fake / "__pycache__").mkdir(exist_ok=True)
    (fake / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"\0")
    monkeypatch.setattr(grader, "__file__", str(fake / "__init__.py"))

    copied = package.copy_grader_source(tmp_path / "src")
    top = copied / "grader"
    names = {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()}
    expected = {p.name for p in fake.glob("*.py")}
    expected |= {f"templates/{p.name}" for p in fake.glob("templates/*.j2")}
    assert names == expected
    assert "cli.py" in names and "templates/report.html.j2" in names


def test_the_copy_declares_the_runtime_dependencies_only(tmp_path):
    # tests/test_release.py installs such a copy into a fresh venv
    copied = package.copy_grader_source(tmp_path / "src")
    text = (copied / "pyproject.toml").read_text()
    assert 'grade = "grader.cli:main"' in text and '"numpy' in text
    assert "pytest" not in text and "torch" not in text
