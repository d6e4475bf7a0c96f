"""Misses: the share of known-wrong variants each checker catches.

For every variant in solutions/hw1/mutants/ and every problem it must fail,
over several seeds, each checker runs on that problem's small cases (at most
512 checked entries: every public case and the small hidden ones; the
slow checkers cannot take the large ones) and flags the problem when any
case fails. Must-pass variants are run the same way on the problems whose
functions they redefine: any flag there is a false alarm.
"""

import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import checkers
from alarms import group_of
from grader.check import check_case
from grader.expect import expect
from grader.mutants import load_mutants, materialise
from harness import (
    MUTANTS,
    REFERENCE,
    InProcessWorker,
    defined_functions,
    hw1,
    import_module,
)

CHECKERS = ("ours", "torch fast", "torch slow", "all-ones")


def run(seeds: int, jobs: int) -> list[dict]:
    """One row per (variant, problem): flags per checker out of `seeds`."""
    names = [m.name for m in load_mutants(MUTANTS)]
    with ProcessPoolExecutor(jobs) as pool:
        rows = pool.map(_variant, names, [seeds] * len(names))
        return [row for group in rows for row in group]


def table(rows: list[dict], seeds: int) -> list[str]:
    wrong = [r for r in rows if r["must_fail"]]
    right = [r for r in rows if not r["must_fail"]]
    lines = [
        f"| {len(wrong)} (wrong variant, problem) pairs × {seeds} seeds "
        "| " + " | ".join(CHECKERS) + " |",
        "|---|" + "---|" * len(CHECKERS),
        "| caught (share of pairs × seeds) | "
        + " | ".join(_share(wrong, c, seeds) for c in CHECKERS) + " |",
        "| pairs missed at least once | "
        + " | ".join(str(sum(r[c] < seeds for r in _rows(wrong, c))) for c in CHECKERS)
        + " |",
        f"| false alarms on the {len(right)} (right variant, problem) pairs | "
        + " | ".join(str(sum(r[c] for r in right)) for c in CHECKERS) + " |",
    ]
    return lines


def details(rows: list[dict], seeds: int) -> list[str]:
    """The pairs some checker gets wrong at least once."""
    lines = ["| variant › problem | " + " | ".join(CHECKERS) + " |",
             "|---|" + "---|" * len(CHECKERS)]
    for r in rows:
        if not r["gradient"]:
            continue  # only ours checks it
        bad = [r[c] < seeds if r["must_fail"] else r[c] > 0 for c in CHECKERS]
        if any(bad):
            what = "must fail" if r["must_fail"] else "must pass"
            lines.append(
                f"| {r['variant']} › {r['problem']} ({what}) | "
                + " | ".join(f"{r[c]}/{seeds}" for c in CHECKERS) + " |"
            )
    return lines


def _variant(name: str, seeds: int) -> list[dict]:
    mutant = next(m for m in load_mutants(MUTANTS) if m.name == name)
    assignment = hw1()
    folder = Path(tempfile.mkdtemp(prefix="bench-variant-"))
    path = materialise(mutant, REFERENCE, folder)
    module = import_module(path, f"_bench_variant_{name}")
    worker = InProcessWorker(module, path)
    functions = defined_functions(mutant.source)
    problems = mutant.must_fail or [
        p.id for p in assignment.problems if p.function in functions
    ]
    rows = []
    for problem in (p for p in assignment.problems if p.id in problems):
        cases = [c for c in problem.cases if group_of(problem, c) == "small"]
        row = {"variant": name, "problem": problem.id,
               "must_fail": bool(mutant.must_fail), **dict.fromkeys(CHECKERS, 0),
               "gradient": problem.kind in ("vjp", "loss_grad")}
        for seed in range(seeds):
            flags = _flags(problem, cases, seed, module, worker)
            for checker, flagged in flags.items():
                row[checker] += flagged
        rows.append(row)
    return rows


def _flags(problem, cases, seed, module, worker) -> dict:
    vjp = checkers.as_vjp(problem, getattr(module, problem.function))
    flags = dict.fromkeys(CHECKERS, False)
    for case in cases:
        flags["ours"] |= not check_case(problem, case, seed, worker).passed
        if vjp is None:
            continue  # the others check gradients only: a Jacobian is ours alone
        drawn = expect(problem, case, seed).drawn
        flags["torch fast"] |= checkers.torch_flags(problem, drawn, vjp, True, seed)
        flags["torch slow"] |= checkers.torch_flags(problem, drawn, vjp, False, seed)
        flags["all-ones"] |= checkers.ones_flags(problem, drawn, vjp)
    return flags


def _share(rows, checker, seeds) -> str:
    if checker != "ours":
        rows = [r for r in rows if r["gradient"]]
    total = len(rows) * seeds
    caught = sum(r[checker] for r in rows)
    return f"{caught / total:.1%} ({caught}/{total})"


def _rows(rows, checker):
    return rows if checker == "ours" else [r for r in rows if r["gradient"]]
