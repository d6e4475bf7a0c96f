"""Fill the work folder with files just under the 8 MiB file-size limit,
512 MiB in all, then complain about how much was stored. Stopped by a
cap, it answers correctly instead."""

import numpy as np

CHUNK = (8 << 20) - 1


def exp_backward(out_grad, a):
    stored = 0
    try:
        for n in range(64):
            with open(f"fill-{n}", "wb") as handle:
                handle.write(b"\1" * CHUNK)
            stored += CHUNK
    except OSError:
        return out_grad * np.exp(a)
    raise RuntimeError(f"stored {stored} bytes in the work folder")
