"""Render the HTML report: one self-contained file, no network, no script.

Jinja2 autoescapes everything; text that came from a submission (messages,
tracebacks, printed output, diagnoses) is also clipped. Only the
assignment's own Markdown descriptions are rendered to markup, with raw HTML
disabled. An error map is inline SVG whose only inputs are numbers computed
here: cell positions and sizes, grouped by a level the grader assigned.
"""

import datetime
from pathlib import Path

from markdown_it import MarkdownIt

from grader.assignment import Assignment
from grader.render import Environment, html_templates
from grader.score import SubmissionResult

# enough to read a traceback or a few printed lines, not a 100 MB flood
TEXT_LIMIT = 4000
# error map cells: as wide as fits in about 480 px, but no smaller than 5 px
MAP_WIDTH, MAP_CELL_MIN, MAP_CELL_MAX = 480, 5, 24
# a 1-D answer is drawn as rows of at most this many entries
MAP_ROW = 32

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
            visibility=assignment.hidden_visibility,
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


def map_geometry(error_map: dict | None, worst: dict | None = None) -> dict | None:
    """Where to draw each cell of an error map: positions by level, in px.

    A 1-D answer is wrapped into rows of `MAP_ROW`; the worst entry, when it
    belongs to the mapped output, gets an outline.
    """
    if not error_map:
        return None
    levels = [level for row in error_map["levels"] for level in row]
    one_d = len(error_map["shape"]) == 1
    columns = min(len(levels), MAP_ROW) if one_d else len(error_map["levels"][0])
    cell = max(MAP_CELL_MIN, min(MAP_CELL_MAX, MAP_WIDTH // max(columns, 1)))
    cells: dict = {level: [] for level in range(5)}
    for flat, level in enumerate(levels):
        row, column = divmod(flat, columns)
        cells[int(level)].append((column * cell, row * cell))
    rows = -(-len(levels) // columns)
    return {
        "cell": cell,
        "width": columns * cell,
        "height": rows * cell,
        "cells": cells,
        "worst": _worst_cell(error_map, worst, columns, cell),
        "entries": len(levels),
    }


def _worst_cell(error_map, worst, columns: int, cell: int):
    if not worst or worst.get("output") != error_map["output"]:
        return None
    index = [int(i) for i in worst.get("index") or []]
    if len(index) != len(error_map["shape"]):
        return None
    flat = index[0] if len(index) == 1 else index[0] * columns + index[1]
    row, column = divmod(flat, columns)
    return (column * cell, row * cell)


def _environment() -> Environment:
    env = html_templates(clip=clip, number=number)
    env.globals["map_geometry"] = map_geometry
    env.filters["shape"] = lambda s: (
        "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"
    )
    return env
