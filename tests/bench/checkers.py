"""The checkers we compare with, each run on the same drawn case as ours.

- `torch_flags`: PyTorch's `torch.autograd.gradcheck` on the trusted forward
  wrapped in a `torch.autograd.Function` whose backward calls the
  submission's NumPy VJP, float64, its default tolerances (atol 1e-5,
  rtol 1e-3), fast or slow mode.
- `ones_flags`: what course test suites often do: upstream gradient all ones,
  the full gradient of sum(f(x)) by central differences with step 1e-6, one
  element at a time, compared with `np.allclose` defaults (rtol 1e-5,
  atol 1e-8).

Each returns True when the checker flags the answer as wrong (an exception
from the submission counts as flagged).
"""

import numpy as np

ONES_STEP = 1e-6
ONES_RTOL, ONES_ATOL = 1e-5, 1e-8


def torch_flags(problem, drawn, vjp, fast: bool, seed: int = 0) -> bool:
    """gradcheck the submission's VJP; True if it fails or raises."""
    import torch

    torch.manual_seed(seed)
    function, tensors = _torch_op(problem, drawn, vjp)
    try:
        return not torch.autograd.gradcheck(
            function, tensors, fast_mode=fast, raise_exception=False
        )
    except Exception:  # noqa: BLE001 - a submission's crash is a flag
        return True


def ones_flags(problem, drawn, vjp) -> bool:
    """All-ones upstream gradient, full central differences, np.allclose."""
    args, wrt = _float_args(problem, drawn)
    out = np.asarray(problem.reference(*args, *drawn.params.values()))
    try:
        got = _as_tuple(vjp(np.ones_like(out), *_student_args(drawn)))
    except Exception:  # noqa: BLE001
        return True
    if len(got) != len(wrt):
        return True
    for position, answer in zip(wrt, got):
        expected = _sum_gradient(problem, args, position, drawn.params)
        answer = np.asarray(answer, dtype=np.float64)
        if answer.shape != expected.shape:
            return True
        if not np.allclose(answer, expected, rtol=ONES_RTOL, atol=ONES_ATOL):
            return True
    return False


def as_vjp(problem, function):
    """The submission's function as a VJP; a loss gradient times a scalar G.

    None for problems that are not gradients (a Jacobian, a value)."""
    if problem.kind == "vjp":
        return function
    if problem.kind != "loss_grad":
        return None

    def vjp(out_grad, *args):
        got = _as_tuple(function(*args))
        return tuple(np.asarray(out_grad) * np.asarray(g) for g in got)

    return vjp


def ones_cost_elements(problem, drawn) -> int:
    """How many entries the all-ones check perturbs (two forwards each)."""
    _, wrt = _float_args(problem, drawn)
    return sum(np.size(list(drawn.inputs.values())[p]) for p in wrt)


def _sum_gradient(problem, args, position, params) -> np.ndarray:
    x = args[position]
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = list(args), list(args)
        plus[position], minus[position] = x.copy(), x.copy()
        plus[position][index] += ONES_STEP
        minus[position][index] -= ONES_STEP
        up = np.sum(problem.reference(*plus, *params.values()))
        down = np.sum(problem.reference(*minus, *params.values()))
        gradient[index] = (up - down) / (2 * ONES_STEP)
    return gradient


def _torch_op(problem, drawn, vjp):
    import torch

    args, wrt = _float_args(problem, drawn)
    params = list(drawn.params.values())

    def numpy_args(tensors):
        full = list(args)
        for position, tensor in zip(wrt, tensors):
            full[position] = tensor.detach().numpy()
        return full

    class StudentOp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *tensors):
            full = numpy_args(tensors)
            ctx.full = full
            out = np.asarray(problem.reference(*full, *params), dtype=np.float64)
            return torch.from_numpy(out.copy())

        @staticmethod
        def backward(ctx, grad):
            got = _as_tuple(vjp(grad.detach().numpy(), *ctx.full, *params))
            return tuple(torch.as_tensor(np.asarray(g)) for g in got)

    tensors = tuple(
        torch.tensor(args[p], dtype=torch.float64, requires_grad=True) for p in wrt
    )
    return StudentOp.apply, tensors


def _float_args(problem, drawn):
    args = [
        np.array(a, dtype=np.float64) if a.dtype.kind == "f" else a
        for a in drawn.inputs.values()
    ]
    return args, [problem.inputs.index(name) for name in problem.wrt]


def _student_args(drawn) -> list:
    return [np.array(a, copy=True) for a in drawn.inputs.values()] + list(
        drawn.params.values()
    )


def _as_tuple(result) -> tuple:
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)
