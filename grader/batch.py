"""Grade a whole class: every submission, in parallel, resumable.

Each student's files are written as soon as that student is done, with
`entry.json` last: it records the seed and a fingerprint of the submission,
the assignment and the grader. A later run skips every student whose
fingerprint is unchanged, so a batch killed halfway picks up where it
stopped and ends with the same gradebook as an uninterrupted run.
"""

import dataclasses
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import stat
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from grader import archive, sandbox
from grader.assignment import Assignment
from grader.package import grader_version
from grader.report import write_report
from grader.results import SCHEMA_VERSION, results_dict
from grader.sandbox import Isolation
from grader.score import SubmissionError, as_shown, grade_submission
from grader.summary import StudentRow, write_grades_csv, write_summary

log = logging.getLogger(__name__)

ENTRY_FILE = "entry.json"
# unpacking folders in --out are named after the batch's pid, so a later
# run can tell those of a dead batch
WORK_PREFIX = "batch-"
# the numbers a gradebook reads from each problem of a results file
RESULT_NUMBERS = ("score", "max_score", "cases_passed", "cases_total")
STUDENTS = "students"
# bytes of a hand-in hashed in full; past them a file counts by its size and
# change time, so a huge data file costs no time and an edit still shows
FINGERPRINT_BYTES = 256 * 2**20
_PR_SET_PDEATHSIG = 1
# what every grading process shares, set once when it starts
_child: tuple = ()


@dataclass(frozen=True)
class Job:
    """One student to grade, and everything that decides their grade."""

    student: str
    folder: str  # the student's output folder name under students/
    source: Path  # what they handed in: a folder, a .zip or a stray file
    label: str  # the same, as the instructor named it (not an unpacked copy)
    kind: str
    seed: int
    fingerprint: dict


