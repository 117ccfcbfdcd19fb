"""The Jinja environment and its filters: turns view models into Markdown pages.

It decides nothing about content; see :mod:`generator.views` for that.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import jinja2

# Markdown syntax characters that Python-Markdown lets a backslash escape.  HTML's
# < > & are not among them, so those become entities instead.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#])")


def md_text(value: Any) -> str:
    """Escape plain text (titles, summaries) so Markdown shows it literally."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def yaml_str(value: Any) -> str:
    """A string as a YAML scalar for front matter (JSON strings are valid YAML)."""
    return json.dumps(" ".join(str(value).split()), ensure_ascii=False)


def table_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared Jinja environment over generator/templates/."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=False,  # we emit Markdown; HTML contexts escape with |e explicitly
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters.update(md=md_text, yaml_str=yaml_str, cell=table_cell)
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` with ``context``; the result ends with one newline."""
    return environment().get_template(template).render(**context).rstrip() + "\n"
