"""Grade the reference solutions over many seeds: a correct answer must never fail.

    python tests/many_seeds.py --seeds 1000 [--jobs 2] [--assignment hw1]

Every public and hidden case is drawn afresh for each seed. Prints each
failure, the worst relative error seen on any passing case, and exits 1 if
any case failed. CI runs a few seeds through tests/test_many_seeds.py.
"""

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.assignment import find_assignment, load_assignment  # noqa: E402
from grader.score import grade_submission  # noqa: E402
from grader.selftest import solutions_folder  # noqa: E402


def grade_seed(name: str, seed: int) -> tuple[int, list[str], tuple[float, str]]:
    assignment = load_assignment(find_assignment(name), hidden=True)
    result = grade_submission(assignment, solutions_folder(assignment), seed)
    cases = [(p.id, c) for p in result.problems for c in p.cases]
    failures, worst = tally(seed, cases)
    return len(cases), failures, worst


def tally(seed: int, cases: list) -> tuple[list[str], tuple[float, str]]:
    """The failures among (problem id, CaseResult) pairs, and the worst passing
    error as a fraction of its tolerance, with where it was seen."""
    failures = [
        f"seed {seed}: {pid} › {c.name}: {c.message}"
        for pid, c in cases
        if not c.passed
    ]
    worst = max(
        (
            (
                (c.max_rel_error or 0.0) / (c.tolerance or 1.0),
                f"seed {seed}: {pid} › {c.name}",
            )
            for pid, c in cases
            if c.passed
        ),
        default=(0.0, ""),
    )
    return failures, worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignment", default="hw1")
    args = parser.parse_args()

    start = time.monotonic()
    seeds = range(args.first, args.first + args.seeds)
    total, failures, worst = 0, [], (0.0, "")
    with ProcessPoolExecutor(args.jobs) as pool:
        for cases, failed, ratio in pool.map(
            grade_seed, [args.assignment] * len(seeds), seeds
        ):
            total += cases
            failures += failed
            worst = max(worst, ratio)
    for failure in failures:
        print(failure)
    print(
        f"{args.assignment}: {len(seeds)} seeds, {total} cases, "
        f"{len(failures)} failed; worst passing error / tolerance = {worst[0]:.2g} "
        f"({worst[1]}); "
        f"{time.monotonic() - start:.0f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
