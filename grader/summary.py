"""The class outputs of a batch: `grades.csv` and `summary.html`.

Both take every student of a batch, graded or not, and are byte-identical
for the same students in any order: rows are sorted by student id and
nothing depends on the clock. Student ids and the reasons a submission could
not be graded are hostile text. In the CSV a cell that a spreadsheet would
read as a formula gets a leading `'`; in the HTML, Jinja2 autoescapes
everything, a CSP forbids scripts and any fetch, and the histogram is inline
SVG drawn from numbers computed here.
"""

import csv
import io
import logging
import math
import os
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from grader.assignment import Assignment, Problem
from grader.mistakes import KINDS
from grader.render import Environment, html_templates
from grader.report import clip
from grader.results import SCHEMA_VERSION

log = logging.getLogger(__name__)

# a spreadsheet reads a cell starting with one of these as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# the reason a submission was not graded, in one CSV cell or table row
REASON_LIMIT = 300
# ten bins: each is a tenth of the maximum score, the last one closed
BINS = 10
# histogram drawing area and margins for the axis labels, in px
PLOT_WIDTH, PLOT_HEIGHT = 480, 160
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 20, 18, 40
# the most common diagnoses shown per problem
TOP_DIAGNOSES = 3
# failures no diagnosis explains, counted by what happened instead:
# kind -> (what it means, how a failed case's message starts)
OUTCOMES = {
    "not_implemented": (
        "the function still raises NotImplementedError",
        "not implemented yet",
    ),
    "timeout": ("the call did not finish in time", ""),
}


@dataclass(frozen=True)
class StudentRow:
    """One student of a batch: their results, or why there are none.

    `report` is the student's report as a relative POSIX path from the
    summary's folder (such as `students/ab12/report.html`); the summary
    percent-encodes it into a link.
    """

    student: str  # student id (entry name)
    results: dict | None  # that student's results.json data (schema v1)
    error: str | None  # why it could not be graded (None if graded)
    seed: int | None = None
    report: str | None = None

    def __post_init__(self):
        if (self.results is None) == (self.error is None):
            has = "neither" if self.results is None else "both"
            raise ValueError(
                f"student {self.student!r} has {has} results and an error "
                f"(error={self.error!r}); give exactly one: the results of a "
                "graded submission or the reason it could not be graded"
            )


@dataclass(frozen=True)
class ProblemStats:
    """How the class did on one problem, over the graded students."""

    id: str
    title: str
    points: float
    mean: float | None
    pass_rate: float | None  # share of students with full points
    cases_passed: float | None  # share of all their cases passed
    diagnoses: tuple[tuple[str, int], ...]  # (kind, students), most common first
    undiagnosed: int  # students with a failed case that no kind fits


def write_grades_csv(
    path: Path, assignment: Assignment, rows: list[StudentRow]
) -> Path:
    """Write the gradebook CSV to `path` (a file) and return it.

    One header, `student,total,<problem ids>,status`, and one row per
    student sorted by id. A student who could not be graded has empty score
    cells, not zeros, so an import leaves their grade unset, and the reason
    in `status`.
    """
    ids = [problem.id for problem in assignment.problems]
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["student", "total", *ids, "status"])
    for row in _sorted(assignment, rows):
        writer.writerow([safe_cell(cell) for cell in _grade_cells(row, ids)])
    _replace(Path(path), text.getvalue())
    log.info("wrote %s (%d students)", path, len(rows))
    return Path(path)


def write_summary(path: Path, assignment: Assignment, rows: list[StudentRow]) -> Path:
    """Write the class overview HTML to `path` (a file) and return it."""
    _replace(Path(path), render_summary(assignment, rows))
    log.info("wrote %s (%d students)", path, len(rows))
    return Path(path)


