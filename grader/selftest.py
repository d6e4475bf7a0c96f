"""Grade the grader: reference solutions must score full marks on every case,
public and hidden, and the handout stubs must score zero, each problem saying
it is not implemented, without a crash. Every known variant in
`solutions/NAME/mutants/` must lose points on exactly the problems it
declares, keep full marks elsewhere, and receive its declared diagnosis,
with no case diagnosed as certain of a kind it does not declare.
"""

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment, load_assignment
from grader.mistakes import CERTAIN
from grader.mutants import Mutant, load_mutants, materialise
from grader.score import ProblemResult, SubmissionResult, grade_submission

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class VariantRow:
    """One known variant graded: the points it lost and the diagnoses it got."""

    assignment: str
    name: str
    must_fail: tuple[str, ...]
    lost: tuple[str, ...]
    wanted: dict  # problem id -> declared kinds, the first required
    got: dict  # problem id -> ((kind, confidence), ...) of its failing cases
    surprises: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.surprises

    @property
    def declared(self) -> bool:
        """Whether the variant names a kind for some problem it fails."""
        return any(self.wanted.values())

    @property
    def hit(self) -> bool:
        """Every declared kind was given to some failing case of its problem."""
        return all(
            any(kind == kinds[0] for kind, _ in self.got.get(pid, ()))
            for pid, kinds in self.wanted.items()
            if kinds
        )


def grade_variants(folder: Path, seed: int = 0) -> list[VariantRow]:
    """Grade every known variant of an assignment's reference solution."""
    hidden = (folder / "cases" / "hidden.yaml").is_file()
    assignment = load_assignment(folder, hidden=hidden)
    reference = solutions_folder(assignment)
    mutants = reference / "mutants"
    if not mutants.is_dir():
        return []
    module = reference / f"{assignment.module}.py"
    rows = []
    for mutant in load_mutants(mutants):
        with tempfile.TemporaryDirectory(prefix="grader-variant-") as target:
            materialise(mutant, module, Path(target))
            result = grade_submission(assignment, Path(target), seed)
        rows.append(variant_row(assignment.name, mutant, result))
        log.info("variant %s: %s", mutant.name, "ok" if rows[-1].ok else "SURPRISE")
    return rows


def variant_table(rows: list[VariantRow]) -> list[str]:
    """The variants as printed lines, ending with the diagnosis hit rate."""
    lines = [f"{'variant':<34} {'problem':<22} {'diagnosis wanted -> got':<52} ok"]
    for row in rows:
        for pid in row.must_fail or ("(must pass)",):
            lines.append(
                f"{row.name:<34} {pid:<22} {_wanted_got(row, pid):<52} "
                f"{'yes' if row.ok else 'NO'}"
            )
        lines += [f"    {surprise}" for surprise in row.surprises[:10]]
    return lines + [hit_rate(rows)]


def hit_rate(rows: list[VariantRow]) -> str:
    """How many failing variants got the diagnosis they declare."""
    declared = [row for row in rows if row.declared]
    hits = sum(row.hit for row in declared)
    unnamed = sum(1 for row in rows if row.must_fail and not row.declared)
    wrong = sum(1 for row in rows for s in row.surprises if "as certain" in s)
    share = f"{100 * hits / len(declared):.0f} %" if declared else "n/a"
    return (
        f"diagnosis: {hits} of {len(declared)} failing variants got the declared "
        f"diagnosis ({share}); {unnamed} declare that no kind fits; "
        f"{wrong} diagnosed wrongly as certain"
    )


def variant_row(assignment: str, mutant: Mutant, result) -> VariantRow:
    """Compare a graded variant with what it declares."""
    problems = {p.id: p for p in result.problems}
    lost = tuple(p.id for p in result.problems if p.score < p.max_score)
    got = {
        pid: _diagnoses(problems[pid]) for pid in mutant.must_fail if pid in problems
    }
    surprises = [
        f"{pid} kept full marks, but the variant must fail it"
        for pid in mutant.must_fail
        if pid not in lost
    ]
    surprises += [
        f"{pid} lost points: {_first_failure(problems[pid])}"
        for pid in lost
        if pid not in mutant.must_fail
    ]
    for pid, kinds in mutant.diagnosis.items():
        surprises += _diagnosis_surprises(pid, kinds, got.get(pid, ()))
    return VariantRow(
        assignment,
        mutant.name,
        mutant.must_fail,
        lost,
        dict(mutant.diagnosis),
        got,
        tuple(surprises),
    )


def _diagnoses(problem: ProblemResult) -> tuple:
    return tuple(
        (c.diagnosis.kind, c.diagnosis.confidence)
        for c in problem.cases
        if not c.passed and c.diagnosis is not None
    )


def _diagnosis_surprises(pid: str, kinds: tuple, got: tuple) -> list[str]:
    surprises = [
        f"{pid}: diagnosed {kind} as certain, which the variant does not declare"
        for kind in sorted({k for k, confidence in got if confidence == CERTAIN})
        if kind not in kinds
    ]
    if kinds and not any(kind == kinds[0] for kind, _ in got):
        seen = ", ".join(sorted({k for k, _ in got})) or "no diagnosis"
        surprises.append(f"{pid}: never diagnosed {kinds[0]} (got {seen})")
    return surprises


def _wanted_got(row: VariantRow, pid: str) -> str:
    kinds = row.wanted.get(pid, ())
    got = row.got.get(pid, ())
    if not row.must_fail:
        return "-"
    if not kinds:
        certain = [k for k, c in got if c == CERTAIN]
        return (
            f"none fits -> {certain[0] + ' (certain)' if certain else 'none certain'}"
        )
    confidences = [c for k, c in got if k == kinds[0]]
    if confidences:
        best = CERTAIN if CERTAIN in confidences else confidences[0]
        return f"{kinds[0]} -> {kinds[0]} ({best})"
    return f"{kinds[0]} -> {got[0][0] if got else 'none'}"


def _first_failure(problem: ProblemResult) -> str:
    case = next((c for c in problem.cases if not c.passed), None)
    return f"{case.name}: {case.message}" if case else "no case failed"
