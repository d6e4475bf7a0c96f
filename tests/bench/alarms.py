"""False alarms: the reference over many seeded draws of every hw1 case.

Each case is judged by `check_case` in process (the reference imported
directly, no worker), on both cores. Cases are grouped by the entries the
check covers: small (≤ 512, every entry checked), medium (probes) and large
(the 1024-wide matmul, about 0.5 s a draw); each group gets its own seed count.
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from grader.check import check_case
from harness import REFERENCE, ROOT, InProcessWorker, hw1, import_module, problem_of

sys.path.insert(0, str(ROOT / "tests"))
from many_seeds import tally  # noqa: E402

GROUPS = ("small", "medium", "large")
CHUNK = 250  # seeds per task handed to a process
_state: dict = {}


def run(seeds: dict, jobs: int) -> dict:
    """Per group: seeds run, cases judged, failures, worst error / tolerance."""
    assignment = hw1()
    tasks = []
    for problem in assignment.problems:
        for case in problem.cases:
            count = seeds[group_of(problem, case)]
            chunk = CHUNK if group_of(problem, case) != "large" else 2
            for first in range(0, count, chunk):
                tasks.append((problem.id, case.name, first, min(first + chunk, count)))
    summary = {g: {"seeds": seeds[g], "cases": 0, "judged": 0, "failures": [],
                   "worst": (0.0, "")} for g in GROUPS}
    counted = set()
    with ProcessPoolExecutor(jobs) as pool:
        for (pid, name, first, _), (group, judged, failures, worst) in zip(
            tasks, pool.map(_judge, tasks)
        ):
            entry = summary[group]
            if (pid, name) not in counted:
                counted.add((pid, name))
                entry["cases"] += 1
            entry["judged"] += judged
            entry["failures"] += failures
            entry["worst"] = max(entry["worst"], worst)
    return summary


def group_of(problem, case) -> str:
    entries = sum(_size(case.inputs[name]) for name in problem.wrt)
    if problem.kind in ("vjp", "loss_grad") and entries > 512:
        return "large" if entries > 100_000 else "medium"
    return "small"


def table(summary: dict) -> list[str]:
    lines = [
        "| cases | cases in group | seeds each | checks | failures "
        "| worst error / tolerance (where) |",
        "|---|---|---|---|---|---|",
    ]
    for group, e in summary.items():
        worst, where = e["worst"]
        lines.append(
            f"| {group} | {e['cases']} | {e['seeds']:,} | {e['judged']:,} "
            f"| {len(e['failures'])} | {worst:.2g} ({where}) |"
        )
    return lines


def _judge(task):
    pid, name, first, last = task
    if not _state:
        _state["assignment"] = hw1()
        module = import_module(REFERENCE, "_bench_reference")
        _state["worker"] = InProcessWorker(module, REFERENCE)
    problem = problem_of(_state["assignment"], pid)
    case = next(c for c in problem.cases if c.name == name)
    failures, worst = [], (0.0, "")
    for seed in range(first, last):
        result = check_case(problem, case, seed, _state["worker"])
        failed, seen = tally(seed, [(pid, result)])
        failures += failed
        worst = max(worst, seen)
    return group_of(problem, case), last - first, failures, worst


def _size(spec) -> int:
    return int(np.size(spec.value) if spec.value is not None else np.prod(spec.shape))
