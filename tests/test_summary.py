import copy
import csv
import random
import statistics
from html.parser import HTMLParser

import numpy as np
import pytest
from conftest import HW1, MUTANTS, REFERENCE, Document

from grader.mutants import materialise
from grader.results import results_dict
from grader.score import grade_submission
from grader.summary import (
    StudentRow,
    render_summary,
    safe_cell,
    write_grades_csv,
    write_summary,
)

HOSTILE_ID = '<script>alert(1)</script><img src=x onerror=alert(2)>"'
HOSTILE_REASON = '<a href="javascript:alert(3)" onclick="x()">no ops.py</a>'
NOT_GRADED = {
    "dana": "no ops.py in the hand-in: it holds only notes.txt",
    "erin": "the archive is not a zip file, a tar or a folder",
    HOSTILE_ID: HOSTILE_REASON,
    '=HYPERLINK("http://x")': "ops.py is a symbolic link,\nsubmit the file itself",
}
# the mistakes written into copies of the reference on matmul, and how often
PLANTED = {"sign_flip": 5, "constant_factor": 3, "missing_sum": 2}


@pytest.fixture(scope="module")
def graded(hw1, reference_result, tmp_path_factory):
    """The results data of the reference and two variants, graded once."""
    folder = tmp_path_factory.mktemp("variants")
    data = {"reference": results_dict(reference_result)}
    for name in ("matmul_operand_order", "exp_ignores_out_grad"):
        materialise(MUTANTS[name], REFERENCE / "ops.py", folder / name)
        data[name] = results_dict(grade_submission(hw1, folder / name))
    return data


@pytest.fixture(scope="module")
def klass(graded):
    """400 graded students built from real results, and 4 not graded."""
    reference = graded["reference"]
    rows = [_row(f"ref-{i:03}", reference) for i in range(150)]
    rows += [_row(f"order-{i:03}", graded["matmul_operand_order"]) for i in range(120)]
    rows += [_row(f"exp-{i:03}", graded["exp_ignores_out_grad"]) for i in range(70)]
    for kind, count in PLANTED.items():
        rows += [_row(f"{kind}-{i}", planted(reference, kind)) for i in range(count)]
    rows += [
        _row(f"part-{i:02}", unattempted(reference, i % 20 + 1)) for i in range(50)
    ]
    rows += [StudentRow(s, None, reason) for s, reason in NOT_GRADED.items()]
    return rows


def _row(student: str, results: dict) -> StudentRow:
    return StudentRow(student, results, None, report=f"students/{student}/report.html")


def planted(results: dict, kind: str) -> dict:
    """A copy whose first matmul case failed with a diagnosis of `kind`."""
    results = copy.deepcopy(results)
    problem = next(p for p in results["problems"] if p["id"] == "matmul")
    problem["cases"][0].update(
        passed=False, diagnosis={"kind": kind, "confidence": "certain"}
    )
    problem["cases_passed"] -= 1
    share = problem["cases_passed"] / problem["cases_total"]
    problem["score"] = round(problem["max_score"] * share, 2)
    results["score"] = round(sum(p["score"] for p in results["problems"]), 2)
    return results


def unattempted(results: dict, count: int) -> dict:
    """A copy whose first `count` problems failed every case, undiagnosed."""
    results = copy.deepcopy(results)
    for problem in results["problems"][:count]:
        for case in problem["cases"]:
            case.update(passed=False, diagnosis=None)
        problem.update(score=0.0, cases_passed=0)
    results["score"] = round(sum(p["score"] for p in results["problems"]), 2)
    return results


def shuffled(rows: list, seed: int) -> list:
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows


