"""Render the HTML report: one self-contained file, no network, no script.

Jinja2 autoescapes everything; text that came from a submission (messages,
tracebacks, printed output) is also clipped. Only the assignment's own
Markdown descriptions are rendered to markup, with raw HTML disabled.
"""

import datetime
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

from grader.assignment import Assignment
from grader.score import SubmissionResult

TEMPLATES = Path(__file__).with_name("templates")
# enough to read a traceback or a few printed lines, not a 100 MB flood
TEXT_LIMIT = 4000

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_report(result: SubmissionResult, assignment: Assignment) -> str:
    """The report for one graded submission as an HTML string."""
    problems = {p.id: p for p in assignment.problems}
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            result=result,
            problems=problems,
            description=_markdown.render(assignment.description),
            descriptions={
                p.id: _markdown.render(p.description) for p in assignment.problems
            },
            hints={
                p.id: [_markdown.renderInline(hint) for hint in p.hints]
                for p in assignment.problems
            },
            generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        )
    )


def write_report(
    result: SubmissionResult, assignment: Assignment, out_dir: Path
) -> Path:
    """Write `report.html` into `out_dir` and return its path."""
    path = Path(out_dir) / "report.html"
    path.write_text(render_report(result, assignment), encoding="utf-8")
    return path


def clip(text, limit: int = TEXT_LIMIT) -> str:
    """Student text, cut to a readable length with a note of what was cut."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit} more characters not shown]"


def number(value, digits: int = 3) -> str:
    """A float as the report shows it; blank when there is none."""
    if value is None:
        return ""
    return f"{value:.{digits}g}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    env.filters["number"] = number
    env.filters["shape"] = lambda s: (
        "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"
    )
    return env
