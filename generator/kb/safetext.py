"""What record text may hold: the rules ``wheelfix check`` applies to every text field.

Record fields are of two kinds (docs/contributing.md, "Text fields"):

* **Plain text** (titles, summaries, symptoms, ``look_for``, ``when``, reference
  titles, ``build_requires``, environment titles, facts and assumptions) is shown
  exactly as written: the site escapes it for wherever it lands, so ``<module>``,
  ``numpy<2`` or ``{x}`` read literally.  Only characters that no page can show
  honestly are refused (control and bidirectional-override characters).
* **Markdown** (``cause``, ``fixes[].steps``, ``diagnostics[].meaning``) is rendered
  without raw HTML and without attribute lists, then sanitised.  Because a record
  that relies on either is wrong, not merely ugly, ``check`` refuses them, and
  refuses links and images that are not plain http(s).

What counts as HTML is deliberately wider than what any one Markdown parser
treats as HTML: outside code, ``<`` directly followed by a letter, ``/``, ``!``
or ``?`` (a tag, an end tag, a comment or declaration, a processing
instruction).  ``<`` followed by anything else (``numpy<2``, ``a < b``,
``<=``) is text.  Code spans and fenced code blocks may hold anything.

Stdlib only: this runs for every record on every ``check``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

__all__ = ["Finding", "check_plain", "check_markdown", "check_url", "check_specifier", "markdown_findings", "plain_findings"]

#: C0 and C1 controls (tab and newline are fine), and the characters that reorder
#: or hide text (bidirectional overrides, isolates, line/paragraph separators).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
#: A tag, end tag, comment, declaration or processing instruction starts here.
_TAG_START = re.compile(r"<[A-Za-z/!?]")
#: The one tag-like form that is not HTML: an http(s) autolink, which renders as a link.
_AUTOLINK = re.compile(r"<https?://[^<>\s]*>", re.IGNORECASE)
#: Attribute lists as Python-Markdown's attr_list reads them: ``{: ...}``, ``{#id}``,
#: ``{.class}``, ``{key=value}`` (any of them after the opening brace and spaces).
_ATTR_LIST = re.compile(r"\{:|\{[ \t]*[#.][^\s}]|\{[^{}\n]*?[A-Za-z_][\w.:-]*[ \t]*=")
#: Link and image destinations (up to the closing parenthesis, spaces included, since
#: Python-Markdown keeps them and browsers drop some): inline ``](dest``, and reference
#: definitions ``[id]: dest``.
_INLINE_DEST = re.compile(r"\]\([ \t\n]*<?([^)>\n]*)")
_REFERENCE_DEF = re.compile(r"^[ ]{0,3}\[[^\[\]]+\]:[ \t]*\n?[ \t]*<?([^\s>]+)", re.MULTILINE)
_IMAGE = re.compile(r"!\[[^\]\n]*\][(\[]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_SAFE_SCHEMES = ("http", "https")
#: A fence line: up to three spaces, then three or more backticks or tildes.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
#: Characters an http(s) URL may hold unencoded (RFC 3986), nothing that ends an
#: attribute, a Markdown link or a tag.
_URL = re.compile(r"^https?://[A-Za-z0-9\-_~!&*+,;=:@%()\[\]][A-Za-z0-9\-._~!$&*+,;=:@/?#%()\[\]]*$", re.IGNORECASE)
_URL_FORBIDDEN = re.compile(r"[^A-Za-z0-9\-._~!$&*+,;=:@/?#%()\[\]]")


@dataclass(frozen=True)
class Finding:
    """One refused construct: where it starts in the text (0-based offset) and why."""

    offset: int
    message: str

    def describe(self, text: str) -> str:
        """The message, naming the line of a multi-line field."""
        if "\n" not in text.strip("\n"):
            return self.message
        line = text.count("\n", 0, self.offset) + 1
        return f"{self.message} (line {line} of the text)"


def _snippet(text: str, start: int, limit: int = 40) -> str:
    end = start + 1
    while end < len(text) and end - start < limit and text[end] not in "\n>":
        end += 1
    if end < len(text) and text[end] == ">":
        end += 1
    return repr(text[start:end])


def plain_findings(text: str) -> List[Finding]:
    """What a plain-text field may not hold: control and text-reordering characters."""
    return [
        Finding(m.start(), f"control or invisible character U+{ord(m.group()):04X} is not allowed; remove it")
        for m in _CONTROL.finditer(text)
    ]


def _code_ranges(text: str) -> Iterator[Tuple[int, int]]:
    """(start, end) of every fenced code block and code span, in order.

    Fences follow CommonMark: a line of three or more backticks or tildes opens a
    block that the next fence line of the same character, at least as long,
    closes (or the end of the text).  A code span is a run of backticks closed by
    the next run of the same length in the same paragraph.
    """
    pos = 0
    lines = text.splitlines(keepends=True)
    offsets = []
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    prose: List[Tuple[int, int]] = []  # runs of lines outside fences
    i = 0
    run_start = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence = m.group(1)
        j = i + 1
        while j < len(lines):
            close = _FENCE.match(lines[j])
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence) and not lines[j][close.end():].strip():
                break
            j += 1
        prose.append((run_start, offsets[i]))
        end = offsets[j] + len(lines[j]) if j < len(lines) else len(text)
        yield offsets[i], end
        run_start = end
        i = j + 1
    prose.append((run_start, len(text)))
    for start, end in prose:
        yield from _code_spans(text, start, end)


def _code_spans(text: str, start: int, end: int) -> Iterator[Tuple[int, int]]:
    runs = list(re.finditer(r"`+", text[start:end]))
    k = 0
    while k < len(runs):
        opening = runs[k]
        if opening.start() > 0 and text[start + opening.start() - 1] == "\\":
            k += 1  # an escaped backtick is text
            continue
        for n in range(k + 1, len(runs)):
            closing = runs[n]
            if "\n\n" in text[start + opening.end(): start + closing.start()].replace(" ", ""):
                break  # a code span never crosses a paragraph
            if len(closing.group()) == len(opening.group()):
                yield start + opening.start(), start + closing.end()
                k = n
                break
        k += 1


def _outside_code(text: str) -> str:
    """``text`` with every code span and fenced block blanked out (offsets kept)."""
    chars = list(text)
    for start, end in _code_ranges(text):
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _unsafe_scheme(destination: str) -> Optional[str]:
    # Browsers decode entities in attributes and drop ASCII whitespace and controls
    # inside a URL; Markdown drops backslashes before punctuation.  Judge what they see.
    seen = re.sub(r"[\x00-\x20\\]", "", html.unescape(destination))
    m = _SCHEME.match(seen)
    if m and m.group(1).lower() not in _SAFE_SCHEMES:
        return m.group(1).lower()
    return None


def markdown_findings(text: str) -> List[Finding]:
    """Everything a Markdown field may not hold, in text order."""
    found = plain_findings(text)
    prose = _outside_code(text)
    autolinks = {m.start() for m in _AUTOLINK.finditer(prose)}
    for m in _TAG_START.finditer(prose):
        if m.start() in autolinks:
            continue
        found.append(Finding(m.start(), f"raw HTML {_snippet(text, m.start())} is not allowed in Markdown; "
                             "put code in backticks, or write '&lt;' for a literal '<'"))
    for m in _ATTR_LIST.finditer(prose):
        found.append(Finding(m.start(), f"attribute list {_snippet(text, m.start())} is not allowed; "
                             "put code in backticks, or write '\\{' for a literal brace"))
    for m in _IMAGE.finditer(prose):
        found.append(Finding(m.start(), "images are not shown on guides; link to the picture instead"))
    for pattern in (_INLINE_DEST, _REFERENCE_DEF):
        for m in pattern.finditer(prose):
            scheme = _unsafe_scheme(text[m.start(1):m.end(1)])
            if scheme is not None:
                found.append(Finding(m.start(1), f"link target {text[m.start(1):m.end(1)]!r} uses '{scheme}:'; links must be http(s) URLs"))
    return sorted(found, key=lambda f: f.offset)


def _first(text: str, found: List[Finding]) -> str:
    if found:
        raise ValueError(found[0].describe(text))
    return text


def check_plain(text: str) -> str:
    """Pydantic validator for a plain-text field: refuses only control characters."""
    return _first(text, plain_findings(text))


def check_markdown(text: str) -> str:
    """Pydantic validator for a Markdown field (see the module docstring)."""
    return _first(text, markdown_findings(text))


def check_url(url: str) -> str:
    """An http(s) URL holding only URL characters, so it is the same in every context."""
    if not re.match(r"^https?://[^\s/$.?#]", url, re.IGNORECASE):
        raise ValueError(f"{url!r} is not an http(s) URL")
    if not _URL.match(url):
        bad = _URL_FORBIDDEN.search(url)
        char = bad.group() if bad else "?"
        raise ValueError(f"{url!r} holds {char!r}, which a URL cannot hold unencoded; percent-encode it (e.g. a space as %20)")
    return url


def check_specifier(spec: str) -> str:
    """Refuse arbitrary equality (``===``): it compares any string, so it could carry anything."""
    if "===" in spec:
        raise ValueError(f"{spec!r} uses arbitrary equality '==='; records use '==' with a PEP 440 version")
    return spec
