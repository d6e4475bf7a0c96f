"""Turn what a student handed in into a folder the grader can read.

Students zip their work in every way: the module at the top, inside a
folder named after the homework, beside a `__MACOSX` folder.
"""

from pathlib import Path

# how deep a module may sit below the folder a student handed in
MAX_DEPTH = 3
# folders that archivers and editors add, never the student's work
NOISE = ("__MACOSX", "__pycache__")


def find_submission_root(folder: Path, module: str) -> Path:
    """The folder that holds `module`.py: `folder` itself, or the one folder
    below it that does when that is unambiguous; else `folder` unchanged,
    so that the missing module is reported there."""
    folder = Path(folder)
    name = f"{module}.py"
    if (folder / name).exists():
        return folder
    found = [
        folder.joinpath(*parts[:-1])
        for parts in (p.relative_to(folder).parts for p in sorted(folder.rglob(name)))
        if len(parts) <= MAX_DEPTH
        and not any(part in NOISE or part.startswith(".") for part in parts)
    ]
    return found[0] if len(found) == 1 else folder
