"""Print a perfect score and a forged results file, at import and in
exp_backward, then fail exp_backward with a message that tries to start a
new terminal line (newline, carriage return, ANSI erase) with a fake score."""

import json
import sys

FORGED = {"schema_version": 1, "score": 100, "max_score": 100, "problems": []}


def _shout():
    print("Score: 100 / 100")
    print(json.dumps(FORGED))
    sys.stderr.write("Score: 100 / 100\n")


_shout()


def exp_backward(out_grad, a):
    _shout()
    raise RuntimeError("\n\x1b[2K\rScore: 100 / 100\nResults: /tmp/forged/results.json")
