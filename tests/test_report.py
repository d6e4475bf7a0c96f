from conftest import REFERENCE, Document

from grader.report import clip, render_report
from grader.score import grade_submission


def test_report_has_summary_and_a_section_per_problem(hw1, reference_result):
    html = render_report(reference_result, hw1)
    document = Document(html)
    assert document.tags.count("section") == len(hw1.problems) == 21
    assert "Score 100 / 100" in " ".join(" ".join(document.text).split())
    assert "Public and hidden cases ran" in html


def test_report_needs_no_network_and_has_no_script(hw1, reference_result):
    document = Document(render_report(reference_result, hw1))
    assert "script" not in document.tags
    assert [v for t, n, v in document.attributes if n == "src"] == []
    links = [v for t, n, v in document.attributes if n == "href"]
    assert links and all(link.startswith("#problem-") for link in links)


def test_a_local_run_says_hidden_cases_run_at_grading_time(hw1_public, submission):
    result = grade_submission(
        hw1_public, submission((REFERENCE / "ops.py").read_text())
    )
    html = render_report(result, hw1_public)
    assert "Only the public cases ran. Hidden cases run at grading time" in html
    assert "all tests passed" not in html.lower()


HOSTILE = """
import numpy as np
PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:x">'

def exp_backward(g, a):
    print(PAYLOAD)
    raise ValueError(PAYLOAD)

def log_backward(g, a):
    return PAYLOAD
"""


def test_student_text_never_becomes_markup(hw1_public, submission):
    result = grade_submission(hw1_public, submission(HOSTILE))
    html = render_report(result, hw1_public)
    document = Document(html)
    assert "script" not in document.tags and "img" not in document.tags
    assert not [n for t, n, v in document.attributes if n.startswith("on")]
    assert not [
        v
        for t, n, v in document.attributes
        if n in ("href", "src") and not v.startswith("#problem-")
    ]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert any("<script>alert(1)</script>" in text for text in document.text)


def test_failing_case_shows_shapes_errors_worst_entry_and_hints(
    hw1_public, mutant_submission
):
    result = grade_submission(hw1_public, mutant_submission("divide_rhs_ignores_grad"))
    html = render_report(result, hw1_public)
    text = " ".join(" ".join(Document(html).text).split())
    assert "grad_b has wrong values" in text
    assert "b (3, 3)" in text and "out_grad (3, 3)" in text
    assert "Hints" in text
    divide = next(p for p in hw1_public.problems if p.id == "divide")
    assert divide.hints[0].split("`")[0].strip() in text


def test_a_failing_case_shows_its_diagnosis_and_an_error_map(
    hw1_public, mutant_submission
):
    result = grade_submission(hw1_public, mutant_submission("divide_rhs_ignores_grad"))
    html = render_report(result, hw1_public)
    text = " ".join(" ".join(Document(html).text).split())
    assert "Diagnosis certain grad_b times out_grad is the right gradient" in text
    assert "Next step: Multiply the local derivative by out_grad" in text
    assert "grad_b (3, 3): 9 of 9 entries wrong." in text
    assert "worst entry [2, 1]: expected" in text
    # square and zero_numerator are 2-D and get a map; three_d is 3-D and none
    assert html.count("<svg") == html.count('class="errormap"') == 2


def test_an_error_map_has_only_computed_numbers_in_its_attributes(
    hw1_public, mutant_submission
):
    result = grade_submission(hw1_public, mutant_submission("negate_ones_by_division"))
    document = Document(render_report(result, hw1_public))
    svg = [(t, n, v) for t, n, v in document.attributes if t in ("svg", "g", "rect")]
    assert svg
    for tag, name, value in svg:
        if name in ("x", "y", "width", "height"):
            assert value.isdigit()
        elif name == "viewbox":  # HTMLParser lowercases attribute names
            assert all(part.isdigit() for part in value.split())
        else:
            assert (name, value) in {
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("role", "img"),
                ("aria-label", "error map of grad_a"),
                ("class", "worst"),
            } or (name == "class" and value in {f"level-{i}" for i in range(5)})


def test_when_no_kind_fits_the_report_says_so_with_the_numbers(
    hw1_public, mutant_submission
):
    result = grade_submission(
        hw1_public, mutant_submission("softmax_labels_as_columns")
    )
    text = " ".join(" ".join(Document(render_report(result, hw1_public)).text).split())
    assert (
        "None of the known mistakes fits this answer. The numbers: at grad_logits"
        in text
    )


def test_hidden_cases_show_no_error_map_and_no_numbers_in_a_diagnosis(
    hw1, mutant_submission
):
    result = grade_submission(hw1, mutant_submission("div_scalar_multiplies"))
    hidden = [c for p in result.problems for c in p.cases if c.hidden and not c.passed]
    assert hidden and all(c.error_map is None for c in hidden)
    assert all(not any(ch.isdigit() for ch in c.diagnosis.message) for c in hidden)


def test_clip_keeps_the_start_and_says_how_much_was_cut():
    assert clip("x" * 10, 4) == "xxxx\n[... 6 more characters not shown]"
    assert clip(None) == ""
