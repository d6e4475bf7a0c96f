"""Grade the grader: reference solutions must score full marks on every case,
public and hidden, and the handout stubs must score zero, each problem saying
it is not implemented, without a crash.
"""

from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment, load_assignment
from grader.score import SubmissionResult, grade_submission

NOT_IMPLEMENTED = "not implemented yet"


@dataclass(frozen=True)
class SelftestRow:
    """One submission the selftest graded, and whether it behaved."""

    assignment: str
    submission: str
    expected: str
    score: float
    max_score: float
    ok: bool
    surprises: tuple[str, ...]


def solutions_folder(assignment: Assignment) -> Path:
    """Reference solutions sit in `solutions/NAME/` beside `assignments/`."""
    return assignment.folder.resolve().parents[1] / "solutions" / assignment.name


def selftest(folder: Path, seed: int = 0) -> list[SelftestRow]:
    """Grade an assignment's reference solutions and its handout stubs."""
    hidden = (folder / "cases" / "hidden.yaml").is_file()
    assignment = load_assignment(folder, hidden=hidden)
    rows = []
    reference = solutions_folder(assignment)
    if reference.is_dir():
        result = grade_submission(assignment, reference, seed)
        rows.append(_row(assignment, result, "full marks", _full_marks(result)))
    else:
        rows.append(
            SelftestRow(
                assignment.name,
                str(reference),
                "full marks",
                0,
                0,
                False,
                (f"no reference solutions at {reference}",),
            )
        )
    handout = assignment.folder / "handout"
    result = grade_submission(assignment, handout, seed)
    rows.append(_row(assignment, result, "zero, not implemented", _stubbed(result)))
    return rows


def _full_marks(result: SubmissionResult) -> list[str]:
    return [
        f"{p.id} › {c.name}: {c.message}"
        for p in result.problems
        for c in p.cases
        if not c.passed
    ]


def _stubbed(result: SubmissionResult) -> list[str]:
    return [
        f"{p.id} › {c.name}: {c.message}"
        for p in result.problems
        for c in p.cases
        if c.passed or not c.message.startswith(NOT_IMPLEMENTED)
    ]


def _row(assignment, result, expected, surprises) -> SelftestRow:
    return SelftestRow(
        assignment.name,
        result.submission,
        expected,
        result.score,
        result.max_score,
        not surprises,
        tuple(surprises),
    )
