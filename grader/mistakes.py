"""The mistakes a diagnosis can name, in the words of the lecture.

Each kind has a sentence and a next step that contain no numbers, so they
can be shown for a hidden case; a diagnosis of a public case says the same
thing with the numbers of that case. A diagnosis is `certain` only when a
computation the grader does itself reproduces the student's answer (or the
behaviour was observed directly, as for an exception); it is `likely` when
the evidence is weaker (random probes only, a single entry, shapes alone).
"""

from dataclasses import dataclass, replace

CERTAIN = "certain"
LIKELY = "likely"


@dataclass(frozen=True)
class Kind:
    """What a kind of mistake is called and what to do about it."""

    summary: str
    next_step: str


KINDS = {
    "exception": Kind(
        "Your function raised an exception before it returned a gradient.",
        "Read the traceback: it points at the line of your file that failed.",
    ),
    "nan_or_inf": Kind(
        "Your gradient has NaN or infinite entries.",
        "Look for a division that can be 0/0 or x/0 or a log of 0; build constant "
        "arrays with np.ones_like or np.zeros_like, never as a / a.",
    ),
    "in_place": Kind(
        "Your function changed one of its arguments in place.",
        "Compute into a new array: avoid +=, *= and slice assignment on out_grad "
        "and on the inputs.",
    ),
    "nondeterministic": Kind(
        "Two calls with the same arguments gave different answers.",
        "Remove randomness and any state kept between calls (module-level "
        "variables, caches, accumulators).",
    ),
    "ignores_out_grad": Kind(
        "Your gradient does not depend on the upstream gradient out_grad.",
        "Multiply the local derivative by out_grad: the chain rule contracts G "
        "with the Jacobian.",
    ),
    "not_linear_in_g": Kind(
        "Your gradient is not linear in the upstream gradient: scaling out_grad "
        "did not scale your answer by the same factor.",
        "A VJP is linear in G: use out_grad only as a factor, never as the base "
        "of a power, in a mask or in a comparison.",
    ),
    "sign_flip": Kind(
        "Your gradient has the right size but the opposite sign.",
        "Check the sign of each derivative term, such as the minus in "
        "d(a/b)/db = -a/b² or d(-a)/da = -1.",
    ),
    "constant_factor": Kind(
        "Your gradient is the right one times a constant factor.",
        "Look for a factor that is missing or extra: a 2, the batch size of a "
        "mean, or the scalar parameter.",
    ),
    "all_zeros": Kind(
        "Your gradient is zero everywhere, but the right one is not.",
        "Make sure out_grad and the local derivative reach the result.",
    ),
    "transpose": Kind(
        "Your gradient is the transpose of the right one.",
        "Check the order of the operands in each matrix product (grad_a = G @ bᵀ, "
        "grad_b = aᵀ @ G) and the layout: rows follow the input.",
    ),
    "same_permutation": Kind(
        "You applied the forward permutation of the axes again instead of its inverse.",
        "Transpose out_grad with the inverse permutation, np.argsort(axes).",
    ),
    "axes_permuted": Kind(
        "Your gradient has the right entries with its axes in another order.",
        "Undo the forward's axis moves exactly, with the inverse permutation.",
    ),
    "output_shape": Kind(
        "Your gradient has the shape of the output (out_grad), not of the input.",
        "Return an array shaped like the input: bring out_grad back to the "
        "input's shape by summing, broadcasting or reshaping.",
    ),
    "missing_sum": Kind(
        "Your gradient is not summed over the axes its input was broadcast along.",
        "Sum over the broadcast and batch axes (keepdims=True for size-1 axes), "
        "then reshape to the input's shape.",
    ),
    "wrong_axis": Kind(
        "Your gradient sums or repeats out_grad along the wrong axis.",
        "Line the shapes up from the right, and re-insert reduced axes with "
        "np.expand_dims before broadcasting.",
    ),
    "missing_reshape": Kind(
        "Your gradient has the right values in the wrong shape.",
        "Finish with a reshape to the input's shape.",
    ),
    "forward_value": Kind(
        "Your function returns the forward value where the gradient belongs.",
        "Return out_grad times the derivative of the forward, not the forward.",
    ),
    "outputs_swapped": Kind(
        "Your gradient for one input is the right gradient of another input.",
        "Swap the partners: each input's gradient uses the other operands.",
    ),
    "input_factor": Kind(
        "Your gradient is the right one times a power of an input.",
        "Check the power of the input in your derivative: an exponent lowered "
        "by one, or a division written as a multiplication.",
    ),
    "derivative_at_input": Kind(
        "Your formula is right when it is given the forward's output instead of "
        "its input: it is written in terms of f(x) but evaluated at x.",
        "Compute the forward value first and put it into the derivative (for "
        "example 1 - tanh(a)², not 1 - a²).",
    ),
}


@dataclass(frozen=True)
class Diagnosis:
    """The mistake a failed case most likely shows, and what to do next."""

    kind: str
    confidence: str  # certain or likely
    message: str
    next_step: str


def named(kind: str, certain: bool, message: str = "", next_step: str = ""):
    """A diagnosis of a known kind; the kind's own words fill what is left out."""
    if kind not in KINDS:
        raise KeyError(f"unknown diagnosis kind {kind!r}; add it to KINDS")
    return Diagnosis(
        kind=kind,
        confidence=CERTAIN if certain else LIKELY,
        message=message or KINDS[kind].summary,
        next_step=next_step or KINDS[kind].next_step,
    )


def for_hidden_case(diagnosis: Diagnosis | None) -> Diagnosis | None:
    """The kind's own words only: a hidden case's numbers are never shown."""
    if diagnosis is None:
        return None
    kind = KINDS[diagnosis.kind]
    return replace(diagnosis, message=kind.summary, next_step=kind.next_step)
