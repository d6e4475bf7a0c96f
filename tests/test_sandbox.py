"""Isolation tiers: the strongest one is reached on this machine, the weaker
ones can be forced, and the canary tells which of them protect secrets."""

import os
import stat
from pathlib import Path

import pytest

from grader import sandbox
from grader.runner import Worker, current_isolation
from grader.score import grade_submission

from conftest import HW1, REFERENCE

ALL_HELD = {
    "read_secret": False,
    "connect_loopback": False,
    "signal_grader": False,
    "start_process": False,
}


def test_the_strongest_tier_is_reached_on_this_machine():
    isolation = current_isolation()
    assert isolation.tier == "bubblewrap"
    assert isolation.layers == ("limits", "landlock", "seccomp")
    assert isolation.canary == ALL_HELD
    assert isolation.protects_secrets
    if os.geteuid() == 0:
        assert isolation.uid not in (None, 0)


@pytest.mark.parametrize("tier", ["user", "process"])
def test_fallback_tiers_can_be_forced_and_still_hold_here(tier):
    isolation = current_isolation(tier)
    assert isolation.tier == tier
    assert isolation.canary == ALL_HELD


def test_a_tier_without_its_layers_is_seen_to_leak(monkeypatch):
    monkeypatch.setenv("GRADER_LAYERS", "limits")
    isolation = current_isolation("process")
    assert isolation.layers == ("limits",)
    assert isolation.canary["read_secret"] and isolation.canary["start_process"]
    assert not isolation.protects_secrets
    assert "canary FAILED: read_secret" in isolation.summary()


def test_an_unknown_forced_tier_is_an_error():
    with pytest.raises(sandbox.IsolationError, match="unknown isolation tier"):
        sandbox.detect("chroot")


def test_grading_is_the_same_in_every_tier(hw1_public):
    scores = {
        tier: grade_submission(hw1_public, REFERENCE, isolation=current_isolation(tier))
        for tier in sandbox.TIERS
    }
    assert {tier: result.score for tier, result in scores.items()} == {
        tier: 100 for tier in sandbox.TIERS
    }
    assert scores["bubblewrap"].isolation.startswith("bubblewrap (")


def test_a_worker_folder_is_private_and_gone_afterwards(tmp_path):
    module = tmp_path / "ops.py"
    module.write_text("import os\ndef where(g):\n    return g\n")
    isolation = current_isolation()
    launch = sandbox.stage(isolation, module)
    folder = Path(launch.folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o711
    assert stat.S_IMODE((folder / "work").stat().st_mode) == 0o700
    assert (folder / "submission" / "ops.py").read_text() == module.read_text()
    assert sorted(p.name for p in (folder / "runtime").iterdir()) == sorted(
        sandbox.RUNTIME_FILES
    )
    assert set(launch.env) == {
        "PATH",
        "HOME",
        "TMPDIR",
        "LANG",
        *sandbox.THREAD_VARIABLES,
    }

    with Worker(module, isolation) as worker:
        import numpy as np

        assert worker.call("where", [np.ones(2)], 1, 10).status == "ok"
        used = worker._folder
        assert Path(used).is_dir()
    assert not Path(used).exists()


def test_hidden_grading_refuses_where_secrets_are_in_reach(tmp_path, monkeypatch):
    import subprocess
    import shutil

    grade = shutil.which("grade")
    env = {**os.environ, "GRADER_LAYERS": "limits"}
    args = [
        grade,
        "hw1",
        "--submission",
        str(REFERENCE),
        "--out",
        str(tmp_path),
        "--isolation",
        "process",
    ]
    refused = subprocess.run(
        [*args, "--hidden"], capture_output=True, text=True, env=env, timeout=300
    )
    assert refused.returncode == 1
    assert "refusing to run hidden cases" in refused.stderr
    assert "--accept-risk" in refused.stderr

    student = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert student.returncode == 0, student.stderr
    accepted = subprocess.run(
        [*args, "--hidden", "--accept-risk"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert accepted.returncode == 0, accepted.stderr
    assert "Score: 100 / 100" in accepted.stdout
    assert (HW1 / "cases" / "hidden.yaml").is_file()


def test_other_files_in_the_submission_cannot_shadow_or_run_at_start(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "ops.py").write_text((REFERENCE / "ops.py").read_text())
    trap = "raise SystemExit('shadowed')\n"
    for name in (
        "numpy.py",
        "wire.py",
        "confine.py",
        "sitecustomize.py",
        "usercustomize.py",
        "json.py",
        "os.py",
    ):
        (folder / name).write_text(trap)
    (folder / "numpy").mkdir()
    (folder / "numpy" / "__init__.py").write_text(trap)
    from grader.assignment import load_assignment

    result = grade_submission(load_assignment(HW1), folder)
    assert result.score == 100
    assert not list(folder.glob("__pycache__"))
