"""Grade one submission: every case of every problem, each on its own.

A problem scores its points times the fraction of its cases passed, or all
or nothing where the spec says so. One case failing, hanging or crashing
never stops the cases after it; a problem whose cases keep timing out has
its remaining cases marked as skipped so a hung submission costs seconds,
not minutes.
"""

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment, Problem
from grader.cases import preflight
from grader.check import CaseResult, check_case
from grader.runner import Worker
from grader.sandbox import Isolation

log = logging.getLogger(__name__)

# after this many timeouts in one problem, its other cases are not run
TIMEOUTS_PER_PROBLEM = 2


@dataclass(frozen=True)
class ProblemResult:
    """One problem's score and the verdict on each of its cases."""

    id: str
    title: str
    score: float
    max_score: float
    cases: tuple[CaseResult, ...]
    # hidden cases counted but not listed, as (passed, total), where the
    # spec shows only totals of hidden cases
    withheld: tuple[int, int] = (0, 0)

    @property
    def passed(self) -> int:
        return sum(case.passed for case in self.cases) + self.withheld[0]

    @property
    def total(self) -> int:
        return len(self.cases) + self.withheld[1]


@dataclass(frozen=True)
class SubmissionResult:
    """Everything known about one graded submission."""

    assignment: str
    title: str
    submission: str
    score: float
    max_score: float
    seed: int
    hidden_ran: bool
    problems: tuple[ProblemResult, ...]
    isolation: str = ""


class SubmissionError(Exception):
    """A submission that cannot be graded at all (no module file)."""


def grade_submission(
    assignment: Assignment,
    submission: Path,
    seed: int = 0,
    progress=None,
    isolation: "Isolation | None" = None,
) -> SubmissionResult:
    """Grade the student module in `submission` against every loaded case."""
    module_path = find_module(assignment, submission)
    preflight(assignment.problems, seed)
    problems = []
    with Worker(module_path, isolation) as worker:
        for problem in assignment.problems:
            problems.append(grade_problem(problem, worker, seed))
            if progress is not None:
                progress(problems[-1])
    score = round(sum(p.score for p in problems), 2)
    return SubmissionResult(
        assignment=assignment.name,
        title=assignment.title,
        submission=str(Path(submission).resolve()),
        score=score,
        max_score=round(sum(p.max_score for p in problems), 2),
        seed=seed,
        hidden_ran=assignment.hidden_loaded,
        problems=tuple(problems),
        isolation=worker.isolation.summary(),
    )


def as_shown(result: SubmissionResult, visibility: str) -> SubmissionResult:
    """The result as reports may show it: with "totals", hidden cases are
    counted per problem but not listed."""
    if visibility != "totals":
        return result
    problems = []
    for problem in result.problems:
        hidden = [case for case in problem.cases if case.hidden]
        shown = tuple(case for case in problem.cases if not case.hidden)
        withheld = (sum(case.passed for case in hidden), len(hidden))
        problems.append(dataclasses.replace(problem, cases=shown, withheld=withheld))
    return dataclasses.replace(result, problems=tuple(problems))


def grade_problem(problem: Problem, worker: Worker, seed: int) -> ProblemResult:
    """Run every case of one problem and score it."""
    results: list[CaseResult] = []
    timeouts = 0
    for case in problem.cases:
        if timeouts >= TIMEOUTS_PER_PROBLEM:
            results.append(
                CaseResult(
                    name=case.name,
                    hidden=case.hidden,
                    passed=False,
                    message=f"not run: {timeouts} earlier cases of this problem timed out",
                )
            )
            continue
        result = check_case(problem, case, seed, worker)
        timeouts += result.call_status == "timeout"
        log.debug("%s › %s: %s", problem.id, case.name, result.message)
        results.append(result)
    return ProblemResult(
        problem.id,
        problem.title,
        problem_score(problem, results),
        problem.points,
        tuple(results),
    )


def problem_score(problem: Problem, results: list[CaseResult]) -> float:
    """Points times the fraction passed, or all or nothing."""
    passed = sum(r.passed for r in results)
    if problem.all_or_nothing:
        return problem.points if passed == len(results) else 0.0
    return round(problem.points * passed / len(results), 2)


def find_module(assignment: Assignment, submission: Path) -> Path:
    """The student's module file inside a submission folder."""
    submission = Path(submission)
    name = f"{assignment.module}.py"
    if not submission.exists():
        raise SubmissionError(
            f"{submission.resolve()} does not exist: pass --submission the folder "
            f"that holds your {name} (or the file itself)"
        )
    path = submission if submission.is_file() else submission / name
    if path.is_symlink():
        raise SubmissionError(
            f"{path} is a symbolic link; submit the {name} file itself"
        )
    if not path.is_file():
        raise SubmissionError(
            f"no {name} in {submission.resolve()}: run `grade {assignment.name}` "
            f"in the folder that holds your {name}, or pass --submission PATH"
        )
    if path.suffix != ".py":
        raise SubmissionError(f"{path} is not a Python file (.py): submit your {name}")
    return path
