"""Ship the running grader as an installable source folder.

A handout and a Gradescope bundle both carry the grader itself, so that
`pip install ./grader-src` works on a machine with no access to this
repository. The folder is made from the installed package, editable or not,
with a pyproject written from the installed metadata.
"""

import shutil
from importlib import metadata
from pathlib import Path

import grader

DISTRIBUTION = "backprop-grader"
# what the package needs at run time besides its .py files
PACKAGE_DATA = ("templates/*.j2",)


def grader_version() -> str:
    """The installed grader's version, as recorded in its metadata."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def copy_grader_source(dest: Path) -> Path:
    """Write an installable copy of the grader into `dest` and return it."""
    dest = Path(dest)
    package = Path(grader.__file__).resolve().parent
    files = [*package.glob("*.py")]
    files += [path for pattern in PACKAGE_DATA for path in package.glob(pattern)]
    for path in files:  # by name, never a whole folder: nothing else rides along
        target = dest / "grader" / path.relative_to(package)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (dest / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
    return dest


def _pyproject() -> str:
    requires = [r for r in _requirements() if "extra ==" not in r]
    listed = "".join(f'    "{r}",\n' for r in requires)
    data = ", ".join(f'"{pattern}"' for pattern in PACKAGE_DATA)
    return (
        '[build-system]\nrequires = ["setuptools>=64"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{DISTRIBUTION}"\nversion = "{grader_version()}"\n'
        'requires-python = ">=3.10"\n'
        f"dependencies = [\n{listed}]\n\n"
        '[project.scripts]\ngrade = "grader.cli:main"\n\n'
        '[tool.setuptools]\npackages = ["grader"]\n\n'
        f"[tool.setuptools.package-data]\ngrader = [{data}]\n"
    )


def _requirements() -> list[str]:
    try:
        return metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return ["numpy>=1.24", "pyyaml>=6", "jinja2>=3.1", "markdown-it-py>=3"]
