"""The machine-readable results file, `results.json`.

The schema is documented in the README. Hidden cases carry no inputs: their
shapes, parameters and worst entries are left out before anything is written.
"""

import dataclasses
import json
import math
from pathlib import Path

from grader.score import SubmissionResult

SCHEMA_VERSION = 1


def results_dict(result: SubmissionResult) -> dict:
    """The results as plain JSON-able data."""
    data = dataclasses.asdict(result)
    data = {"schema_version": SCHEMA_VERSION, **data}
    data["public_only"] = not result.hidden_ran
    for problem, source in zip(data["problems"], result.problems):
        problem["cases_passed"] = source.passed
        problem["cases_total"] = source.total
    return _finite(data)


def write_results(result: SubmissionResult, out_dir: Path) -> Path:
    """Write `results.json` into `out_dir` and return its path."""
    path = Path(out_dir) / "results.json"
    text = json.dumps(results_dict(result), indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _finite(value):
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
