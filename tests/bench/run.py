"""Benchmark our checker against the checkers in use today; print Markdown.

    python3 -m venv .venv && .venv/bin/pip install -e '.[bench]' \\
        && .venv/bin/python tests/bench/run.py

Five tables: the cost of one check against its lower bound, the same check
by torch.autograd.gradcheck (fast and slow mode) and by an all-ones
central-difference check, false alarms of the reference over many seeds,
the share of known-wrong variants each checker catches, and whole
submissions against `python -c "import numpy"`. The defaults finish in
about 15 minutes on 2 cores; the seed counts are flags.
"""

import os

# one BLAS thread everywhere, as in the grader's workers: every column then
# pays for the same arithmetic, and a busy machine disturbs the ratios less
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import alarms  # noqa: E402
import cost  # noqa: E402
import misses  # noqa: E402
import whole  # noqa: E402
from harness import hw1  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--repeats", type=int, default=3, help="per cost figure")
    parser.add_argument(
        "--slow-budget",
        type=float,
        default=30.0,
        help="seconds a slow checker may take on one case",
    )
    parser.add_argument("--seeds-small", type=int, default=10_000)
    parser.add_argument("--seeds-medium", type=int, default=1_000)
    parser.add_argument("--seeds-large", type=int, default=100)
    parser.add_argument("--miss-seeds", type=int, default=4)
    parser.add_argument("--whole-repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--throughput-sample",
        type=int,
        default=20,
        help="submissions graded one by one and by batch",
    )
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=SECTIONS,
        default=list(SECTIONS),
        help="which tables to print (all by default)",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    start = time.monotonic()
    print(machine(), "\n")

    for name in args.sections:
        SECTIONS[name](args)
    print(f"\ntotal wall time {time.monotonic() - start:.0f} s")
    return 0


def _cost(args) -> None:
    section("Cost of one check (medians, one BLAS thread, float64)")
    rows = cost.measure(hw1(), args.sizes, args.repeats, args.slow_budget)
    emit(cost.table(rows) + [""] + cost.breakdown(rows))


def _alarms(args) -> None:
    section("False alarms: the reference over seeded draws of every hw1 case")
    seeds = {
        "small": args.seeds_small,
        "medium": args.seeds_medium,
        "large": args.seeds_large,
    }
    emit(alarms.table(alarms.run(seeds, args.jobs)))


def _misses(args) -> None:
    section(f"Misses: known-wrong variants caught, {args.miss_seeds} seeds")
    found = misses.run(args.miss_seeds, args.jobs)
    emit(
        misses.table(found, args.miss_seeds)
        + [""]
        + misses.details(found, args.miss_seeds)
    )


def _whole(args) -> None:
    section("Whole submissions")
    emit(whole.table(whole.run(args.whole_repeats)))
    section("Batch grading against one by one")
    emit(whole.throughput(args.throughput_sample))


SECTIONS = {"cost": _cost, "alarms": _alarms, "misses": _misses, "whole": _whole}


def machine() -> str:
    import torch

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"Machine: {os.cpu_count()} cores, {model}, Python "
        f"{platform.python_version()}, NumPy {np.__version__}, torch "
        f"{torch.__version__}, load average at start "
        f"{os.getloadavg()[0]:.1f}"
    )


def section(title: str) -> None:
    print(f"\n### {title}\n", flush=True)


def emit(lines: list[str]) -> None:
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
