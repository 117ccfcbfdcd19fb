"""The Jinja environment and its filters: turns view models into Markdown pages.

It decides nothing about content; see :mod:`generator.site.views` for that.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

from generator.site.markup import front_matter, html_text, markdown_cell_html, markdown_html, md_code, md_fence, md_text, md_url

__all__ = ["environment", "render", "md_text"]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared Jinja environment over generator/templates/."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.site", "templates"),
        # We emit Markdown, so no single escape fits every value: each one passes the
        # filter of its context (generator/site/markup.py), HTML contexts use |e.
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters.update(
        md=md_text,
        code=md_code,
        fence=md_fence,
        url=md_url,
        front_matter=front_matter,
        e=html_text,
        markdown=markdown_html,
        markdown_cell=markdown_cell_html,
    )
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` with ``context``; the result ends with one newline."""
    return environment().get_template(template).render(**context).rstrip() + "\n"
