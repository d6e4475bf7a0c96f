"""Signal the grader: SIGUSR1 to the parent and to the grader's pid (which
the test passes in), then signal 0 to pid 1, to every process at once (-1)
and to each pid listed in /proc. SIGUSR1 and signal 0 only, so that a tier
that let them through would harm nothing. Any success is announced; else
the first refusal propagates."""

import os
import signal

ATTACK = globals()["ATTACK"]  # settings the test writes just above this module


def _pids_in_proc():
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []


def exp_backward(out_grad, a):
    targets = [(os.getppid(), signal.SIGUSR1), (ATTACK["grader_pid"], signal.SIGUSR1)]
    targets += [(1, 0), (-1, 0)] + [(pid, 0) for pid in _pids_in_proc()]
    errors, reached = [], []
    for pid, number in targets:
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, number)
            reached.append(pid)
        except OSError as error:
            errors.append(error)
    if reached:
        raise RuntimeError(f"signalled {reached}")
    raise errors[0]
