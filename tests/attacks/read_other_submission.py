"""Read a submission graded earlier (by its path, and by looking for other
workers' folders in /tmp) and raise its text as the exception message of
exp_backward; where nothing opens, the first error propagates."""

import glob

ATTACK = globals()["ATTACK"]  # settings the test writes just above this module


def exp_backward(out_grad, a):
    paths = [
        ATTACK["victim"],
        *glob.glob("/tmp/grader-worker-*/submission/*.py"),
        *glob.glob("/tmp/pytest-of-*/*/*/victim/ops.py"),
    ]
    errors = []
    for path in paths:
        try:
            with open(path) as handle:
                raise RuntimeError(handle.read())
        except OSError as error:
            errors.append(error)
    raise errors[0]
