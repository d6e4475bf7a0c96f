"""Spin forever inside exp_backward."""


def exp_backward(out_grad, a):
    while True:
        pass
