"""The Jinja environment and its filters: turns view models into Markdown pages.

It decides nothing about content; see :mod:`generator.views` for that.
"""

from __future__ import annotations

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


# In a double-quoted YAML scalar only the double quote and the backslash are special among printable
# characters; everything else outside printable ASCII is looked at one by one.
_YAML_SPECIAL = re.compile('["\\\\]|[^\\x20-\\x7e]')


def _yaml_escape(m: "re.Match[str]") -> str:
    ch = m.group()
    if ch in '"\\':
        return "\\" + ch
    if ch.isprintable():
        return ch  # YAML's reader accepts every printable character, and none of them breaks a line
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return "\\uFFFD"  # no YAML reader takes a lone surrogate, even escaped; it is no text anyway
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def yaml_str(value: Any) -> str:
    """A string as a one-line double-quoted YAML scalar for front matter; it reads back as itself.

    Runs of whitespace become one space.  Every character YAML would refuse or
    read as a line break (controls, NEL, U+2028, noncharacters, surrogates) and
    every invisible one is written as an escape, so no string can end the
    scalar or the front matter early.  JSON's escapes are not enough: YAML
    refuses a literal C1 control and breaks lines at U+2028.  A lone surrogate,
    which no YAML reader takes, becomes U+FFFD, the replacement character.
    """
    return '"' + _YAML_SPECIAL.sub(_yaml_escape, " ".join(str(value).split())) + '"'


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
