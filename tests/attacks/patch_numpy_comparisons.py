"""Make every NumPy comparison in the worker say "equal" (allclose,
array_equal, array_equiv, isclose, the testing asserts), at import, then
answer exp_backward wrongly."""

import numpy as np
import numpy.testing


def _always(*args, **kwargs):
    return True


def _never_raise(*args, **kwargs):
    return None


for _name in ("allclose", "array_equal", "array_equiv"):
    setattr(np, _name, _always)
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, bool)
for _name in dir(numpy.testing):
    if _name.startswith("assert"):
        setattr(numpy.testing, _name, _never_raise)


def exp_backward(out_grad, a):
    return 2 * out_grad * np.exp(a)
