"""Release an assignment's handout: the folder students get.

What is released is an allowlist, never a whole folder: the stubs of
`handout/`, the spec, its forwards file and the public cases, the grader's
own source and a README. Hidden cases and reference solutions are never
named, and a released file that matches one byte for byte stops the
release. The copy is written beside its destination and moved into place
only once it loads as an assignment, so a failed release leaves nothing.
"""

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

from grader.assignment import (
    HIDDEN_CASES,
    PUBLIC_CASES,
    SPEC_FILE,
    Assignment,
    AssignmentError,
    load_assignment,
)
from grader.package import copy_grader_source
from grader.render import text_templates

log = logging.getLogger(__name__)

HANDOUT = "handout"
GRADER_FOLDER = "grader-src"
README = "README.md"
# names the release writes at the top of the folder; a stub may not take one
RESERVED = ("assignments", GRADER_FOLDER, README, "grade-report", ".venv")


class ReleaseError(Exception):
    """The handout cannot be released as asked."""


def release_handout(assignment_folder: Path, out: Path) -> Path:
    """Write what students get of an assignment into `out` and return `out`.

    `out` must not exist or be empty. The stubs land at the top of `out`,
    the public part of the assignment in `out/assignments/NAME/`, the grader
    in `out/grader-src/` and instructions in `out/README.md`.
    """
    folder, out = Path(assignment_folder).resolve(), Path(out)
    _require_empty(out)
    assignment = _load(folder)
    stubs = handout_stubs(folder, assignment.module)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _write(staging, folder, assignment, stubs)
        _refuse_secrets(staging, folder)
        _validate(staging / "assignments" / assignment.name, assignment)
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("released %s into %s", assignment.name, out)
    return out


def handout_stubs(folder: Path, module: str) -> list[Path]:
    """The files of `folder/handout/` to release, relative to it.

    Dotfiles, `__pycache__`, compiled files and symbolic links are left out.
    """
    handout = Path(folder) / HANDOUT
    if handout.is_symlink() or not handout.is_dir():
        raise ReleaseError(
            f"{folder} has no {HANDOUT}/ folder of stubs; put the files students "
            f"start from (at least {module}.py) in {handout}"
        )
    stubs = list(_walk(handout, Path()))
    if Path(f"{module}.py") not in stubs:
        raise ReleaseError(
            f"{handout} has no {module}.py (found: "
            f"{', '.join(map(str, stubs)) or 'no files'}); the spec names module "
            f"{module!r}, so put the stubs students edit in {handout / module}.py"
        )
    taken = [str(s) for s in stubs if s.parts[0] in RESERVED]
    if taken:
        raise ReleaseError(
            f"{handout}: {taken[0]} would clash with what the release writes "
            f"({', '.join(RESERVED)}); rename it"
        )
    return stubs


def released_files(out: Path) -> list[Path]:
    """Every file under a released folder, relative to it, grader source aside."""
    out = Path(out)
    return sorted(
        path.relative_to(out)
        for path in out.rglob("*")
        if path.is_file() and GRADER_FOLDER not in path.relative_to(out).parts
    )


def _require_empty(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ReleaseError(f"{out} exists and is not a folder; pass --out a new folder")
    if out.is_dir() and any(out.iterdir()):
        raise ReleaseError(
            f"{out} already exists and is not empty; pass --out a new folder, or "
            "delete the old release first"
        )


def _load(folder: Path) -> Assignment:
    try:
        return load_assignment(folder)
    except AssignmentError as error:
        raise ReleaseError(f"cannot release {folder.name}: {error}") from None


def _walk(root: Path, here: Path) -> Iterator[Path]:
    for entry in sorted((root / here).iterdir()):
        skipped = entry.name.startswith(".") or entry.name == "__pycache__"
        if skipped or entry.is_symlink() or entry.suffix == ".pyc":
            log.info("not released: %s", entry)
        elif entry.is_dir():
            yield from _walk(root, here / entry.name)
        elif entry.is_file():
            yield here / entry.name


def _write(
    staging: Path, folder: Path, assignment: Assignment, stubs: list[Path]
) -> None:
    for stub in stubs:
        _copy(folder / HANDOUT / stub, staging / stub)

    target = staging / "assignments" / assignment.name
    for name in (SPEC_FILE, _forwards_file(folder), PUBLIC_CASES):
        _copy(folder / name, target / name)

    copy_grader_source(staging / GRADER_FOLDER)
    (staging / README).write_text(render_readme(assignment, stubs), encoding="utf-8")


def render_readme(assignment: Assignment, stubs: list[Path]) -> str:
    """The students' README of a handout, as Markdown."""
    return (
        text_templates()
        .get_template("handout-README.md.j2")
        .render(
            assignment=assignment,
            stubs=[stub.as_posix() for stub in stubs],
            total=sum(p.points for p in assignment.problems),
            grader_folder=GRADER_FOLDER,
        )
    )


def _forwards_file(folder: Path) -> str:
    # the spec loaded already, so the field is a plain .py name if present
    data = yaml.safe_load((folder / SPEC_FILE).read_text(encoding="utf-8"))
    return data.get("forwards", "forwards.py")


def _copy(source: Path, target: Path) -> None:
    if source.is_symlink():
        raise ReleaseError(
            f"{source} is a symbolic link; a release copies regular files only, "
            "so replace it with the file itself"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _refuse_secrets(staging: Path, folder: Path) -> None:
    secrets = {_digest(p): p for p in _secret_files(folder)}
    for path in sorted(staging.rglob("*")):
        if path.is_file() and _digest(path) in secrets:
            raise ReleaseError(
                f"{path.relative_to(staging)} is a copy of "
                f"{secrets[_digest(path)]}, which students must not get; "
                "put the stub in its place"
            )


def _secret_files(folder: Path) -> list[Path]:
    # reference solutions sit in solutions/NAME/ beside assignments/
    solutions = folder.parent.parent / "solutions" / folder.name
    found = list(solutions.rglob("*")) if solutions.is_dir() else []
    found.append(folder / HIDDEN_CASES)
    # an empty file says nothing, and an empty stub is no leak
    return [p for p in found if p.is_file() and p.stat().st_size > 0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _validate(released: Path, source: Assignment) -> None:
    try:
        copy = load_assignment(released)
    except AssignmentError as error:
        raise ReleaseError(
            f"the released copy of {source.name} does not load: {error}"
        ) from None
    if (released / HIDDEN_CASES).exists():
        raise ReleaseError(f"{released} holds hidden cases; nothing was released")
    public = {p.id: len(p.cases) for p in source.problems}
    if {p.id: len(p.cases) for p in copy.problems} != public:
        raise ReleaseError(
            f"the released copy of {source.name} has other problems or public "
            "cases than the original; nothing was released"
        )
