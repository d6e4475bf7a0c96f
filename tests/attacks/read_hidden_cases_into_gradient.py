"""Read the hidden cases and return their bytes, one byte per entry, as a
gradient shaped exactly like `a` (so the report's worst entry would show
them); where no path opens, the first error propagates."""

import numpy as np

ATTACK = globals()["ATTACK"]  # settings the test writes just above this module


def _read_first(paths):
    errors = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as error:
            errors.append(error)
    raise errors[0]


def exp_backward(out_grad, a):
    data = _read_first(
        [
            ATTACK["hidden_cases"],
            "../../assignments/hw1/cases/hidden.yaml",
            "/work/main/assignments/hw1/cases/hidden.yaml",
        ]
    )
    codes = np.frombuffer(data[: a.size].ljust(a.size), dtype=np.uint8)
    return codes.astype(np.float64).reshape(a.shape)