@dataclass(frozen=True)
class Outcome:
    """How one student's grading ended."""

    student: str
    status: str  # graded, error (the hand-in's fault), failed (the grader's)
    score: float | None = None
    max_score: float | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did, for the closing lines."""

    total: int
    skipped: int
    outcomes: tuple[Outcome, ...]  # of this run
    not_graded: int  # in the gradebook, this run's and earlier runs'

    gradebook: Path
    summary: Path


def student_seed(assignment: str, student: str) -> int:
    """The seed a student is graded with: the same for the same id, always."""
    digest = hashlib.sha256(f"{assignment}\n{student}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def plan(
    assignment: Assignment, folder: Path, label: Path, out: Path, force: bool
) -> tuple[list[Job], list[Job]]:
    """Every student's job, split into those to grade and those unchanged.

    `folder` holds the entries; `label` is what the instructor passed (the
    same folder, or the class .zip it was unpacked from)."""
    base = {
        "assignment": _tree_digest(assignment.folder),
        "grader": f"{grader_version()} {_tree_digest(Path(__file__).parent)}",
    }
    todo, unchanged, folders = [], [], set()
    for entry in archive.submission_entries(folder):
        seed = student_seed(assignment.name, entry.student)
        fingerprint = {**base, "seed": seed, "submission": _digest(entry.path)}
        job = Job(
            entry.student,
            _unique_folder(entry.student, folders),
            entry.path,
            archive.printable(str(label / entry.path.name)),
            entry.kind,
            seed,
            fingerprint,
        )
        recorded = _read_entry(out / STUDENTS / job.folder)
        same = recorded.get("fingerprint") == fingerprint
        if (
            not force
            and same
            and _finished(assignment, out / STUDENTS / job.folder, recorded)
        ):
            unchanged.append(job)
        else:
            todo.append(job)
    return todo, unchanged


def _unique_folder(student: str, taken: set[str]) -> str:
    """The student's output folder, never one another student already has
    (an id can look like another id's hashed safe form)."""
    folder, n = archive.safe_name(student), 1
    while folder.casefold() in taken:
        digest = hashlib.sha256(f"{student}\n{n}".encode("utf-8", "surrogatepass"))
        folder, n = (
            f"{archive.safe_name(student)[:40]}-{digest.hexdigest()[:12]}",
            n + 1,
        )
    taken.add(folder.casefold())
    return folder


def _finished(assignment: Assignment, folder: Path, entry: dict) -> bool:
    """Done in an earlier run: an error recorded, or results that can be read."""
    status = entry.get("status")
    if status == "error":
        return True
    return status == "graded" and _results(assignment, folder) is not None


def run_batch(
    assignment: Assignment,
    submissions: Path,
    out: Path,
    jobs: int,
    force: bool = False,
    isolation: Isolation | None = None,
    on_start=None,
    on_done=None,
) -> BatchResult:
    """Grade every submission into `out`, then write the gradebook."""
    require_submissions(Path(submissions), out)
    out.mkdir(parents=True, exist_ok=True)
    _sweep_stale(out)
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=out))
    try:
        folder = _submissions_folder(Path(submissions), work)
        todo, unchanged = plan(assignment, folder, Path(submissions), out, force)
        if on_start is not None:
            on_start(len(todo), len(unchanged))
        outcomes = _grade_all(assignment, todo, out, work, jobs, isolation, on_done)
        everyone = sorted(todo + unchanged, key=lambda job: job.student)
        rows = [_row(assignment, out / STUDENTS / job.folder, job) for job in everyone]
        gradebook = write_grades_csv(out / "grades.csv", assignment, rows)
        summary = write_summary(out / "summary.html", assignment, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    not_graded = sum(row.results is None for row in rows)
    return BatchResult(
        len(everyone), len(unchanged), outcomes, not_graded, gradebook, summary
    )


def grade_job(job: Job) -> Outcome:
    """Grade one student into `out/students/<folder>/`; never raises."""
    try:
        return _grade_job(job, *_child)
    except SystemExit:  # SIGTERM: the worker and scratch are already cleaned up
        os._exit(128 + signal.SIGTERM)


def _grade_job(job: Job, assignment, out: Path, work: Path, isolation) -> Outcome:
    started = time.monotonic()
    target = out / STUDENTS / job.folder
    target.mkdir(parents=True, exist_ok=True)
    (target / ENTRY_FILE).unlink(missing_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="student-", dir=work))
    try:
        # named as handed in, not by the scratch copy it was graded from
        result = dataclasses.replace(
            _grade(assignment, job, scratch, isolation), submission=job.label
        )
        _write_student(target, assignment, result)
        outcome = Outcome(job.student, "graded", result.score, result.max_score)
    except (archive.ArchiveError, SubmissionError) as error:
        reason = archive.printable(str(error).replace(f"{scratch}/unpacked", job.label))
        outcome = Outcome(job.student, "error", error=reason.replace(str(scratch), ""))
    except Exception as error:  # noqa: BLE001 - one student never stops a class
        log.exception("grading %s failed", job.student)
        outcome = Outcome(job.student, "failed", error=f"grader fault: {error!r:.300}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcome = dataclasses.replace(outcome, seconds=time.monotonic() - started)
    if outcome.status != "graded":
        _write_failure(target, assignment, outcome)
    _write_json(target / ENTRY_FILE, _entry(job, outcome))
    return outcome


def _grade(assignment: Assignment, job: Job, scratch: Path, isolation):
    if job.kind == "zip":
        folder = archive.unpack_zip(job.source, scratch / "unpacked")
    elif job.kind == "folder":
        folder = job.source
    elif job.source.is_symlink():
        raise SubmissionError(
            f"{job.source.name} is a symbolic link, which is never followed; "
            "put the folder or .zip itself among the submissions"
        )
    else:
        raise SubmissionError(
            f"{job.source.name} is neither a folder nor a .zip file; hand in a "
            f"folder or a .zip holding {assignment.module}.py"
        )
    root = archive.find_submission_root(folder, assignment.module)
    name = f"{assignment.module}.py"
    if not (root / name).exists() and not (root / name).is_symlink():
        raise SubmissionError(archive.missing_module(folder, name))
    return grade_submission(assignment, root, job.seed, isolation=isolation)


def _grade_all(assignment, todo, out, work, jobs, isolation, on_done):
    outcomes: list[Outcome] = []
    if not todo:
        return ()
    # fork: the child inherits the loaded assignment (its trusted forward
    # functions cannot be pickled) and the isolation already detected
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(jobs, len(todo))),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_child,
        initargs=(assignment, out, work, isolation),
    )
    try:
        futures = {pool.submit(grade_job, job): job for job in todo}
        for future in as_completed(futures):
            outcome = _collect(future, futures[future])
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return tuple(outcomes)


def _collect(future, job: Job) -> Outcome:
    try:
        return future.result()
    except BrokenProcessPool:
        return Outcome(
            job.student, "failed", error="grader fault: its grading process died"
        )


