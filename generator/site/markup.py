"""Record text onto a page: escaping for each context, and Markdown fields as sanitised HTML.

The pages are Markdown that MkDocs renders with mkdocs.yml's extensions
(attr_list, md_in_html, admonition, emoji ...), and MkDocs Material prints
front matter values into HTML without escaping.  So no record text reaches a
page unescaped:

* plain text is escaped for the exact context it lands in: Markdown inline text
  (:func:`md_text`), a code span (:func:`md_code`), a fenced block
  (:func:`md_fence`), a link destination (:func:`md_url`), a front matter value
  that the theme prints as HTML (:func:`front_matter`), or HTML (:func:`html_text`);
* a Markdown field is rendered here, by Python-Markdown with a fixed set of
  extensions that has no raw HTML and no attribute lists, then cleaned by nh3
  against an allowlist (:func:`markdown_html`).  The page embeds the result as a
  raw HTML block, which MkDocs passes through untouched.

``wheelfix check`` refuses HTML in Markdown fields (generator/kb/safetext.py); this
module does not rely on that.  Pure functions, no I/O.
"""

from __future__ import annotations

import html
import re
import threading
from typing import Any, Iterable, Optional

import markdown
import nh3

__all__ = ["front_matter", "html_text", "markdown_html", "markdown_cell_html", "md_code", "md_fence", "md_text", "md_url", "one_line"]

# Markdown syntax characters that Python-Markdown lets a backslash escape.  HTML's
# < > & are not among them, so those become entities instead.  Braces stop
# attribute lists ({: onfocus=...}) from reaching the element before them.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#{}])")
#: The colon that opens an emoji shortcode (pymdownx.emoji reads ":warning:" in
#: "x.c:3:warning:" as a picture, loaded from a CDN).  ":" has no backslash escape.
_EMOJI_START = re.compile(r":(?=[+\-\w]+:)")
#: A line start that makes a block: a list item (- + 1. 1)), an admonition (!!!), a
#: details block (???), a code fence (~~~).  Entities where a backslash would show.
_BLOCK_START = re.compile(r"^(\d*)(?:([.)])(?=\s|$)|([-+])(?=\s|$)|(!)!!|(\?)\?\?|(~)~~)")
_BLOCK_ESCAPES = {"-": "\\-", "+": "\\+", "!": "\\!", ".": "\\.", ")": "\\)", "?": "&#63;", "~": "&#126;"}
#: Characters YAML cannot hold literally in a double-quoted scalar (or refuses outright).
#: Characters that would end or break a Markdown link destination.
_URL_BREAKERS = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\\": "%5C", "`": "%60", '"': "%22", "'": "%27"}

_TAGS = {"p", "br", "hr", "a", "code", "pre", "em", "strong", "ul", "ol", "li", "blockquote",
         "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+-]{1,32}")
_ALIGN = {"left", "right", "center"}


def one_line(value: Any) -> str:
    """Whitespace runs (newlines too) as single spaces, ends trimmed."""
    return " ".join(str(value).split())


def html_text(value: Any) -> str:
    """Text for HTML content or a double- or single-quoted attribute value."""
    return html.escape(str(value), quote=True)


def md_text(value: Any) -> str:
    """Plain text, one line, shown literally in Markdown: inline, or as a paragraph of its own.

    A paragraph's first characters could start a list, an admonition, a
    collapsible block or a code fence, so those are escaped too.
    """
    text = one_line(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _EMOJI_START.sub("&#58;", text)
    return _BLOCK_START.sub(_escape_block_start, text, count=1)


def _escape_block_start(m: "re.Match[str]") -> str:
    marker = next(g for g in m.groups()[1:] if g)
    return m.group(1) + _BLOCK_ESCAPES[marker] + m.group()[len(m.group(1)) + 1:]


def md_code(value: Any) -> str:
    """Plain text as one Markdown code span.

    The fence is one backtick longer than the longest backtick run inside; content
    that starts or ends with a backtick is padded with a space so it cannot join
    the fence (Python-Markdown strips the padding).
    """
    text = one_line(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_fence(lines: Iterable[Any], language: str = "text") -> str:
    """Plain text lines as a fenced code block that no line can close early.

    The fence is longer than any backtick run in the text, so a line of
    backticks is content, not the end of the block.
    """
    body = [str(line).replace("\r", "") for line in lines]
    text = "\n".join(body)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def md_url(url: Any) -> str:
    """A URL as a Markdown link destination: characters that would end it are percent-encoded."""
    return "".join(_URL_BREAKERS.get(c, c) for c in one_line(url))


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


def front_matter(value: Any) -> str:
    """A front matter value that the theme prints as HTML: HTML-escaped, then a YAML string.

    MkDocs Material prints ``title`` into ``<title>``, the header, the navigation
    and the tags page, and ``description`` into a ``<meta>`` attribute, all
    without escaping; the escaped text reads literally in each of them.
    """
    return yaml_str(html_text(one_line(value)))


class _SafeMarkdown(threading.local):
    """One Python-Markdown instance per thread, reset between texts (building one is slow)."""

    def __init__(self) -> None:
        md = markdown.Markdown(
            extensions=["fenced_code", "tables"],
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html",
        )
        # No raw HTML: block HTML, inline tags, comments and <mail@autolinks> become text.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("automail")
        self.md = md


_RENDERER = _SafeMarkdown()


def _keep_attribute(tag: str, name: str, value: str) -> Optional[str]:
    if name == "class":
        return value if _LANGUAGE_CLASS.fullmatch(value) else None
    if name == "align":
        return value if value in _ALIGN else None
    if name == "start":
        return value if value.isdigit() and len(value) <= 6 else None
    return value


def sanitise(fragment: str) -> str:
    """Clean an HTML fragment against the allowlist: no script, no handlers, http(s) links only."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def markdown_html(text: str) -> str:
    """A Markdown field as sanitised HTML, ready to embed in a page as a raw block."""
    md = _RENDERER.md
    md.reset()
    return sanitise(md.convert(text)).strip()


def markdown_cell_html(text: str) -> str:
    """:func:`markdown_html` for a table cell: a lone paragraph loses its ``<p>``."""
    out = markdown_html(text)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        return out[3:-4]
    return out