def read_csv(path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


class Tables(HTMLParser):
    """The text of each table cell, row by row, and the attributes of rows."""

    def __init__(self, html: str):
        super().__init__()
        self.rows, self.diagnoses, self.bins = [], {}, []
        self.problem, self.in_cell = None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append((attrs, []))
            self.problem = attrs.get("data-problem")
        elif tag in ("td", "th"):
            self.rows[-1][1].append("")
            self.in_cell = True
        elif tag == "li" and "data-kind" in attrs:
            kinds = self.diagnoses.setdefault(self.problem, [])
            kinds.append((attrs["data-kind"], int(attrs["data-count"])))
        elif tag == "g" and attrs.get("class") == "bin":
            self.bins.append(int(attrs["data-count"]))

    def handle_endtag(self, tag):
        self.in_cell = self.in_cell and tag not in ("td", "th", "tr", "table")

    def handle_data(self, data):
        if self.in_cell:
            self.rows[-1][1][-1] += data

    def cells(self, **attrs) -> list[list[str]]:
        return [
            [" ".join(cell.split()) for cell in cells]
            for row, cells in self.rows
            if all(row.get(k) == v for k, v in attrs.items())
        ]


def number(cell: str) -> float:
    return float(cell.replace("%", "").strip())


# grades.csv


def test_csv_has_one_row_per_student_sorted_with_scores_from_results(
    hw1, klass, tmp_path
):
    table = read_csv(write_grades_csv(tmp_path / "grades.csv", hw1, klass))
    ids = [p.id for p in hw1.problems]
    assert table[0] == ["student", "total", *ids, "status"]
    by_student = {row.student: row for row in klass}
    students = [line[0].removeprefix("'") for line in table[1:]]
    assert students == sorted(by_student) and len(students) == 404
    for line in table[1:]:
        row = by_student[line[0].removeprefix("'")]
        assert len(line) == len(ids) + 3
        if row.results is None:
            continue
        assert float(line[1]) == row.results["score"]
        assert [float(v) for v in line[2:-1]] == [
            p["score"] for p in row.results["problems"]
        ]
        assert line[-1] == "graded"


def test_csv_leaves_ungraded_scores_empty_and_says_why(hw1, klass, tmp_path):
    table = read_csv(write_grades_csv(tmp_path / "grades.csv", hw1, klass))
    ungraded = {line[0]: line for line in table if line[-1].startswith("not graded")}
    assert len(ungraded) == len(NOT_GRADED)
    assert all(set(line[1:-1]) == {""} for line in ungraded.values())
    assert ungraded["dana"][-1] == f"not graded: {NOT_GRADED['dana']}"
    link = ungraded['\'=HYPERLINK("http://x")'][-1]
    assert link == "not graded: ops.py is a symbolic link, submit the file itself"


def test_a_long_reason_is_cut_to_one_readable_line(hw1, tmp_path):
    flood = "Traceback (most recent call last):\n" + "x = 1\n" * 2000
    rows = [StudentRow("a", None, flood)]
    table = read_csv(write_grades_csv(tmp_path / "grades.csv", hw1, rows))
    status = table[1][-1]
    assert status.startswith("not graded: Traceback (most recent call last): x = 1")
    assert len(status) < 400 and status.endswith("…") and "\n" not in status


def test_csv_numbers_are_short_and_exact(hw1, graded, tmp_path):
    thirds = copy.deepcopy(graded["reference"])
    thirds["problems"][0]["score"] = 4 / 3
    thirds["score"] = 98.33
    rows = [StudentRow("a", thirds, None), StudentRow("b", graded["reference"], None)]
    table = read_csv(write_grades_csv(tmp_path / "grades.csv", hw1, rows))
    assert table[1][1:3] == ["98.33", "1.33"]
    assert table[2][1:3] == ["100", "2"]


def test_csv_and_summary_are_byte_identical_in_any_order(hw1, klass, tmp_path):
    outputs = []
    for seed in (1, 2):
        folder = tmp_path / str(seed)
        folder.mkdir()
        rows = shuffled(klass, seed)
        assert rows != klass
        write_grades_csv(folder / "grades.csv", hw1, rows)
        write_summary(folder / "summary.html", hw1, rows)
        outputs.append(
            [(folder / n).read_bytes() for n in ("grades.csv", "summary.html")]
        )
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    "student", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\t=x", "  =x", "\r=x"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(
    hw1, graded, tmp_path, student
):
    rows = [StudentRow(student, graded["reference"], None)]
    table = read_csv(write_grades_csv(tmp_path / "grades.csv", hw1, rows))
    assert table[1][0] == "'" + student


def test_plain_ids_are_left_alone():
    assert [safe_cell(s) for s in ("alice", "o'brien", "a-1", "1+1")] == [
        "alice",
        "o'brien",
        "a-1",
        "1+1",
    ]


