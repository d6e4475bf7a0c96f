"""Put HTML and script into every string the grader shows: an exception
whose type name and message are markup (exp), printed output (exp), a
returned object whose type name is markup (log), a returned string of
markup (div_scalar), a structured dtype whose field names are markup
(tanh), an array conversion that fails with a markup message (relu), and a
traceback line that is markup (negate)."""

import numpy as np

PAYLOAD = (
    '<script>alert(1)</script><img src=x onerror="alert(2)">'
    '"\'><svg onload=alert(3)><a href="javascript:alert(4)">x</a>'
    "<iframe src=//127.0.0.1/></iframe><style>body{display:none}</style>"
)


def exp_backward(out_grad, a):
    print(PAYLOAD)
    raise type(PAYLOAD, (Exception,), {})(PAYLOAD)


def log_backward(out_grad, a):
    return type(PAYLOAD, (), {})()


def div_scalar_backward(out_grad, a, scalar):
    return PAYLOAD


def tanh_backward(out_grad, a):
    return np.zeros(a.shape, dtype=[(PAYLOAD, "f8")])


class _Refuses:
    def __array__(self, *args, **kwargs):
        raise ValueError(PAYLOAD)


def relu_backward(out_grad, a):
    return [[_Refuses()]]


def negate_backward(out_grad, a):
    raise ValueError(PAYLOAD)  # <script>alert(5)</script><b onmouseover=alert(6)>
