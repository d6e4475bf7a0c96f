"""A made-up class of hw1 submissions, the way a course platform exports one.

Right, wrong, stubbed, hostile and broken hand-ins, as student folders and
.zip files, each with what its grade must be. Batch tests and the benchmark
grade it; `build_class` returns the expectation for every student id.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.mutants import load_mutants

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "hw1" / "ops.py"
STUBS = ROOT / "assignments" / "hw1" / "handout" / "ops.py"
ATTACKS = Path(__file__).with_name("attacks")
HW1_POINTS = 100

# hostile modules (appended to the reference) that cost the student exp only
HOSTILE = (
    "infinite_loop",
    "sys_exit",
    "os_exit",
    "segfault",
    "memory_bomb",
    "patch_numpy_comparisons",
    "ndarray_subclass_claims_equality",
    "stack_and_gc_walk",
    "object_array",
    "python_scalar",
    "wrong_shape",
    "nan_answer",
    "modify_inputs_in_place",
    "read_stdin",
    "garbage_to_protocol_fds",
    "too_many_dims",
    "fork_bomb",
    "read_solutions_into_exception",
    "read_hidden_cases_into_gradient",
)


@dataclass(frozen=True)
class Expected:
    """What grading one student must give."""

    status: str  # graded or error
    loses: tuple[str, ...] = ()  # problems that must lose points
    zero: bool = False  # every problem scores 0
    error: str = ""  # a fragment of the reason, for status error


def build_class(dest: Path, references: int = 83) -> dict[str, Expected]:
    """Write a class into `dest` (one entry per student) and return, per
    student id, what their grade must be."""
    dest.mkdir(parents=True, exist_ok=True)
    reference = REFERENCE.read_text(encoding="utf-8")
    expected: dict[str, Expected] = {}
    for i in range(references):
        expected.update(_reference_entry(dest, f"right-{i:03d}", reference, i % 4))
    for mutant in load_mutants(REFERENCE.parent / "mutants"):
        source = f"{reference}\n\n{mutant.source}"
        outcome = Expected("graded", loses=mutant.must_fail)
        _folder(dest / f"wrong-{mutant.name}", {"ops.py": source})
        _zip(dest / f"wrong-{mutant.name}-zipped.zip", {"hw1/ops.py": source})
        expected[f"wrong-{mutant.name}"] = outcome
        expected[f"wrong-{mutant.name}-zipped"] = outcome
    for i in range(10):
        _folder(dest / f"stubs-{i}", {"ops.py": STUBS.read_text(encoding="utf-8")})
        expected[f"stubs-{i}"] = Expected("graded", zero=True)
    for attack in HOSTILE:
        _folder(dest / f"hostile-{attack}", {"ops.py": _hostile(reference, attack)})
        expected[f"hostile-{attack}"] = Expected("graded", loses=("exp",))
    expected.update(_broken_entries(dest))
    return expected


def _reference_entry(dest: Path, student: str, source: str, style: int) -> dict:
    if style == 0:
        _folder(dest / student, {"ops.py": source})
    elif style == 1:
        _zip(dest / f"{student}.zip", {"ops.py": source})
    elif style == 2:
        _zip(
            dest / f"{student}.zip",
            {"homework/ops.py": source, "homework/notes.md": "x"},
        )
    else:
        _zip(
            dest / f"{student}.zip",
            {"hw1/ops.py": source, "__MACOSX/hw1/._ops.py": "\x00\x05\x16\x07"},
        )
    return {student: Expected("graded")}


def _broken_entries(dest: Path) -> dict[str, Expected]:
    (dest / "broken-not-a-zip.zip").write_text("this is a Word document, honest")
    (dest / "broken-empty.zip").write_bytes(b"")
    whole = io.BytesIO()
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ops.py", REFERENCE.read_text() * 20)
    (dest / "broken-truncated.zip").write_bytes(
        whole.getvalue()[: len(whole.getvalue()) // 2]
    )
    _zip(dest / "broken-escapes.zip", {"../../ops.py": "print('escaped')"})
    _zip(dest / "broken-absolute.zip", {"/tmp/ops.py": "print('escaped')"})
    with zipfile.ZipFile(
        dest / "broken-bomb.zip", "w", zipfile.ZIP_DEFLATED
    ) as archive:
        with archive.open("ops.py", "w", force_zip64=True) as member:
            block = b"\0" * 2**20
            for _ in range(200):  # 200 MiB of zeros, a few hundred KiB zipped
                member.write(block)
    _folder(dest / "broken-no-module", {"README.txt": "I could not finish, sorry"})
    _zip(dest / "broken-zip-without-module.zip", {"solution.py": "x = 1"})
    (dest / "broken-stray-file.py").write_text("def add_backward(): pass")
    _folder(
        dest / "broken-syntax-error", {"ops.py": "def add_backward(out_grad, a, b)\n"}
    )
    return {
        "broken-not-a-zip": Expected("error", error="not a zip"),
        "broken-empty": Expected("error", error="empty"),
        "broken-truncated": Expected("error"),
        "broken-escapes": Expected("error", error=".."),
        "broken-absolute": Expected("error"),
        "broken-bomb": Expected("error"),
        "broken-no-module": Expected("error", error="no ops.py"),
        "broken-zip-without-module": Expected("error", error="no ops.py"),
        "broken-stray-file.py": Expected("error", error="neither a folder nor a .zip"),
        "broken-syntax-error": Expected("graded", zero=True),
    }


def _hostile(reference: str, attack: str) -> str:
    settings = {
        "marker": f"cls{attack[:10]}",
        "solutions": str(ROOT / "solutions"),
        "hidden_cases": str(ROOT / "assignments" / "hw1" / "cases" / "hidden.yaml"),
        "canaries": [],
    }
    source = (ATTACKS / f"{attack}.py").read_text(encoding="utf-8")
    return f"{reference}\n\nATTACK = {settings!r}\n\n{source}"


def _folder(path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")


def _zip(path: Path, files: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name), text)