def test_a_student_twice_or_a_row_without_results_or_reason_is_refused(
    hw1, graded, tmp_path
):
    reference = graded["reference"]
    twice = [StudentRow("a", reference, None), StudentRow("a", None, "no ops.py")]
    with pytest.raises(ValueError, match="'a'.*more than once"):
        write_grades_csv(tmp_path / "grades.csv", hw1, twice)
    with pytest.raises(ValueError, match="exactly one"):
        StudentRow("b", None, None)
    with pytest.raises(ValueError, match="exactly one"):
        StudentRow("b", reference, "crashed")


def test_results_of_another_assignment_are_refused(hw1, graded, tmp_path):
    other = {**graded["reference"], "assignment": "warmup"}
    with pytest.raises(ValueError, match="'warmup'.*'hw1'; grade them again"):
        write_summary(tmp_path / "s.html", hw1, [StudentRow("a", other, None)])


# summary.html


def test_summary_counts_and_totals(hw1, klass):
    tables = Tables(render_summary(hw1, klass))
    totals = [row.results["score"] for row in klass if row.results]
    line = tables.cells()[
        1
        + tables.cells().index(
            ["Graded", "Not graded", "Mean", "Median", "Min", "Max", "Out of"]
        )
    ]
    assert line[:2] == ["400", "4"]
    expected = [
        statistics.mean(totals),
        statistics.median(totals),
        min(totals),
        max(totals),
        100,
    ]
    assert [number(c) for c in line[2:]] == pytest.approx(expected, abs=0.005)


def test_histogram_counts_every_graded_total_in_its_bin(hw1, klass):
    tables = Tables(render_summary(hw1, klass))
    totals = [row.results["score"] for row in klass if row.results]
    counts, _ = np.histogram(totals, bins=10, range=(0, 100))
    assert tables.bins == counts.tolist()
    assert sum(tables.bins) == 400 and min(totals) < 50


def test_histogram_has_labelled_axes(hw1, klass):
    text = " ".join(Document(render_summary(hw1, klass)).text)
    assert "total score" in text and "students" in text
    assert all(
        f" {tick} " in f" {' '.join(text.split())} " for tick in range(0, 101, 10)
    )


def test_per_problem_mean_pass_rate_and_cases_passed(hw1, klass):
    tables = Tables(render_summary(hw1, klass))
    graded = [row.results for row in klass if row.results]
    for problem in hw1.problems:
        scores, full, passed, cases = [], 0, 0, 0
        for results in graded:
            (mine,) = [p for p in results["problems"] if p["id"] == problem.id]
            scores.append(mine["score"])
            full += mine["score"] == problem.points
            passed += mine["cases_passed"]
            cases += mine["cases_total"]
        (line,) = tables.cells(**{"data-problem": problem.id})
        assert number(line[2]) == pytest.approx(sum(scores) / 400, abs=0.005)
        assert number(line[3]) == pytest.approx(100 * full / 400, abs=0.05)
        assert number(line[4]) == pytest.approx(100 * passed / cases, abs=0.05)


def test_matmul_pass_rate_from_how_the_class_was_built(hw1, klass):
    (line,) = Tables(render_summary(hw1, klass)).cells(**{"data-problem": "matmul"})
    # full points: the reference, the exp variant, and the 42 partial
    # students who did not skip matmul (the 17th problem)
    skipped = sum(i % 20 + 1 >= 17 for i in range(50))
    assert line[3] == f"{100 * (150 + 70 + 50 - skipped) / 400:.1f} %"


def test_top_three_diagnoses_count_students_not_cases(hw1, klass):
    diagnoses = Tables(render_summary(hw1, klass)).diagnoses
    assert diagnoses["matmul"] == [
        ("transpose", 120),
        ("sign_flip", PLANTED["sign_flip"]),
        ("constant_factor", PLANTED["constant_factor"]),
    ]
    assert diagnoses["exp"] == [("ignores_out_grad", 70)]
    assert "add" not in diagnoses or diagnoses["add"] == []


