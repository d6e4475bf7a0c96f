"""Where a 1-D or 2-D answer differs from the right one, entry by entry.

The map holds one small integer per entry, so a report can draw it without
carrying the student's numbers: 0 within tolerance, 1 to 3 wrong (a small,
a middling or one of the largest errors), 4 not finite. A 1-D answer is one
row. The report turns the levels into SVG geometry; nothing else from the
answer reaches the page except the worst entry's two numbers.
"""

import numpy as np

OK, SMALL, MIDDLE, LARGE, NOT_FINITE = range(5)
# an error at least this fraction of the largest one counts as large, and at
# least the smaller fraction as middling; the rest are small but still wrong
LARGE_SHARE, MIDDLE_SHARE = 0.5, 0.1
# beyond this many entries a map stops being readable
MAX_ENTRIES = 4096


def error_map(
    name: str, expected: np.ndarray | None, received: np.ndarray, tolerance: float
) -> dict | None:
    """The levels of every entry of one output, or None for other shapes.

    `expected` may be None (a probed case): then only non-finite entries are
    marked.
    """
    if received.ndim not in (1, 2) or not 0 < received.size <= MAX_ENTRIES:
        return None
    levels = np.full(received.shape, OK, dtype=int)
    finite = np.isfinite(received)
    if expected is not None and expected.shape == received.shape:
        levels = _wrong_levels(expected, received, finite, tolerance)
    levels[~finite] = NOT_FINITE
    grid = levels.reshape(1, -1) if received.ndim == 1 else levels
    return {
        "output": name,
        "shape": list(received.shape),
        "levels": grid.tolist(),
        "wrong": int(np.count_nonzero(levels)),
    }


def _wrong_levels(expected, received, finite, tolerance) -> np.ndarray:
    error = np.where(finite, np.abs(received - expected), 0.0)
    scale = max(
        float(np.abs(expected).max(initial=0)),
        float(np.abs(np.where(finite, received, 0)).max(initial=0)),
    )
    wrong = error > tolerance * scale + 1e-12
    largest = float(error.max(initial=0))
    levels = np.full(received.shape, OK, dtype=int)
    levels[wrong] = SMALL
    levels[wrong & (error >= MIDDLE_SHARE * largest)] = MIDDLE
    levels[wrong & (error >= LARGE_SHARE * largest)] = LARGE
    return levels
