import re

import pytest
import yaml

from grader.assignment import (
    AssignmentError,
    find_assignment,
    list_assignments,
    load_assignment,
)

from conftest import HW1, WARMUP, copy_assignment

HW1_FUNCTIONS = """add_backward multiply_backward divide_backward add_scalar_backward
mul_scalar_backward div_scalar_backward power_scalar_backward negate_backward
log_backward exp_backward relu_backward tanh_backward transpose_backward
reshape_backward broadcast_to_backward summation_backward matmul_backward
softmax_cross_entropy_backward two_layer_backward example_jacobian
vjp_from_jacobian""".split()


def test_hw1_has_every_student_function_and_100_points(hw1_public):
    problems = hw1_public.problems
    assert [p.function for p in problems] == HW1_FUNCTIONS
    assert [p.id for p in problems] == [
        f.removesuffix("_backward") for f in HW1_FUNCTIONS
    ]
    assert sum(p.points for p in problems) == 100


def test_hidden_cases_load_only_when_asked(hw1_public, hw1):
    assert not any(c.hidden for p in hw1_public.problems for c in p.cases)
    hidden = [c for p in hw1.problems for c in p.cases if c.hidden]
    assert hidden and all(c.hidden for c in hidden)
    assert sum(map(len, (p.cases for p in hw1.problems))) > sum(
        map(len, (p.cases for p in hw1_public.problems))
    )


def test_problem_kinds_are_the_four_the_spec_names(hw1_public):
    kinds = {p.id: p.kind for p in hw1_public.problems}
    assert kinds["two_layer"] == "loss_grad"
    assert kinds["example_jacobian"] == "jacobian"
    assert kinds["vjp_from_jacobian"] == "value"
    assert {
        k
        for p, k in kinds.items()
        if p not in ("two_layer", "example_jacobian", "vjp_from_jacobian")
    } == {"vjp"}


def test_trusted_forwards_come_from_the_assignment_folder(hw1_public):
    matmul = next(p for p in hw1_public.problems if p.id == "matmul")
    assert matmul.reference.__module__.startswith("grader_trusted_")
    assert matmul.reference.__code__.co_filename == str(HW1 / "forwards.py")


def test_a_second_assignment_is_just_a_folder():
    assignment = load_assignment(WARMUP, hidden=True)
    assert assignment.module == "warmup"
    assert [p.id for p in assignment.problems] == ["square", "dot", "squared_norm"]
    assert {f.name for f in list_assignments()} >= {"hw1", "warmup"}
    assert find_assignment("warmup") == WARMUP


def test_unknown_assignment_names_the_ones_that_exist():
    with pytest.raises(AssignmentError, match=r"no assignment named 'hw9'.*hw1"):
        find_assignment("hw9")


def test_missing_hidden_cases_is_a_clear_error(tmp_path):
    folder = copy_assignment(tmp_path)
    (folder / "cases" / "hidden.yaml").unlink()
    load_assignment(folder)
    with pytest.raises(AssignmentError, match="hidden cases are not available"):
        load_assignment(folder, hidden=True)


def edit(folder, file, change):
    path = folder / file
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def set_problem_field(field, value, index=1):
    def change(data):
        data["problems"][index][field] = value

    return change


