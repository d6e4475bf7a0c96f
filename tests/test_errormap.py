"""Error maps: one level per entry, computed from the numbers, nothing else."""

import numpy as np

from grader.errormap import LARGE, MIDDLE, NOT_FINITE, OK, SMALL, error_map


def test_levels_rank_each_wrong_entry_against_the_largest_error():
    expected = np.zeros((2, 3))
    received = np.array([[0.0, 1.0, 0.2], [0.01, 0.0, np.nan]])
    found = error_map("grad_a", expected, received, 1e-6)
    assert found == {
        "output": "grad_a",
        "shape": [2, 3],
        "levels": [[OK, LARGE, MIDDLE], [SMALL, OK, NOT_FINITE]],
        "wrong": 4,
    }


def test_a_vector_is_one_row_and_right_entries_are_level_zero():
    expected = np.arange(4.0)
    found = error_map("grad_a", expected, expected + [0, 0, 0, 1e-3], 1e-6)
    assert found["levels"] == [[OK, OK, OK, LARGE]] and found["shape"] == [4]


def test_within_tolerance_is_right():
    expected = np.ones((2, 2))
    assert error_map("g", expected, expected * (1 + 1e-9), 1e-6)["wrong"] == 0


def test_without_an_exact_answer_only_non_finite_entries_are_marked():
    found = error_map("g", None, np.array([1.0, np.inf]), 1e-6)
    assert found["levels"] == [[OK, NOT_FINITE]]


def test_other_shapes_get_no_map():
    assert error_map("g", None, np.zeros((2, 2, 2)), 1e-6) is None
    assert error_map("g", None, np.zeros(()), 1e-6) is None
    assert error_map("g", None, np.zeros((0, 3)), 1e-6) is None
