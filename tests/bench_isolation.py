"""Benchmark: what a worker costs per submission, in each isolation tier.

    python tests/bench_isolation.py [--runs 10]

Side by side in one run, it times starting `python -c "import numpy"` as a
plain subprocess, then for each tier starting a worker and making one call
(what every submission pays once), and prints each as a ratio to the plain
import. Medians over the runs; figures from a busy machine are noisy.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import sandbox  # noqa: E402
from grader.runner import Worker, current_isolation  # noqa: E402


def time_import(python: str) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-c", "import numpy"], check=True)
    return time.perf_counter() - start


def time_worker(module: Path, isolation) -> float:
    start = time.perf_counter()
    with Worker(module, isolation) as worker:
        outcome = worker.call("identity", [np.ones(3)], 1, 30)
    assert outcome.status == "ok", outcome
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    module = Path(tempfile.mkdtemp()) / "ops.py"
    module.write_text("def identity(x):\n    return x\n")
    tiers = {tier: current_isolation(tier) for tier in sandbox.TIERS}
    python = tiers["bubblewrap"].runtime.python

    samples: dict[str, list[float]] = {"import numpy": []}
    samples.update({tier: [] for tier in tiers})
    for _ in range(args.runs):  # interleaved, so drift hits every column alike
        samples["import numpy"].append(time_import(python))
        for tier, isolation in tiers.items():
            samples[tier].append(time_worker(module, isolation))

    base = statistics.median(samples["import numpy"])
    print(f"{'':<34}{'median':>10}{'ratio':>8}")
    for name, values in samples.items():
        label = (
            f"{python} -c 'import numpy'"
            if name == "import numpy"
            else (f"worker, tier {name}")
        )
        median = statistics.median(values)
        print(f"{label:<34}{median * 1000:>8.1f}ms{median / base:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
