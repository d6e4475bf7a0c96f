"""Whole submissions: `grade hw1 --hidden` and a batch of 200, against
`python -c "import numpy"` timed in the same run.

Each command runs under a small wrapper that reports its wall time and the
peak resident memory of the largest process it waited for (getrusage of
RUSAGE_CHILDREN: the grader or one of its workers, whichever is bigger).
"""

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import ROOT

_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
    " stderr=subprocess.PIPE, text=True)\n"
    "print(json.dumps({'seconds': time.perf_counter() - start, 'code': code.returncode,"
    " 'kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
    " 'stderr': code.stderr[-2000:]}))\n"
)


def run(repeats: int, class_size_check: bool = True) -> list[dict]:
    """Rows: what ran, median seconds, ratio to the numpy import, peak MiB."""
    out = Path(tempfile.mkdtemp(prefix="bench-whole-"))
    grade = [sys.executable, "-m", "grader"]
    commands = {
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "grade hw1 --hidden (reference)": grade
        + [
            "hw1",
            "--hidden",
            "--submission",
            str(ROOT / "solutions" / "hw1"),
            "--out",
            str(out / "one"),
        ],
    }
    batch = _batch_command(grade, out)
    samples: dict = {name: [] for name in commands}
    for _ in range(repeats):  # in turn, so drift hits every row alike
        for name, command in commands.items():
            samples[name].append(_timed(command))
    if isinstance(batch, str):
        samples["batch"] = batch
    else:
        name = f"grade batch hw1, {batch[1]} submissions, --jobs 2"
        samples[name] = [_timed(batch[0])]
    return _rows(samples)


def throughput(sample: int) -> list[str]:
    """Submissions per minute: `sample` hand-ins graded one by one with
    `grade hw1 --hidden`, then the same ones by `grade batch` (--jobs 2)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from classroom import build_class

    out = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    build_class(out / "class")
    folders = sorted(p.parent for p in (out / "class").glob("*/ops.py"))
    chosen = folders[:: max(1, len(folders) // sample)][:sample]
    for folder in chosen:  # the batch gets copies, never links
        shutil.copytree(folder, out / "sample" / folder.name)
    grade = [sys.executable, "-m", "grader"]
    single = sum(
        _timed(
            grade
            + [
                "hw1",
                "--hidden",
                "--submission",
                str(folder),
                "--out",
                str(out / "single" / folder.name),
            ]
        )["seconds"]
        for folder in chosen
    )
    batched = _timed(
        grade
        + [
            "batch",
            "hw1",
            str(out / "sample"),
            "--out",
            str(out / "batch"),
            "--jobs",
            "2",
        ]
    )["seconds"]
    shutil.rmtree(out, ignore_errors=True)
    rate = {
        name: 60 * len(chosen) / t
        for name, t in (("single", single), ("batch", batched))
    }
    return [
        "| the same submissions | wall time | submissions per minute |",
        "|---|---|---|",
        f"| {len(chosen)} graded one by one, `grade hw1 --hidden` | {single:.0f} s "
        f"| {rate['single']:.1f} |",
        f"| the same {len(chosen)} by `grade batch hw1 --jobs 2` | {batched:.0f} s "
        f"| {rate['batch']:.1f} ({rate['batch'] / rate['single']:.2f}x) |",
    ]


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| run | wall time (median) | ratio to import numpy | peak memory |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['name']} | {r['time']} | {r['ratio']} | {r['memory']} |")
    return lines


def _batch_command(grade, out: Path):
    """The batch run, or why it cannot run on this branch."""
    help_run = subprocess.run(grade + ["batch", "--help"], capture_output=True)
    classroom = ROOT / "tests" / "classroom.py"
    if help_run.returncode != 0 or not classroom.exists():
        return "not run: `grade batch` or tests/classroom.py is not on this branch"
    sys.path.insert(0, str(ROOT / "tests"))
    from classroom import build_class

    expected = build_class(out / "class")
    return (
        grade
        + [
            "batch",
            "hw1",
            str(out / "class"),
            "--out",
            str(out / "batch"),
            "--jobs",
            "2",
        ],
        len(expected),
    )


def _timed(command: list[str]) -> dict:
    wrapper = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(wrapper.stdout)
    if result["code"] != 0:
        raise RuntimeError(f"{command} exited {result['code']}: {result['stderr']}")
    return result


def _rows(samples: dict) -> list[dict]:
    base = statistics.median(s["seconds"] for s in samples["python -c 'import numpy'"])
    rows = []
    for name, runs in samples.items():
        if isinstance(runs, str):
            rows.append(
                {
                    "name": "grade batch hw1 (200 submissions)",
                    "time": runs,
                    "ratio": "",
                    "memory": "",
                }
            )
            continue
        seconds = statistics.median(s["seconds"] for s in runs)
        peak = max(s["kib"] for s in runs) / 1024
        rows.append(
            {
                "name": f"{name} (×{len(runs)})",
                "time": f"{seconds:.2f} s",
                "ratio": f"{seconds / base:.0f}x",
                "memory": f"{peak:.0f} MiB",
            }
        )
    return rows
