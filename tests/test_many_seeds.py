import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_reference_passes_every_case_on_fresh_seeds():
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "many_seeds.py"),
            "--seeds",
            "6",
            "--first",
            "5000",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "hw1: 6 seeds" in run.stdout and ", 0 failed;" in run.stdout
