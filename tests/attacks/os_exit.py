"""Leave the worker with os._exit(0) in the middle of exp_backward: no
exception to catch, exit status 0."""

import os


def exp_backward(out_grad, a):
    os._exit(0)
