"""Write a forged results.json and report.html (and a PWNED file) wherever
the grader might write or read them: its --out folder, its current folder,
the submission folder, /tmp. Errors are ignored; exp_backward answers
correctly, so only the side effects can show."""

import json
import os

import numpy as np

ATTACK = globals()["ATTACK"]  # settings the test writes just above this module


def exp_backward(out_grad, a):
    forged = json.dumps({"score": 100, "forged": ATTACK["marker"]})
    for folder in [*ATTACK["folders"], "/tmp", ".", ".."]:
        for name, text in (
            ("results.json", forged),
            ("report.html", f"<h1>100 / 100</h1>{ATTACK['marker']}"),
            (f"PWNED-{ATTACK['marker']}", ATTACK["marker"]),
        ):
            try:
                with open(os.path.join(folder, name), "w") as handle:
                    handle.write(text)
            except OSError:
                pass
    return out_grad * np.exp(a)