@pytest.mark.parametrize(
    "file, change, expected",
    [
        (
            "assignment.yaml",
            set_problem_field("points", "ten"),
            "assignment.yaml: problem 'dot': field 'points': expected a finite number, "
            "got 'ten'",
        ),
        (
            "assignment.yaml",
            set_problem_field("kind", "hessian"),
            "problem 'dot': field 'kind': expected one of vjp, loss_grad, jacobian, value",
        ),
        (
            "assignment.yaml",
            set_problem_field("forward", "no_such_forward"),
            "problem 'dot': field 'forward': expected the name of a function in",
        ),
        (
            "assignment.yaml",
            set_problem_field("wrt", ["w"]),
            "problem 'dot': field 'wrt': expected names among ['u', 'v']",
        ),
        (
            "assignment.yaml",
            set_problem_field("pionts", 3),
            "problem 'dot': unknown field 'pionts'",
        ),
        (
            "assignment.yaml",
            lambda d: d["problems"][0].pop("function"),
            "problem 'square': field 'function': missing; it is required",
        ),
        (
            "assignment.yaml",
            lambda d: d["problems"].append(dict(d["problems"][0])),
            "problem id 'square' appears twice",
        ),
        (
            "cases/public.yaml",
            lambda d: d["dot"][0]["inputs"].pop("v"),
            "public.yaml: problem 'dot', case 'length_five': field 'inputs': expected "
            "exactly the inputs ['u', 'v']",
        ),
        (
            "cases/public.yaml",
            lambda d: d["dot"][0]["inputs"]["u"].update(low=3),
            "case 'length_five', input 'u': field 'low': expected low < high",
        ),
        (
            "cases/public.yaml",
            lambda d: d["dot"][0]["inputs"]["u"].update(shape=[-2]),
            "input 'u': field 'shape': expected a list of at most 8 sizes",
        ),
        (
            "cases/public.yaml",
            lambda d: d.update(dott=[]),
            "cases for unknown problem 'dott'",
        ),
        (
            "cases/public.yaml",
            lambda d: d.pop("dot"),
            "problem 'dot' has no public cases",
        ),
    ],
)
def test_spec_errors_name_file_problem_and_field(tmp_path, file, change, expected):
    folder = copy_assignment(tmp_path)
    edit(folder, file, change)
    with pytest.raises(AssignmentError) as error:
        load_assignment(folder)
    assert expected in str(error.value)


def test_unparsable_yaml_names_the_file(tmp_path):
    folder = copy_assignment(tmp_path)
    (folder / "assignment.yaml").write_text("title: [unclosed\n")
    with pytest.raises(
        AssignmentError,
        match=re.escape(str(folder / "assignment.yaml")) + ": not valid YAML",
    ):
        load_assignment(folder)


def write_case_input(folder, text):
    """Replace the first dot case's input u with the given YAML mapping."""
    path = folder / "cases" / "public.yaml"
    path.write_text(path.read_text().replace("u: {shape: [5]}", f"u: {text}", 1))


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "{value: [[1, 2], [3]]}",
            "field 'value': expected a rectangular list of finite",
        ),
        ("{value: [1, .nan, 2, 3, 4]}", "field 'value': expected a rectangular list"),
        ("{shape: [5], integers: [0, 3]}", "input 'u' gets a gradient"),
        (
            "{shape: [5], low: -1.0e+200, high: 1.0e+200}",
            "expected low and high within",
        ),
    ],
)
def test_inputs_that_cannot_be_drawn_sensibly_are_spec_errors(tmp_path, text, expected):
    folder = copy_assignment(tmp_path)
    write_case_input(folder, text)
    with pytest.raises(AssignmentError, match=re.escape(expected)):
        load_assignment(folder)


def test_non_utf8_and_alias_bombs_are_refused_quickly(tmp_path):
    folder = copy_assignment(tmp_path)
    spec = folder / "assignment.yaml"
    spec.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(AssignmentError, match="not UTF-8 text"):
        load_assignment(folder)
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)
    ]
    spec.write_text("\n".join(levels) + "\ntitle: *a9\n")
    with pytest.raises(AssignmentError, match="YAML aliases"):
        load_assignment(folder)


def test_a_huge_integer_where_a_number_belongs_is_a_spec_error(tmp_path):
    folder = copy_assignment(tmp_path)
    edit(folder, "assignment.yaml", set_problem_field("points", 10**400))
    with pytest.raises(AssignmentError, match="field 'points': expected a finite"):
        load_assignment(folder)


def test_a_forwards_module_that_exits_is_a_spec_error(tmp_path):
    folder = copy_assignment(tmp_path)
    (folder / "forwards.py").write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(AssignmentError, match="trusted module failed to load"):
        load_assignment(folder)


def test_the_graders_own_assignment_wins_over_the_current_folders(
    tmp_path, monkeypatch
):
    copy_assignment(tmp_path, HW1)
    monkeypatch.chdir(tmp_path)
    assert find_assignment("hw1") == HW1
