"""The Gradescope autograder: the zip an instructor uploads, and what it runs.

`build_bundle` writes a zip holding, at its top, `setup.sh` (Debian packages
and the grader in a virtual environment), `run_autograder`, the grader's
source (`grader-src/`) and the assignment with its hidden cases
(`assignments/NAME/`). For every upload, `run_autograder` makes the source
folder unreadable to other users (the workers run as `nobody`) and calls

    python -m grader.autograder ASSIGNMENT_FOLDER SUBMISSION_FOLDER RESULTS_JSON

which grades with the hidden cases and always writes a Gradescope
results.json: a grade, or a score of 0 that says what went wrong and what to
do. `AUTOGRADER_ROOT` (default `/autograder`), `GRADER_VENV` and
`GRADER_PYTHON` move the scripts' paths, to try a bundle outside Gradescope.
"""

import json
import logging
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from grader.archive import NOISE, find_submission_root, missing_module
from grader.assignment import Assignment, AssignmentError, load_assignment
from grader.cases import CaseError
from grader.gradescope import gradescope_error, gradescope_results, write_gradescope
from grader.package import copy_grader_source
from grader.render import text_templates
from grader.results import results_dict
from grader.runner import current_isolation
from grader.sandbox import IsolationError
from grader.score import SubmissionError, grade_submission

log = logging.getLogger(__name__)

# what setup.sh installs with apt: the strongest tier needs all but the first three
PACKAGES = (
    "python3",
    "python3-venv",
    "python3-pip",
    "bubblewrap",
    "python3-numpy",
    "libopenblas0-pthread",
    "python3-seccomp",
)
SCRIPTS = {
    "setup.sh": "gradescope_setup.sh.j2",
    "run_autograder": "gradescope_run_autograder.j2",
}
# the assignment's name is written into run_autograder: nothing a shell expands
SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
# a fixed timestamp makes the same inputs give the same zip
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FALLBACK = gradescope_error(
    "the autograder could not start. This is not a problem with your code: "
    "tell your instructor.",
    None,
)
BLAME_SETUP = (
    "This is a problem with the autograder, not with your code: tell your instructor."
)


def build_bundle(assignment_folder: Path, out_zip: Path) -> Path:
    """Write the Gradescope autograder zip for one assignment and return its path.

    Raises AssignmentError when the assignment (with its hidden cases) does
    not load, so a broken spec is caught here and not on Gradescope.
    """
    folder = Path(assignment_folder)
    assignment = load_assignment(folder, hidden=True)
    if not SAFE_NAME.fullmatch(assignment.name):
        raise AssignmentError(
            f"{folder}: the folder name {assignment.name!r} goes into a shell "
            "script; rename it with letters, digits, '_', '.' and '-' only"
        )
    out_zip = Path(out_zip)
    with tempfile.TemporaryDirectory(prefix="grader-bundle-") as staging:
        staging = Path(staging)
        copy_grader_source(staging / "grader-src")
        shutil.copytree(
            folder,
            staging / "assignments" / assignment.name,
            ignore=shutil.ignore_patterns(*NOISE, "*.pyc", ".grader-canary-*"),
        )
        for name, template in SCRIPTS.items():
            (staging / name).write_text(_script(template, assignment), newline="\n")
        _zip(staging, out_zip)
    return out_zip


def grade_upload(assignment_folder: Path, upload: Path, results_path: Path) -> dict:
    """Grade one upload with hidden cases and write Gradescope's results.json.

    Never raises for a bad upload or a grader fault: the student always gets
    a results file, at worst a 0 that says what to do.
    """
    assignment = None
    try:
        assignment = load_assignment(Path(assignment_folder), hidden=True)
        data = _grade(assignment, Path(upload))
    except SubmissionError as error:
        data = gradescope_error(str(error), assignment)
    except (AssignmentError, CaseError, IsolationError) as error:
        log.error("cannot grade: %s", error)
        data = gradescope_error(f"{error}. {BLAME_SETUP}", assignment)
    except Exception as error:  # a grader bug must still reach the student
        log.exception("the grader failed")
        message = f"the grader failed ({type(error).__name__}). {BLAME_SETUP}"
        data = gradescope_error(message, assignment)
    write_gradescope(data, Path(results_path))
    log.info("score %s written to %s", data["score"], results_path)
    return data


def main(argv: list[str] | None = None) -> int:
    """`python -m grader.autograder ASSIGNMENT_FOLDER SUBMISSION RESULTS_JSON`."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    folder = Path(argv[0]).resolve()
    # the canary plants its file beside these hidden cases, so it tests them
    searched = [str(folder.parent), os.environ.get("GRADER_ASSIGNMENTS", "")]
    os.environ["GRADER_ASSIGNMENTS"] = ":".join(p for p in searched if p)
    grade_upload(folder, Path(argv[1]), Path(argv[2]))
    return 0


def _grade(assignment: Assignment, upload: Path) -> dict:
    root = find_submission_root(upload, assignment.module)
    if not (root / f"{assignment.module}.py").exists():
        raise SubmissionError(missing_module(upload, f"{assignment.module}.py"))
    isolation = current_isolation()
    log.info("isolation: %s", isolation.summary())
    if not isolation.protects_secrets:
        raise IsolationError(
            "the hidden cases could not be protected here (isolation: "
            f"{isolation.summary()}), so nothing was graded"
        )
    result = grade_submission(assignment, root, isolation=isolation)
    return gradescope_results(results_dict(result), assignment)


def _script(template: str, assignment: Assignment) -> str:
    return (
        text_templates()
        .get_template(template)
        .render(
            assignment=assignment.name,
            packages=PACKAGES,
            fallback=json.dumps(FALLBACK),
        )
    )


def _zip(staging: Path, out_zip: Path) -> None:
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(staging.rglob("*")):
            if path.is_dir():
                continue
            name = path.relative_to(staging).as_posix()
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            mode = 0o755 if name in SCRIPTS else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


if __name__ == "__main__":
    sys.exit(main())