def test_failures_no_kind_fits_are_counted(hw1, klass):
    tables = Tables(render_summary(hw1, klass))
    html = render_summary(hw1, klass)
    skipped = sum(i % 20 + 1 >= 17 for i in range(50))
    assert f'data-count="{skipped}">failed, no diagnosis: {skipped}' in html
    assert "What the diagnoses mean" in html and tables.rows


def test_stubs_and_hangs_are_counted_by_what_happened(hw1, graded):
    stubs = results_dict(grade_submission(hw1, HW1 / "handout"))
    hung = copy.deepcopy(graded["reference"])
    exp = next(p for p in hung["problems"] if p["id"] == "exp")
    exp["cases"][0].update(passed=False, call_status="timeout", diagnosis=None)
    html = render_summary(hw1, [_row("stubs", stubs), _row("hung", hung)])
    diagnoses = Tables(html).diagnoses
    assert diagnoses["add"] == [("not_implemented", 1)]
    assert diagnoses["exp"] == [("not_implemented", 1), ("timeout", 1)]
    assert "failed, no diagnosis" not in html
    assert "the function still raises NotImplementedError" in html


def test_summary_lists_ungraded_submissions_with_reasons(hw1, klass):
    tables = Tables(render_summary(hw1, klass))
    (header,) = [i for i, (_, c) in enumerate(tables.rows) if c == ["Student", "Why"]]
    listed = {}
    for attrs, cells in tables.rows[header + 1 :]:
        if len(cells) != 2:
            break
        listed[cells[0]] = " ".join(cells[1].split())
    assert listed == {s: " ".join(r.split()) for s, r in NOT_GRADED.items()}


def test_every_student_links_to_their_report(hw1, klass):
    document = Document(render_summary(hw1, klass))
    links = [v for t, n, v in document.attributes if t == "a" and n == "href"]
    reports = [link for link in links if not link.startswith("#")]
    assert len(reports) == 400
    assert "students/ref-000/report.html" in reports


def test_hostile_ids_and_reasons_render_as_text(hw1, klass):
    rows = klass + [_row("x" + HOSTILE_ID, klass[0].results)]
    html = render_summary(hw1, rows)
    document = Document(html)
    assert not {"script", "img"} & set(document.tags)
    assert [t for t, n, v in document.attributes if t == "a" and n == "onclick"] == []
    assert not [n for t, n, v in document.attributes if n.startswith("on")]
    text = "".join(document.text)
    assert HOSTILE_ID in text and HOSTILE_REASON in text
    hostile_link = [v for t, n, v in document.attributes if n == "href" and "x%3C" in v]
    assert hostile_link == [
        (
            "students/x%3Cscript%3Ealert%281%29%3C/script%3E"
            "%3Cimg%20src%3Dx%20onerror%3Dalert%282%29%3E%22/report.html"
        )
    ]


def test_summary_fetches_nothing_and_runs_nothing(hw1, klass):
    html = render_summary(hw1, klass)
    document = Document(html)
    assert [v for t, n, v in document.attributes if n == "src"] == []
    links = [v for t, n, v in document.attributes if n in ("href", "xlink:href")]
    assert all(
        link.startswith(("#", "students/")) and ":" not in link for link in links
    )
    csp = [
        v for t, n, v in document.attributes if n == "content" and "default-src" in v
    ]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'"]
    assert "script" not in document.tags and "<svg" in html


@pytest.mark.parametrize(
    "report", ["../elsewhere/report.html", "/etc/passwd", "a\\..\\b"]
)
def test_a_report_link_outside_the_batch_is_refused(hw1, graded, report):
    rows = [StudentRow("a", graded["reference"], None, report=report)]
    with pytest.raises(ValueError, match="leaves the summary's folder"):
        render_summary(hw1, rows)


def test_a_class_with_nothing_graded_still_renders(hw1, tmp_path):
    rows = [StudentRow(s, None, r) for s, r in NOT_GRADED.items()]
    html = write_summary(tmp_path / "summary.html", hw1, rows).read_text()
    tables = Tables(html)
    assert tables.bins == [0] * 10
    assert "no graded submissions" in html
    lines = tables.cells(**{"class": "problem"})
    assert len(lines) == 21 and {tuple(line[2:]) for line in lines} == {("",) * 4}
