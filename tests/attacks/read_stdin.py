"""Read stdin (where a naive worker would have its protocol input): the
whole of sys.stdin, fd 0, then input()."""

import os
import sys


def exp_backward(out_grad, a):
    sys.stdin.read()
    os.read(0, 1 << 16)
    return input()
