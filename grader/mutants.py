"""Known-wrong (and known-right) variants of a reference solution.

A variant is a small Python file in `solutions/NAME/mutants/`: a docstring
saying which mistake it makes, `MUST_FAIL = [problem ids]` (empty for a
variant that must pass), `DIAGNOSIS = {problem id: kind}` for each of those
problems, and the functions it redefines. Its submission is the reference
module with the variant's source appended, so each redefined function
replaces the reference one and everything else stays right.

A declared diagnosis is a kind from `grader.mistakes.KINDS`, which some
failing case of the problem must receive; a list names that kind first and
then other kinds some of its cases may also be certain of (a variant whose
int axis crashes and whose square case is silently wrong shows two); None
says no kind fits, so no case may be diagnosed as certain.

The grader reads `MUST_FAIL` and `DIAGNOSIS` with `ast.literal_eval`; it
never imports a variant. Variants run, like any submission, only in a worker.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

from grader.mistakes import KINDS


@dataclass(frozen=True)
class Mutant:
    """One variant: what it breaks and the source that breaks it."""

    name: str
    summary: str
    must_fail: tuple[str, ...]
    diagnosis: dict  # problem id -> tuple of kinds, the first required; () if none
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
    must_fail = tuple(_constant(tree, "MUST_FAIL", path))
    return Mutant(
        name=path.stem,
        summary=summary[0] if summary else path.stem,
        must_fail=must_fail,
        diagnosis=_diagnosis(_constant(tree, "DIAGNOSIS", path), must_fail, path),
        source=source,
        path=path,
    )


def _diagnosis(declared, must_fail: tuple[str, ...], path: Path) -> dict:
    if not isinstance(declared, dict) or set(declared) != set(must_fail):
        raise ValueError(
            f"{path}: DIAGNOSIS must map each problem in MUST_FAIL "
            f"({', '.join(must_fail) or 'none'}) to a kind, a list of kinds or None"
        )
    kinds = {}
    for problem, value in declared.items():
        value = () if value is None else (value,) if isinstance(value, str) else value
        unknown = [k for k in value if k not in KINDS]
        if not isinstance(value, (tuple, list)) or unknown:
            raise ValueError(
                f"{path}: DIAGNOSIS[{problem!r}]: unknown kind "
                f"{unknown[:1] or value!r}; "
                f"known kinds: {', '.join(KINDS)}"
            )
        kinds[problem] = tuple(value)
    return kinds


def _constant(tree: ast.Module, name: str, path: Path):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path}: no {name} = [...] at top level")
