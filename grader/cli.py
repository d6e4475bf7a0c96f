"""The `grade` command: grade a submission, list assignments, test the grader.

    grade ASSIGNMENT [--submission PATH] [--out DIR] [--hidden] [--seed N]
    grade batch ASSIGNMENT SUBMISSIONS --out DIR [--jobs N] [--force]
    grade list
    grade selftest [ASSIGNMENT ...]
    grade gradescope ASSIGNMENT [--out autograder.zip]
    grade release ASSIGNMENT [--out DIR]

Exit status: 0 when grading ran (whatever the score), 1 when it could not,
2 for a usage error.
"""

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from grader import batch
from grader.assignment import (
    AssignmentError,
    find_assignment,
    list_assignments,
    load_assignment,
)
from grader.autograder import build_bundle
from grader.cases import CaseError
from grader.release import GRADER_FOLDER, ReleaseError, release_handout, released_files
from grader.report import write_report
from grader.results import write_results
from grader.runner import current_isolation
from grader.sandbox import TIERS, IsolationError
from grader.score import (
    SubmissionError,
    SubmissionResult,
    as_shown,
    find_module,
    grade_submission,
)
from grader.selftest import grade_variants, selftest, variant_table
from grader.terminal import BatchProgress, say, terminal_safe

COMMANDS = ("batch", "list", "selftest", "gradescope", "release")
DESCRIPTIONS = {
    "grade": "Grade a submission (a folder holding the student module) against an "
    "assignment, and write report.html and results.json.",
    "batch": "Grade every submission of a class (a folder of student folders or "
    ".zip files, or one .zip of them) with hidden cases, in parallel; write each "
    "student's report and results, grades.csv and summary.html. Rerunning "
    "resumes: unchanged students are skipped.",
    "list": "List the assignments the grader can find.",
    "selftest": "Grade every assignment's reference solutions (full marks expected), "
    "handout stubs (zero expected) and known variants (as declared); exit 1 on "
    "any surprise.",
    "gradescope": "Build the zip to upload as a Gradescope autograder: the grader, "
    "the assignment with its hidden cases, setup.sh and run_autograder.",
    "release": "Write the handout students get: stubs, spec, public cases, the "
    "grader's source and a README; never hidden cases or solutions.",
}
EPILOG = (
    "other commands: `grade list` shows the assignments found; `grade selftest` "
    "grades the reference solutions and stubs"
)
FAILURES = (AssignmentError, SubmissionError, CaseError, IsolationError)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv and argv[0] in COMMANDS else "grade"
    args = _parser(command).parse_args(argv[1:] if command != "grade" else argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    run = {
        "grade": run_grade,
        "batch": run_batch,
        "list": run_list,
        "selftest": run_selftest,
        "gradescope": run_gradescope,
        "release": run_release,
    }[command]
    # a polite kill still runs the cleanup that stops workers and deletes folders
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    try:
        return run(args)
    except FAILURES as error:
        print(f"grade: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        resume = (
            ": every student graded so far is saved; run the same command to resume"
            if command == "batch"
            else ""
        )
        print(f"grade: interrupted{resume}", file=sys.stderr)
        return 130


def run_grade(args) -> int:
    """Grade one submission and write its report and results."""
    folder = find_assignment(args.assignment, args.assignments)
    assignment = load_assignment(folder, hidden=args.hidden)
    submission = Path(args.submission)
    find_module(assignment, submission)
    isolation = current_isolation(args.isolation)
    if args.hidden:
        _require_protection(isolation, args.accept_risk)
    out = _output_folder(Path(args.out))
    say(
        f"Grading {submission.resolve()} against {assignment.name} "
        f"({assignment.title}) from {folder.resolve()}"
    )
    say(f"Isolation: {isolation.summary()}")
    printed: list[str] = []
    result = grade_submission(
        assignment,
        submission,
        args.seed,
        progress=lambda problem: say(_summary_line(problem, printed)),
        isolation=isolation,
    )
    shown = as_shown(result, assignment.hidden_visibility)
    try:
        report = write_report(shown, assignment, out)
        results = write_results(shown, out)
    except OSError as error:
        raise SubmissionError(f"cannot write into {out}: {error.strerror}") from None
    say(_closing(result, report, results))
    return 0


def run_batch(args) -> int:
    """Grade a class into one folder, resuming where an earlier run stopped."""
    folder = find_assignment(args.assignment, args.assignments)
    assignment = load_assignment(folder, hidden=True)
    batch.require_submissions(Path(args.submissions), Path(args.out))
    isolation = current_isolation(args.isolation)
    _require_protection(isolation, args.accept_risk)
    out = _output_folder(Path(args.out))
    say(
        f"Grading {Path(args.submissions).resolve()} against {assignment.name} "
        f"with hidden cases, {args.jobs} at a time, into {out.resolve()}"
    )
    say(f"Isolation: {isolation.summary()}")
    shown = BatchProgress()
    result = batch.run_batch(
        assignment,
        Path(args.submissions),
        out,
        args.jobs,
        force=args.force,
        isolation=isolation,
        on_start=shown.start,
        on_done=shown.done,
    )
    shown.close()
    say(_batch_closing(result))
    return 0


def run_list(args) -> int:
    """List every assignment the grader can find."""
    folders = list_assignments(args.assignments)
    if not folders:
        print("no assignments found; pass --assignments DIR", file=sys.stderr)
        return 1
    for folder in folders:
        try:
            assignment = load_assignment(folder)
            points = sum(p.points for p in assignment.problems)
            say(
                f"{folder.name:<16} {assignment.title} "
                f"({len(assignment.problems)} problems, {points:g} points)  {folder}"
            )
        except FAILURES as error:
            say(f"{folder.name:<16} cannot be loaded: {error}")
    return 0


def run_selftest(args) -> int:
    """Grade reference solutions, stubs and known variants; exit 1 on a surprise."""
    names = args.names or [f.name for f in list_assignments(args.assignments)]
    rows, variants = [], []
    for name in names:
        rows += selftest(find_assignment(name, args.assignments), args.seed)
        variants += grade_variants(find_assignment(name, args.assignments), args.seed)
    say(f"Isolation: {current_isolation().summary()}")
    say(f"{'assignment':<12} {'submission':<44} {'expected':<22} {'score':>12}  ok")
    for row in rows:
        where = _tail(row.submission, 44)
        score = f"{row.score:g}/{row.max_score:g}"
        say(
            f"{row.assignment:<12} {where:<44} {row.expected:<22} {score:>12}  "
            f"{'yes' if row.ok else 'NO'}"
        )
        for surprise in row.surprises[:20]:
            say(f"    {terminal_safe(surprise)}")
    if variants:
        say("\n".join(terminal_safe(line) for line in variant_table(variants)))
    failed = [row for row in rows + variants if not row.ok]
    total = len(rows) + len(variants)
    say(f"selftest: {total - len(failed)} of {total} submissions behaved as expected")
    return 1 if failed else 0


def run_gradescope(args) -> int:
    """Build the Gradescope autograder zip of one assignment."""
    folder = find_assignment(args.assignment, args.assignments)
    try:
        out = build_bundle(folder, Path(args.out))
    except OSError as error:
        raise SubmissionError(f"cannot write {args.out}: {error.strerror}") from None
    say(
        f"Wrote {out} for {folder.name} from {folder.resolve()}, hidden cases "
        "included: upload it as the autograder of a Gradescope programming "
        "assignment, and keep it from students"
    )
    return 0


def run_release(args) -> int:
    """Write an assignment's handout for students and say what is in it."""
    folder = find_assignment(args.assignment, args.assignments)
    name = folder.resolve().name
    out = Path(args.out or f"{name}-handout")
    try:
        release_handout(folder, out)
    except ReleaseError as error:
        print(f"grade: error: {error}", file=sys.stderr)
        return 1
    say(f"Released {name} from {folder.resolve()} into {out}:")
    say("\n".join(f"  {path}" for path in released_files(out)))
    say(f"  {GRADER_FOLDER}/ (the grader itself, for pip install)")
    say(
        f"Next: try it as a student would (cd {out} && python3 -m venv .venv && "
        f".venv/bin/pip install ./{GRADER_FOLDER} && .venv/bin/grade {name}), "
        "then hand the folder out. Hidden cases and solutions stay with you."
    )
    return 0


def _parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade" if command == "grade" else f"grade {command}",
        description=DESCRIPTIONS[command],
        epilog=EPILOG,
    )
    if command in ("grade", "batch", "gradescope", "release"):
        parser.add_argument("assignment", help="assignment name (see `grade list`)")
    if command == "batch":
        parser.add_argument(
            "submissions",
            help="folder of student folders or .zip files, or one .zip holding them; "
            "each entry's name is the student id",
        )
        parser.add_argument(
            "--out", required=True, help="folder for the gradebook and every report"
        )
        parser.add_argument(
            "--jobs",
            type=_jobs,
            default=os.cpu_count() or 1,
            help="submissions graded at once (default: one per core)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="regrade everyone, even students whose grade is up to date",
        )
    if command == "grade":
        parser.add_argument(
            "--submission",
            default=".",
            help="folder holding the student module, or the file (default: .)",
        )
        parser.add_argument(
            "--out",
            default="grade-report",
            help="folder for report.html and results.json (default: ./grade-report)",
        )
        parser.add_argument(
            "--hidden",
            action="store_true",
            help="also run the hidden cases (instructors)",
        )
    if command in ("grade", "batch"):
        parser.add_argument(
            "--accept-risk",
            action="store_true",
            help="run hidden cases even where isolation cannot protect them",
        )
    if command in ("grade", "batch", "selftest"):
        parser.add_argument(
            "--isolation",
            choices=TIERS,
            help="force an isolation tier (default: the strongest available)",
        )
    if command == "gradescope":
        parser.add_argument(
            "--out",
            default="autograder.zip",
            help="the zip to write (default: ./autograder.zip)",
        )
    if command in ("grade", "selftest"):
        parser.add_argument(
            "--seed",
            type=_seed,
            default=0,
            help="grading seed, 0 or more; the same seed grades the same way",
        )
    if command == "release":
        parser.add_argument(
            "--out",
            metavar="DIR",
            help="folder to write, new or empty (default: ./ASSIGNMENT-handout)",
        )
    if command == "selftest":
        parser.add_argument(
            "names",
            nargs="*",
            metavar="ASSIGNMENT",
            help="assignments to test (default: all)",
        )
    parser.add_argument(
        "--assignments",
        action="append",
        metavar="DIR",
        help="extra folder to search for assignments",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    return parser


def _summary_line(problem, printed: list[str]) -> str:
    first = next((c for c in problem.cases if not c.passed), None)
    failure = ""
    if first is not None:
        message = terminal_safe(first.message)
        repeated = bool(printed) and printed[-1] == message
        failure = "  (same as above)" if repeated else f"  {first.name}: {message}"
        printed.append(message)
    line = (
        f"  {problem.id:<24}{problem.score:>6g}/{problem.max_score:<4g}"
        f"{problem.passed:>3}/{problem.total} cases{failure}"
    )
    return line if len(line) <= 200 else line[:197] + "..."


def _closing(result: SubmissionResult, report: Path, results: Path) -> str:
    lines = [f"Score: {result.score:g} / {result.max_score:g}"]
    if not result.hidden_ran:
        lines.append(
            "Only public cases ran: hidden cases run at grading time, so "
            "this is not your final score."
        )
    lines += [f"Report:  {report}", f"Results: {results}"]
    return "\n".join(lines)


def _require_protection(isolation, accept_risk: bool) -> None:
    if isolation.protects_secrets or accept_risk:
        return
    raise IsolationError(
        f"refusing to run hidden cases: isolation here is {isolation.summary()}, "
        "so student code could read the hidden cases and solutions. Install "
        "bubblewrap, python3-numpy and python3-seccomp, or pass --accept-risk "
        "to grade anyway"
    )


def _batch_closing(result) -> str:
    if not result.total:
        return (
            "No submissions found: the folder holds no student folders or .zip "
            "files (dotfiles and __MACOSX are ignored)"
        )
    graded = sum(o.status == "graded" for o in result.outcomes)
    lines = [
        (
            f"Graded {graded} of {result.total} submissions in this run"
            f" ({result.skipped} unchanged since the last run, skipped);"
            f" {result.not_graded} of {result.total} could not be graded"
        )
    ]
    lines += [f"Gradebook: {result.gradebook}", f"Overview:  {result.summary}"]
    return "\n".join(lines)


def _output_folder(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SubmissionError(
            f"cannot use {out} for the report: {error.strerror}; pass --out with a "
            "folder you can write"
        ) from None
    return out


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _tail(text: str, width: int) -> str:
    return text if len(text) <= width else "..." + text[-(width - 3) :]


if __name__ == "__main__":
    sys.exit(main())