def _replace(path: Path, text: str) -> None:
    """Write whole or not at all: a failure leaves the previous file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with partial.open("w", encoding="utf-8", newline="") as file:
        file.write(text)
    os.replace(partial, path)


def render_summary(assignment: Assignment, rows: list[StudentRow]) -> str:
    """The class overview as an HTML string."""
    rows = _sorted(assignment, rows)
    graded = [row for row in rows if row.results is not None]
    totals = [float(row.results["score"]) for row in graded]
    max_score = sum(problem.points for problem in assignment.problems)
    problems = [problem_stats(p, graded) for p in assignment.problems]
    return (
        _environment()
        .get_template("summary.html.j2")
        .render(
            assignment=assignment,
            rows=rows,
            graded=graded,
            ungraded=[row for row in rows if row.results is None],
            public_only=sum(bool(row.results.get("public_only")) for row in graded),
            max_score=max_score,
            totals=_totals(totals),
            histogram=histogram(totals, max_score),
            problems=problems,
            legend=_legend(problems),
            students=[_student_line(row) for row in rows],
        )
    )


def safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def points(value: float | None) -> str:
    """A score as both outputs write it: at most two decimals, no trailing 0."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def report_href(report: str | None) -> str | None:
    """A student's report path as a relative link that stays in the batch."""
    if report is None:
        return None
    path = PurePosixPath(report)
    if path.is_absolute() or ".." in path.parts or "\\" in report:
        raise ValueError(
            f"report link {report!r} leaves the summary's folder; give a relative "
            "path below it, such as students/ID/report.html"
        )
    return quote(str(path), safe="/")


def histogram(totals: list[float], max_score: float) -> dict:
    """Counts of totals in `BINS` equal bins over 0..max, and how to draw them."""
    counts = [0] * BINS
    for total in totals:
        counts[min(BINS - 1, max(0, math.floor(total * BINS / max_score)))] += 1
    step, tallest = PLOT_WIDTH / BINS, max(counts + [1])
    bins = []
    for i, count in enumerate(counts):
        height = round(PLOT_HEIGHT * count / tallest, 1)
        low, high = max_score * i / BINS, max_score * (i + 1) / BINS
        bins.append(
            {
                "low": points(low),
                "high": points(high),
                "closed": i == BINS - 1,
                "count": count,
                "x": round(MARGIN_LEFT + i * step + 2, 1),
                "y": round(MARGIN_TOP + PLOT_HEIGHT - height, 1),
                "width": round(step - 4, 1),
                "height": height,
                "middle": round(MARGIN_LEFT + (i + 0.5) * step, 1),
            }
        )
    return {
        "bins": bins,
        "ticks": [
            (round(MARGIN_LEFT + i * step, 1), points(max_score * i / BINS))
            for i in range(BINS + 1)
        ],
        "tallest": tallest,
        "left": MARGIN_LEFT,
        "top": MARGIN_TOP,
        "base": MARGIN_TOP + PLOT_HEIGHT,
        "width": MARGIN_LEFT + PLOT_WIDTH + MARGIN_RIGHT,
        "height": MARGIN_TOP + PLOT_HEIGHT + MARGIN_BOTTOM,
        "right": MARGIN_LEFT + PLOT_WIDTH,
    }


def problem_stats(problem: Problem, graded: list[StudentRow]) -> ProblemStats:
    """Mean score, pass rate, cases passed and common mistakes on one problem."""
    results = [_problem(row, problem.id) for row in graded]
    results = [r for r in results if r is not None]
    kinds: Counter = Counter()
    undiagnosed = 0
    for result in results:
        failed = [c for c in result.get("cases") or [] if not c.get("passed")]
        seen = {_failure_kind(c) for c in failed} - {None}
        kinds.update(seen)
        undiagnosed += bool(failed) and not seen
    cases = sum(r["cases_total"] for r in results)
    return ProblemStats(
        id=problem.id,
        title=problem.title,
        points=problem.points,
        mean=statistics.fmean(r["score"] for r in results) if results else None,
        pass_rate=_share(sum(r["score"] >= r["max_score"] for r in results), results),
        cases_passed=sum(r["cases_passed"] for r in results) / cases if cases else None,
        diagnoses=tuple(
            sorted(kinds.items(), key=lambda item: (-item[1], item[0]))[:TOP_DIAGNOSES]
        ),
        undiagnosed=undiagnosed,
    )


