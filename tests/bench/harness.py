"""Shared pieces of the benchmark: hw1, its modules, and an in-process worker.

`InProcessWorker` has the `call` of `grader.runner.Worker` and runs the
student function in this process through the worker's own `_serve`, on
copies of the arguments, so `check_case` judges exactly as in a real run
minus the process boundary. Only trusted modules (the reference, the known
variants) are imported this way.
"""

import ast
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from grader.assignment import (  # noqa: E402
    Case,
    InputSpec,
    find_assignment,
    load_assignment,
)
from grader.runner import CallOutcome, _request  # noqa: E402
from grader.worker import _serve  # noqa: E402

REFERENCE = ROOT / "solutions" / "hw1" / "ops.py"
MUTANTS = ROOT / "solutions" / "hw1" / "mutants"


def hw1(hidden: bool = True):
    """The hw1 assignment, hidden cases included."""
    return load_assignment(find_assignment("hw1"), hidden=hidden)


def problem_of(assignment, pid: str):
    return next(p for p in assignment.problems if p.id == pid)


def import_module(path: Path, name: str):
    """Import a trusted module from a file under a private name."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def defined_functions(source: str) -> set[str]:
    """Names of the top-level functions a variant redefines."""
    tree = ast.parse(source)
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def square_case(name: str, n: int, params: dict | None = None, **ranges) -> Case:
    """A case with n×n inputs `a` and `b` (the problem takes what it needs)."""
    spec = InputSpec(shape=(n, n), **ranges)
    return Case(name, 7, {"a": spec, "b": spec}, params or {}, False, 600.0)


def median_seconds(function, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


class InProcessWorker:
    """`Worker.call` for a trusted module, without a process."""

    def __init__(self, module, path: Path):
        self.module, self.path = module, str(path)

    def call(self, function: str, args: list, n_outputs: int, timeout: float):
        header, arrays = _request(function, args, n_outputs)
        arrays = [np.array(a, copy=True) for a in arrays]
        begin = time.monotonic()
        reply, outputs = _serve(self.module, self.path, header, arrays)
        seconds = time.monotonic() - begin
        if reply["status"] != "ok":
            status, error = reply["status"], reply.get("error")
            return CallOutcome(status, error=error, seconds=seconds)
        split = len(outputs) - reply["n_after"]
        return CallOutcome(
            "ok",
            result=reply["result"],
            outputs=outputs[:split],
            after=outputs[split:],
            seconds=seconds,
        )
