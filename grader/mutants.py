"""Known-wrong (and known-right) variants of a reference solution.

A variant is a small Python file in `solutions/NAME/mutants/`: a docstring
saying which mistake it makes, `MUST_FAIL = [problem ids]` (empty for a
variant that must pass), and the functions it redefines. Its submission is
the reference module with the variant's source appended, so each redefined
function replaces the reference one and everything else stays right.

The grader reads `MUST_FAIL` with `ast.literal_eval`; it never imports a
variant. Variants run, like any submission, only in a worker.
"""

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutant:
    """One variant: what it breaks and the source that breaks it."""

    name: str
    summary: str
    must_fail: tuple[str, ...]
    source: str
    path: Path


def load_mutants(folder: Path) -> list[Mutant]:
    """Every variant in a `mutants/` folder, in name order."""
    return [_load(path) for path in sorted(Path(folder).glob("*.py"))]


def materialise(mutant: Mutant, reference: Path, target: Path) -> Path:
    """Write the variant's submission (reference + override) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    module = target / reference.name
    module.write_text(
        f"{reference.read_text(encoding='utf-8')}\n\n"
        f"# ---- variant {mutant.name}: {mutant.summary} ----\n{mutant.source}",
        encoding="utf-8",
    )
    return module


def _load(path: Path) -> Mutant:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    summary = (ast.get_docstring(tree) or "").strip().splitlines()
    return Mutant(
        name=path.stem,
        summary=summary[0] if summary else path.stem,
        must_fail=tuple(_constant(tree, "MUST_FAIL", path)),
        source=source,
        path=path,
    )


def _constant(tree: ast.Module, name: str, path: Path):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path}: no {name} = [...] at top level")
