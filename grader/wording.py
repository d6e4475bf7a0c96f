"""Words for what a diagnosis found: which constant a factor is, which axes.

A factor is named by what it most likely is on this case: the scalar
parameter (or its inverse or square), the size of an input's axis (a batch
size, for a mean), 2 or 1/2. An unnamed factor gets no hint.
"""

import numpy as np

from grader.evidence import Evidence, stretched


def factor_name(c: float, ev: Evidence) -> tuple[str, str]:
    """Name a constant: a parameter, an axis size (a batch size), 2 or 1/2."""
    slack = max(10 * ev.tolerance, 1e-9)
    for value, phrase, hint in _named_constants(ev):
        if abs(c - value) <= slack * abs(value):
            return phrase, hint
    return f"{c:.4g}", None


def _named_constants(ev: Evidence):
    for key, s in ev.params.items():
        if isinstance(s, (int, float)) and not isinstance(s, bool) and s not in (0, 1):
            yield s, f"{key} (= {s:g})", f"an extra factor {key}"
            yield 1 / s, f"1/{key} (= {1 / s:.4g})", f"a missing factor {key}"
            yield (
                s * s,
                f"{key}² (= {s * s:.4g})",
                (f"a multiplication by {key} where the derivative divides by it"),
            )
            yield (
                1 / (s * s),
                f"1/{key}² (= {1 / (s * s):.4g})",
                (f"a division by {key} where the derivative multiplies by it"),
            )
    for size, owners in _axis_sizes(ev.inputs).items():
        yield (
            size,
            f"{size}, the size of {owners}",
            (
                f"a missing division by {size}: a mean over that axis (a batch mean) "
                f"divides its gradient by {size}"
            ),
        )
        yield (
            1 / size,
            f"1/{size}, one over the size of {owners}",
            (f"a division by {size} too many: divide by the batch size exactly once"),
        )
    yield 2.0, "2", "a term counted twice or a stray factor 2"
    yield 0.5, "1/2", "a missing factor 2 (for example the exponent the power rule "
    "brings down)"


def _axis_sizes(inputs: dict) -> dict:
    sizes: dict = {}
    for name, x in inputs.items():
        for axis, size in enumerate(np.shape(x)):
            if size > 1:
                sizes.setdefault(size, []).append(f"axis {axis} of {name}")
    return {size: " and ".join(where) for size, where in sizes.items()}


def axes_text(axes: tuple[int, ...]) -> str:
    return str(axes[0]) if len(axes) == 1 else str(tuple(axes))


def missing_sum_message(ev: Evidence) -> str:
    got, want = ev.received.shape, tuple(ev.shape)
    who = ev.variable or "the input"
    return (
        f"{ev.name} has shape {got}, the shape {who} takes after broadcasting; "
        f"summed over axis {axes_text(stretched(want, got))} (where {who} lacks the "
        f"axis or has size 1) it gives {want}."
    )
