"""Connect to a TCP port the test listens on at 127.0.0.1 and send a UDP
datagram to a UDP port it holds; the first error propagates, success is
announced."""

import socket

ATTACK = globals()["ATTACK"]  # settings the test writes just above this module


def exp_backward(out_grad, a):
    with socket.create_connection(("127.0.0.1", ATTACK["port"]), timeout=2) as s:
        s.sendall(ATTACK["marker"].encode())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(ATTACK["marker"].encode(), ("127.0.0.1", ATTACK["udp_port"]))
    raise RuntimeError("connected to the grader's machine")