def _failure_kind(case: dict) -> str | None:
    """The diagnosed kind of a failed case, or what happened where no
    diagnosis applies (a stub, a hang)."""
    if case.get("diagnosis"):
        return case["diagnosis"]["kind"]
    if str(case.get("message", "")).startswith(OUTCOMES["not_implemented"][1]):
        return "not_implemented"
    return "timeout" if case.get("call_status") == "timeout" else None


def _sorted(assignment: Assignment, rows: list[StudentRow]) -> list[StudentRow]:
    """The rows by student id, after checking they belong to this batch."""
    counts = Counter(row.student for row in rows)
    twice = sorted(student for student, n in counts.items() if n > 1)
    if twice:
        raise ValueError(
            f"students {twice!r} appear more than once in the batch; give each "
            "student exactly one row"
        )
    for row in rows:
        _check_results(assignment, row)
    return sorted(rows, key=lambda row: row.student)


def _check_results(assignment: Assignment, row: StudentRow) -> None:
    if row.results is None:
        return
    version = row.results.get("schema_version")
    name = row.results.get("assignment")
    if version != SCHEMA_VERSION or name != assignment.name:
        raise ValueError(
            f"the results of student {row.student!r} are schema version "
            f"{version!r} of assignment {name!r}, but this summary reads version "
            f"{SCHEMA_VERSION} of {assignment.name!r}; grade them again"
        )


def _student_line(row: StudentRow) -> dict:
    """What the students table shows of one student."""
    line = {"student": row.student, "href": report_href(row.report)}
    if row.results is None:
        empty = {"total": None, "problems": 0, "cases": 0, "status": "not graded"}
        return {**line, **empty, "seed": row.seed}
    problems = row.results.get("problems", [])
    return {
        **line,
        "total": row.results["score"],
        "problems": len(problems),
        "full": sum(p["score"] >= p["max_score"] for p in problems),
        "cases": sum(p["cases_total"] for p in problems),
        "passed": sum(p["cases_passed"] for p in problems),
        "seed": row.results.get("seed") if row.seed is None else row.seed,
        "status": _status(row),
    }


def _legend(problems: list[ProblemStats]) -> list[tuple[str, str]]:
    """The kinds the problems table names, with what each means."""
    kinds = sorted({kind for p in problems for kind, _ in p.diagnoses})
    return [(kind, _meaning(kind)) for kind in kinds]


def _meaning(kind: str) -> str:
    if kind in OUTCOMES:
        return OUTCOMES[kind][0]
    return KINDS[kind].summary if kind in KINDS else ""


def _grade_cells(row: StudentRow, ids: list[str]) -> list[str]:
    if row.results is None:
        reason = " ".join(str(row.error).split())
        if len(reason) > REASON_LIMIT:
            reason = reason[: REASON_LIMIT - 1] + "…"
        return [row.student, "", *[""] * len(ids), f"not graded: {reason}"]
    scores = [_problem(row, problem_id) for problem_id in ids]
    return [
        row.student,
        points(row.results["score"]),
        *[points(s["score"]) if s else "" for s in scores],
        _status(row),
    ]


def _status(row: StudentRow) -> str:
    if row.results.get("public_only"):
        return "graded: public cases only"
    return "graded"


def _problem(row: StudentRow, problem_id: str) -> dict | None:
    for problem in row.results.get("problems", []):
        if problem.get("id") == problem_id:
            return problem
    return None


def _totals(totals: list[float]) -> dict | None:
    if not totals:
        return None
    return {
        "mean": statistics.fmean(totals),
        "median": statistics.median(totals),
        "min": min(totals),
        "max": max(totals),
    }


def _share(count: int, of: list) -> float | None:
    return count / len(of) if of else None


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f} %"


def _environment() -> Environment:
    return html_templates(clip=clip, points=points, percent=_percent, href=report_href)