def _init_child(assignment, out, work, isolation) -> None:
    """A grading process dies with the batch, even one killed with SIGKILL."""
    import ctypes

    global _child
    _child = (assignment, out, work, isolation)
    # Ctrl-C reaches the batch, which stops these; SIGTERM unwinds the student
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the batch died before the line above ran
        os._exit(1)
    sandbox.prepare_grader_process()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the grading processes now; each stops its worker on SIGTERM."""
    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(timeout=10)


def require_submissions(submissions: Path, out: Path) -> None:
    """Stop before any work when the class is not where it was said to be,
    or when the output would land among the hand-ins (or they in it)."""
    if not submissions.exists():
        raise SubmissionError(
            f"{submissions} does not exist: pass a folder of student folders or "
            ".zip files, or one .zip holding them"
        )
    inside, outside = Path(submissions).resolve(), Path(out).resolve()
    if inside == outside or inside in outside.parents or outside in inside.parents:
        raise SubmissionError(
            f"--out {out} and the submissions {submissions} overlap: reports "
            "would be read as hand-ins; pass an --out folder outside them"
        )


def _sweep_stale(out: Path) -> None:
    """Remove the unpacking folders of batches that died without cleaning up."""
    for stale in out.glob(f"{WORK_PREFIX}*-*"):
        owner = stale.name[len(WORK_PREFIX) :].split("-")[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(stale, ignore_errors=True)


def _submissions_folder(submissions: Path, work: Path) -> Path:
    if submissions.is_dir():
        return submissions
    try:
        return archive.open_class_archive(submissions, work / "class")
    except archive.ArchiveError as error:
        raise SubmissionError(f"cannot open {submissions}: {error}") from None


def _write_student(target: Path, assignment: Assignment, result) -> None:
    """The report and results as the spec lets students see hidden cases;
    the Gradescope file from every case (its hidden tests carry their own
    visibility, and redacted cases hold no inputs)."""
    from grader.gradescope import write_gradescope_results

    shown = as_shown(result, assignment.hidden_visibility)
    write_report(shown, assignment, target)
    _write_json(target / "results.json", results_dict(shown))
    write_gradescope_results(
        results_dict(result), assignment, target / "gradescope" / "results.json"
    )


def _write_failure(target: Path, assignment, outcome: Outcome) -> None:
    from grader.gradescope import gradescope_error

    for stale in ("results.json", "report.html"):
        (target / stale).unlink(missing_ok=True)
    _write_json(
        target / "gradescope" / "results.json",
        gradescope_error(outcome.error or "", assignment),
    )


def _row(assignment: Assignment, folder: Path, job: Job) -> StudentRow:
    entry = _read_entry(folder)
    if entry.get("status") == "graded":
        results = _results(assignment, folder)
        if results is not None:
            report = f"{STUDENTS}/{job.folder}/report.html"
            return StudentRow(job.student, results, None, job.seed, report)
        entry = {"error": "its results.json is missing or unreadable; run again"}
    error = entry.get("error") or "the batch stopped before this student"
    return StudentRow(job.student, None, error, job.seed)


def _results(assignment: Assignment, folder: Path) -> dict | None:
    """A student's results, if they are whole results of this assignment."""
    try:
        data = json.loads((folder / "results.json").read_text("utf-8"))
        ids = [problem["id"] for problem in data["problems"]]
        numbers = [data["score"]] + [
            p[k] for p in data["problems"] for k in RESULT_NUMBERS
        ]
        whole = (
            data["schema_version"] == SCHEMA_VERSION
            and data["assignment"] == assignment.name
            and ids == [problem.id for problem in assignment.problems]
            and all(isinstance(n, (int, float)) for n in numbers)
            and all(isinstance(p["cases"], list) for p in data["problems"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return data if whole else None


def _entry(job: Job, outcome: Outcome) -> dict:
    return {
        "student": job.student,
        "source": job.label,
        "seed": job.seed,
        "fingerprint": job.fingerprint,
        **dataclasses.asdict(outcome),
    }


def _read_entry(folder: Path) -> dict:
    try:
        data = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict) -> None:
    """Write whole or not at all: a kill mid-write leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
    os.replace(partial, path)


def _digest(path: Path) -> str:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "missing"
    if stat.S_ISDIR(mode):
        return _tree_digest(path)
    return _file_digest(path) if stat.S_ISREG(mode) else "not a regular file"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()


def _tree_digest(folder: Path) -> str:
    """A hash of every regular file's relative path and bytes, links not
    followed; past FINGERPRINT_BYTES, of each file's size and change time."""
    digest, budget = hashlib.sha256(), FINGERPRINT_BYTES
    for path in archive.walk_files(folder):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
        status = path.stat()
        if status.st_size > budget:
            digest.update(f"{status.st_size} {status.st_mtime_ns}".encode())
            continue
        budget -= status.st_size
        digest.update(_file_digest(path).encode())
    return digest.hexdigest()
