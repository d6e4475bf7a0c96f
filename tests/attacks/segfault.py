"""Write to address 8 through ctypes inside exp_backward."""

import ctypes


def exp_backward(out_grad, a):
    ctypes.memmove(8, b"boom", 4)
