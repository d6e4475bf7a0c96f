"""Shared fixtures: the repo's assignments, reference solutions and graded runs."""

import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from grader.assignment import load_assignment
from grader.evidence import Evidence
from grader.mutants import load_mutants, materialise
from grader.score import grade_submission

ROOT = Path(__file__).resolve().parents[1]
HW1 = ROOT / "assignments" / "hw1"
WARMUP = ROOT / "assignments" / "warmup"
REFERENCE = ROOT / "solutions" / "hw1"
MUTANTS = {m.name: m for m in load_mutants(REFERENCE / "mutants")}
# the `grade` installed beside this interpreter (the venv's), not another
# that PATH may find first
GRADE = shutil.which("grade", path=str(Path(sys.executable).parent)) or shutil.which(
    "grade"
)
# files tests leave for a person to look at (git-ignored)
ARTIFACTS = ROOT / "test-artifacts"


def pytest_terminal_summary(terminalreporter):
    """Say where the test artefacts are, so a CI log points at them."""
    for path in sorted(ARTIFACTS.glob("*.png")) if ARTIFACTS.is_dir() else ():
        terminalreporter.write_line(f"test artefact: {path}")


@pytest.fixture(scope="session")
def hw1():
    return load_assignment(HW1, hidden=True)


@pytest.fixture(scope="session")
def hw1_public():
    return load_assignment(HW1)


@pytest.fixture(scope="session")
def reference_result(hw1):
    return grade_submission(hw1, REFERENCE)


@pytest.fixture
def submission(tmp_path):
    """Write an ops.py from source text and return its folder."""

    def write(source: str, name: str = "ops.py") -> Path:
        folder = tmp_path / "submission"
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(source)
        return folder

    return write


@pytest.fixture
def mutant_submission(tmp_path):
    """The reference solutions with one known variant applied."""

    def make(name: str) -> Path:
        folder = tmp_path / name
        materialise(MUTANTS[name], REFERENCE / "ops.py", folder)
        return folder

    return make


def copy_assignment(tmp_path: Path, source: Path = WARMUP) -> Path:
    """A private copy of an assignment folder that a test may edit."""
    target = tmp_path / "assignments" / source.name
    shutil.copytree(source, target)
    return target


def evidence(expected, received, probes=(), **fields) -> Evidence:
    """What a diagnosis knows about one answer, with quiet defaults."""
    defaults = dict(
        name="grad_a",
        variable="a",
        received=np.asarray(received, np.float64),
        shape=np.shape(expected),
        tolerance=1e-6,
        expected=None if probes else np.asarray(expected, np.float64),
        probes=probes,
        others={},
        other_probes={},
        inputs={},
        params={},
        out_grad=None,
        output=None,
        broadcast_form=lambda shape: None,
    )
    return Evidence(**{**defaults, **fields})


class Document(HTMLParser):
    """Every tag and attribute of a page, and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags, self.attributes, self.text = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)
