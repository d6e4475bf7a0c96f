"""The Jinja2 environments every output is rendered with.

HTML (the report, the class overview) is autoescaped, so text from a
submission can never become markup; text files (a handout README, the
Gradescope scripts) keep their trailing newline. Both refuse an undefined
name rather than render it empty.
"""

from pathlib import Path

import jinja2
from jinja2 import Environment

TEMPLATES = Path(__file__).with_name("templates")


def html_templates(**filters) -> Environment:
    """An autoescaping environment for HTML, with the given filters."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(filters)
    return environment


def text_templates() -> Environment:
    """An environment for plain-text files."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
