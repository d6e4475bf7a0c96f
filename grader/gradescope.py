"""Our results in Gradescope's autograder format (its `results.json`).

Each problem becomes one Gradescope test for its public cases, always
visible, and, where hidden cases ran, a second test for its hidden cases
with the assignment's `gradescope_hidden` visibility. A test's output is
teaching text: the cases passed, the first failures and their diagnosis.
For a hidden case it shows only what our results keep of it (a verdict,
a message without inputs, the kind's own words), and under
`hidden_visibility: totals` only the count passed.

How a problem's points are split, in cents so that the two tests always sum
exactly to our problem score:

- each test's maximum is the points in proportion to its number of cases
  (the public test's share rounded to the cent, the hidden test the rest);
- the public test scores the share of its passed cases and the hidden test
  the rest of the problem score, capped at its maximum (a cent of rounding
  then moves back to the public test);
- an all-or-nothing problem scores both tests in full when every case,
  public and hidden, passed, and both 0 otherwise: its public test says so
  when all its own cases passed, so a 0 there is never unexplained.
"""

import json
from pathlib import Path

from grader.assignment import Assignment
from grader.results import SCHEMA_VERSION

# failed cases whose message a test shows; the rest are counted
FAILURES_SHOWN = 3
# when Gradescope shows a test, in the words of the note to students
WHEN_SHOWN = {
    "visible": "now",
    "after_due_date": "after the due date",
    "after_published": "once your instructor publishes grades",
    "hidden": "to your instructor only",
}


def gradescope_results(results: dict, assignment: Assignment) -> dict:
    """Convert one student's results (schema v1) into Gradescope's format.

    `results` is what `grader.results.results_dict` returns (or its JSON);
    `assignment` supplies all-or-nothing flags and the hidden tests'
    visibility. Raises ValueError for results of another schema or assignment.
    """
    _check(results, assignment)
    tests = []
    for number, problem in enumerate(results["problems"], start=1):
        tests += _problem_tests(problem, assignment, number)
    return {
        "score": results["score"],
        "output": _note(results, assignment),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": _extra(results),
    }


def gradescope_error(message: str, assignment: Assignment | None) -> dict:
    """A score of 0 for an upload that could not be graded, saying what to do."""
    title = f" for {assignment.title}" if assignment is not None else ""
    return {
        "score": 0,
        "output": f"Your upload could not be graded{title}: {message}",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {"error": message},
    }


def write_gradescope_results(results: dict, assignment: Assignment, path: Path) -> Path:
    """Write the Gradescope form of `results` to `path` and return it."""
    return write_gradescope(gradescope_results(results, assignment), path)


