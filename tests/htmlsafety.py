"""Judging generated pages without a browser: render them as MkDocs would, then look for anything that runs.

:func:`render_page` turns a generated Markdown page into the HTML MkDocs puts in
the page body (mkdocs.yml's own extensions and settings); :func:`raw_html_safe`
judges front matter values, which MkDocs Material prints without escaping.
:func:`executable_constructs` lists what in an HTML document could run script,
load something, or carry attributes that record text put there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, Dict, List, Optional, Tuple

from sitebuild import ROOT

#: Elements that run, embed or redirect; none of them belongs in page content.
_DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "input", "button",
    "textarea", "select", "style", "link", "meta", "template", "noscript", "math", "img", "image", "video",
    "audio", "source", "track", "portal",
}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "cite", "srcset", "ping"}
#: Attributes no generated page sets itself; only attr_list or raw HTML could put them there.
_INJECTED_ATTRIBUTES = {"autofocus", "srcdoc", "style", "data-toc-label", "markdown", "contenteditable", "tabindex"}


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: List[str] = []
        self.text: List[str] = []

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        if tag in _DANGEROUS_TAGS:
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> event handler")
            elif name in _INJECTED_ATTRIBUTES:
                self.found.append(f"<{tag} {name}> attribute")
            elif name in _URL_ATTRIBUTES and value is not None and _unsafe_url(value):
                self.found.append(f"<{tag} {name}={value!r}> non-http(s) URL")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.found.append(f"comment <!--{data[:30]}-->")

    def handle_pi(self, data: str) -> None:
        self.found.append(f"processing instruction <?{data[:30]}>")

    def handle_decl(self, decl: str) -> None:
        if not decl.lower().startswith("doctype"):
            self.found.append(f"declaration <!{decl[:30]}>")

    def unknown_decl(self, data: str) -> None:
        self.found.append(f"declaration <![{data[:30]}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _unsafe_url(value: str) -> bool:
    seen = re.sub(r"[\x00-\x20]", "", value)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", seen)
    return bool(m) and m.group(1).lower() not in ("http", "https")


def executable_constructs(document: str) -> List[str]:
    """What in ``document`` could run or was injected (empty for a safe page)."""
    scan = _Scan()
    scan.feed(document)
    scan.close()
    return scan.found


def visible_text(document: str) -> str:
    """The text a reader sees, whitespace collapsed."""
    scan = _Scan()
    scan.feed(document)
    scan.close()
    return " ".join("".join(scan.text).split())


@lru_cache(maxsize=1)
def _markdown() -> Any:
    import markdown
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    return markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])


def render_page(source: str) -> Tuple[Dict[str, Any], str]:
    """(front matter, body HTML) of a generated page, as MkDocs renders it with mkdocs.yml."""
    from mkdocs.utils.meta import get_data

    body, meta = get_data(source)
    md = _markdown()
    md.reset()
    return meta, md.convert(body)


def raw_html_safe(value: str) -> bool:
    """Whether ``value`` can be printed unescaped into HTML text or a quoted attribute
    (as MkDocs Material prints front matter) without ending either."""
    return not re.search(r"[<>\"']|&(?!(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);)", value)
