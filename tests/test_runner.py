import time

import numpy as np
import pytest

from grader.runner import OUTPUT_CAP, Worker

STUDENT = """
import os, sys, time
import numpy as np
print("imported")

def double(g, a):
    return 2 * g

def pair(g, a, b):
    return g * b, g * a

def shout(g, a):
    sys.stdout.write("x" * 10_000_000)
    sys.stdout.flush()
    return g

def raises(g, a):
    return helper(g)

def helper(g):
    raise ValueError("bad value " + str(g.shape))

def hangs(g, a):
    while True:
        pass

def sleeps(g, a):
    time.sleep(600)

def exits(g, a):
    sys.exit(0)

def hard_exit(g, a):
    os._exit(0)

def segfault(g, a):
    import ctypes
    ctypes.string_at(0)

def objects(g, a):
    return np.array([object()])

def nothing(g, a):
    return None

def mutates(g, a):
    a[...] = 0
    return g
"""

G = np.arange(6.0).reshape(2, 3)


@pytest.fixture
def worker(tmp_path):
    path = tmp_path / "ops.py"
    path.write_text(STUDENT)
    with Worker(path) as w:
        yield w


def test_plain_call_returns_arrays_and_the_arguments_after(worker):
    outcome = worker.call("double", [G, G], 1, 5)
    assert outcome.status == "ok"
    assert outcome.result == {"kind": "single", "item": {"kind": "array", "index": 0}}
    np.testing.assert_array_equal(outcome.outputs[0], 2 * G)
    assert len(outcome.after) == 2


def test_tuple_result_keeps_its_items(worker):
    outcome = worker.call("pair", [G, G, G], 2, 5)
    assert [item["kind"] for item in outcome.result["items"]] == ["array", "array"]
    assert len(outcome.outputs) == 2


def test_exception_reports_type_message_and_the_students_own_lines(worker):
    outcome = worker.call("raises", [G, G], 1, 5)
    assert outcome.status == "error"
    assert outcome.error["type"] == "ValueError"
    assert outcome.error["message"] == "bad value (2, 3)"
    assert [line.split(",")[0] for line in outcome.error["traceback"]] == ["ops.py"] * 2
    assert (
        outcome.error["line"]
        == STUDENT.splitlines().index(
            '    raise ValueError("bad value " + str(g.shape))'
        )
        + 1
    )


def test_missing_function_is_named_as_missing(worker):
    assert worker.call("no_such_function", [G], 1, 5).status == "missing"


@pytest.mark.parametrize("function", ["hangs", "sleeps"])
def test_a_hang_times_out_and_the_next_call_gets_a_fresh_worker(worker, function):
    start = time.monotonic()
    outcome = worker.call(function, [G, G], 1, 1.0)
    assert outcome.status == "timeout"
    assert time.monotonic() - start < 5
    assert worker.call("double", [G, G], 1, 5).status == "ok"


@pytest.mark.parametrize(
    "function, detail",
    [
        ("hard_exit", "exited with status 0"),
        ("segfault", "signal 11"),
    ],
)
def test_a_dying_worker_is_a_crash_not_a_result(worker, function, detail):
    outcome = worker.call(function, [G, G], 1, 5)
    assert outcome.status == "crash"
    assert detail in outcome.detail
    assert worker.call("double", [G, G], 1, 5).status == "ok"


def test_sys_exit_is_an_exception_like_any_other(worker):
    outcome = worker.call("exits", [G, G], 1, 5)
    assert (outcome.status, outcome.error["type"]) == ("error", "SystemExit")


def test_flooded_output_is_capped_and_the_call_still_returns(worker):
    outcome = worker.call("shout", [G, G], 1, 20)
    assert outcome.status == "ok"
    assert len(outcome.output) < OUTPUT_CAP + 200
    assert "more bytes of output not kept" in outcome.output


def test_printed_output_is_kept_as_feedback_not_mixed_into_results(worker):
    outcome = worker.call("double", [G, G], 1, 5)
    assert outcome.status == "ok"
    assert "imported" not in str(outcome.result)


@pytest.mark.parametrize("function, kind", [("objects", "bad"), ("nothing", "none")])
def test_unusable_results_are_described_not_sent(worker, function, kind):
    outcome = worker.call(function, [G, G], 1, 5)
    assert outcome.result["item"]["kind"] == kind
    assert outcome.outputs == []


def test_in_place_changes_come_back_for_the_grader_to_see(worker):
    a = np.ones((2, 3))
    outcome = worker.call("mutates", [G, a], 1, 5)
    np.testing.assert_array_equal(outcome.after[1], np.zeros((2, 3)))
    np.testing.assert_array_equal(a, np.ones((2, 3)))


def test_import_error_is_reported_for_every_call(tmp_path):
    path = tmp_path / "ops.py"
    path.write_text("def broken(:\n    pass\n")
    with Worker(path) as worker:
        first = worker.call("broken", [G], 1, 5)
        second = worker.call("broken", [G], 1, 5)
    assert first.status == second.status == "import_error"
    assert first.error["type"] == "SyntaxError"


def test_output_belongs_to_the_call_that_printed_it(tmp_path):
    path = tmp_path / "ops.py"
    path.write_text(
        "def talk(g, a):\n    print('said', int(g[0]))\n    return g\n"
        "def quiet(g, a):\n    return g\n"
    )
    with Worker(path) as worker:
        for i in range(20):
            g = np.array([float(i)])
            assert worker.call("talk", [g, g], 1, 5).output == f"said {i}\n"
            assert worker.call("quiet", [g, g], 1, 5).output == ""