def write_gradescope(data: dict, path: Path) -> Path:
    """Write a Gradescope results document (no NaN, UTF-8) to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def split_points(
    max_score: float,
    score: float,
    passed: tuple[int, int],
    total: tuple[int, int],
    all_or_nothing: bool = False,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """((public score, public max), (hidden score, hidden max)) of one problem,
    from its points, its score and the (public, hidden) cases passed and run."""
    points, earned = _cents(max_score), _cents(score)
    cases = sum(total)
    public_max = _share(points, total[0], cases)
    hidden_max = points - public_max
    if all_or_nothing:
        public = public_max if earned == points else 0
    else:
        public = _share(points, passed[0], cases)
    hidden = min(max(earned - public, 0), hidden_max)
    public = earned - hidden
    return (public / 100, public_max / 100), (hidden / 100, hidden_max / 100)


def _check(results: dict, assignment: Assignment) -> None:
    version = results.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(
            f"results have schema_version {version!r}, but this grader reads "
            f"version {SCHEMA_VERSION}; regrade with this grader"
        )
    if results.get("assignment") != assignment.name:
        raise ValueError(
            f"results are for assignment {results.get('assignment')!r}, not "
            f"{assignment.name!r}; pass the assignment they were graded against"
        )


def _problem_tests(problem: dict, assignment: Assignment, number: int) -> list[dict]:
    spec = {p.id: p for p in assignment.problems}.get(problem["id"])
    if spec is None:
        raise ValueError(
            f"results have problem {problem['id']!r}, which {assignment.name} does "
            "not define; regrade against the current assignment"
        )
    public = [c for c in problem["cases"] if not c["hidden"]]
    hidden = [c for c in problem["cases"] if c["hidden"]]
    (public_score, public_max), (hidden_score, hidden_max) = split_points(
        problem["max_score"],
        problem["score"],
        (_passed(public), _passed(hidden)),
        (len(public), len(hidden)),
        spec.all_or_nothing,
    )
    name = f"{problem['title']} ({problem['id']})"
    lines = _public_lines(public, hidden, spec.all_or_nothing, assignment.name)
    first = _test(name, public_score, public_max, public, lines, "visible")
    if not hidden:
        return [{**first, "number": str(number)}]
    second = _test(
        f"{name}: hidden cases",
        hidden_score,
        hidden_max,
        hidden,
        _hidden_lines(hidden, assignment.hidden_visibility),
        assignment.gradescope_hidden,
    )
    first = {**first, "name": f"{name}: public cases", "number": f"{number}.1"}
    return [first, {**second, "number": f"{number}.2"}]


def _test(name, score, max_score, cases, lines, visibility) -> dict:
    return {
        "name": name,
        "score": score,
        "max_score": max_score,
        "status": "passed" if _passed(cases) == len(cases) else "failed",
        "output": "\n".join(lines),
        "visibility": visibility,
    }


def _public_lines(cases, hidden, all_or_nothing, name) -> list[str]:
    lines = [f"{_passed(cases)} of {len(cases)} public cases passed."]
    if all_or_nothing:
        lines.append(
            "This problem is all or nothing: it scores only when every case "
            f"{'(public and hidden) ' if hidden else ''}passes."
        )
        if _passed(cases) == len(cases) and _passed(hidden) < len(hidden):
            lines.append("A hidden case failed, so this problem scores 0.")
    lines += _failures(cases, details=True)
    if _passed(cases) < len(cases):
        lines.append(f"\nRun `grade {name}` locally: report.html shows every case.")
    return lines


def _hidden_lines(cases, hidden_visibility: str) -> list[str]:
    count = f"{_passed(cases)} of {len(cases)} hidden cases passed."
    lines = [f"{count} Their inputs are not shown."]
    if hidden_visibility == "totals":
        return lines
    return lines + _failures(cases, details=False)


def _failures(cases, details: bool) -> list[str]:
    """The first failed cases: message, and the diagnosis unless repeated;
    `details` adds the end of a public case's traceback."""
    failed = [c for c in cases if not c["passed"]]
    lines, said = [], None
    for case in failed[:FAILURES_SHOWN]:
        lines += ["", f"Failed: {case['name']}", f"  {case['message']}"]
        if details and case.get("traceback"):
            lines += [f"  {line}" for line in case["traceback"][-3:]]
        diagnosis = case.get("diagnosis")
        if diagnosis and diagnosis["message"] != said:
            lines += [
                f"  Likely mistake ({diagnosis['confidence']}): {diagnosis['message']}",
                f"  Next step: {diagnosis['next_step']}",
            ]
            said = diagnosis["message"]
    if len(failed) > FAILURES_SHOWN:
        more = len(failed) - FAILURES_SHOWN
        lines += ["", f"...and {more} more failed case{'s' if more > 1 else ''}."]
    return lines


def _note(results: dict, assignment: Assignment) -> str:
    score = f"Score: {results['score']:g} / {results['max_score']:g}."
    if results["public_only"]:
        return (
            f"{score} Only public cases ran: hidden cases were not graded, so "
            "this is not a final score."
        )
    counts = [sum(c["hidden"] for c in p["cases"]) for p in results["problems"]]
    hidden, parts = sum(counts), sum(map(bool, counts))
    if not hidden:
        return f"{score} Every case ran; this assignment has no hidden cases."
    when = WHEN_SHOWN[assignment.gradescope_hidden]
    return (
        f"{score} Hidden cases ran and count toward this score: {hidden} hidden "
        f"cases in {parts} problems. Each such problem has a second test for its "
        f"hidden cases, shown {when}."
    )


def _extra(results: dict) -> dict:
    keys = ("schema_version", "assignment", "max_score", "seed", "hidden_ran")
    return {key: results.get(key) for key in keys} | {
        "isolation": results.get("isolation", "")
    }


def _passed(cases) -> int:
    return sum(bool(c["passed"]) for c in cases)


def _cents(value: float) -> int:
    return round(value * 100)


def _share(cents: int, part: int, whole: int) -> int:
    """`cents * part / whole` rounded half up, in whole cents."""
    return (2 * cents * part + whole) // (2 * whole) if whole else 0
