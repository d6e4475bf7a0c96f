"""Answer exp_backward wrongly with an ndarray subclass that claims equality
through every door: ==, !=, __array_ufunc__ (so np.equal, np.isclose and
subtraction answer zero or True), __array_function__ (np.allclose,
np.array_equal) and __bool__."""

import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc in (np.equal, np.isclose, np.less_equal, np.greater_equal):
            return True
        return np.zeros(np.shape(inputs[0]))

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.array_equal, np.array_equiv):
            return True
        return super().__array_function__(func, types, args, kwargs)

    __hash__ = None


def exp_backward(out_grad, a):
    return (3 * out_grad * np.exp(a)).view(Agreeable)
