"""What the site's search indexes: each guide's title, summary and telling symptom lines.

The search answers one question: which guide is about the line I pasted?  So it
indexes a guide by the words a reader pastes (its symptom lines) and the words
that name it (title and summary), not by its whole page: a cause or a fix that
mentions another error would make that error find the wrong guide, and the
page text is most of an index's size.

Some symptom lines are pip's (or uv's) framing around any failed build:
"Getting requirements to build wheel did not run successfully.", "error:
subprocess-exited-with-error", "ERROR: Failed building wheel for X".  Records
quote them because a reader's log holds them, but they tell nothing about the
cause, so the index leaves them out.  The search answers a framing line by
saying so, and, when the line names a package, lists the guides about that
package (:data:`GENERIC_PATTERNS` and :data:`PACKAGE_PATTERNS` are shipped to
the browser for that).

The patterns are written in the common subset of Python's and JavaScript's
regular expressions, matched case-insensitively against a stripped line;
tests/test_search.py checks that both engines agree on every symptom line.

Pure: no file access, no MkDocs import.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Pattern, Sequence, Tuple

from generator.kb import KnowledgeBase
from generator.site import views

#: Lines that pip, uv or a build frontend print around every failed build, whatever the cause.
GENERIC_PATTERNS: Tuple[str, ...] = (
    # pip >= 22.1: "Getting requirements to build wheel did not run successfully.", "Preparing metadata ...".
    r"did not run successfully\.?$",
    r"^(error: )?subprocess-exited-with-error$",
    r"^(error: )?metadata-generation-failed$",
    r"^note: This error originates from a subprocess",
    r"^note: This is an issue with the package mentioned above",
    r"^(ERROR: )?Command errored out with exit status \d+",
    r"^(ERROR: )?Exception:$",
    r"^exit code: \d+$",
    r"See above for output\.?$",
    r"^\[end of output\]$",
    r"Encountered error while generating package metadata\.?$",
    r"^PEP ?517 build of a dependency failed$",
)

#: The same framing when it names the packages whose build failed; group 1 holds the names.
#: Such a line tells which package, not which failure: a search for it looks for the package.
PACKAGE_PATTERNS: Tuple[str, ...] = (
    r"^(?:ERROR: )?Failed building wheel for ([\w.\-]+)$",
    # uv: "error: Failed to build `pillow==10.3.0`".
    r"^(?:error: )?Failed to build `([\w.\-]+)[^`]*`$",
    # pip >= 24.1.
    r"^(?:ERROR: )?Failed to build installable wheels for some pyproject\.toml based projects \(([^)]*)\)$",
    r"^(?:ERROR: )?Failed to build ([\w.\-]+(?:,? [\w.\-]+)*)$",
    r"^(?:ERROR: )?Could not build wheels for ([\w.\-]+(?:,? [\w.\-]+)*), which is required",
)

_GENERIC = re.compile("|".join(f"(?:{p})" for p in GENERIC_PATTERNS), re.IGNORECASE)
_PACKAGE = tuple(re.compile(p, re.IGNORECASE) for p in PACKAGE_PATTERNS)

#: Characters of a line (after stripping) that the framing checks read: framing lines are short.
_FRAMING_LINE_MAX = 500
#: Package names read from one framing line.
_MAX_NAMES = 8
#: Pagefind weights (1 is plain text): the guide about a package before guides that mention it.
_PACKAGE_WEIGHT = 5
_TITLE_WEIGHT = 2


def framing(line: str) -> Optional[Tuple[str, ...]]:
    """The packages a framing line names (maybe none), or None if ``line`` is no framing line.

    A framing line is one that pip or uv prints around any failed build: it may
    name the package whose build failed, never the cause.
    """
    stripped = line.strip()
    if len(stripped) > _FRAMING_LINE_MAX:
        return None
    if _GENERIC.search(stripped):
        return ()
    for pattern in _PACKAGE:
        m = pattern.search(stripped)
        if m:
            return tuple(n for n in re.split(r"[\s,]+", m.group(1)) if n)[:_MAX_NAMES]
    return None


def is_generic(line: str) -> bool:
    """Whether ``line`` is framing that names neither a cause nor a package."""
    return framing(line) == ()


def tokens(text: str, separator: Pattern[str]) -> List[str]:
    """``text`` split into words as the search splits a pasted line (case kept)."""
    return [t for t in separator.split(text) if t]


@dataclass(frozen=True)
class SearchDocument:
    """One guide as the search sees it."""

    url: str
    title: str
    summary: str
    #: The record's packages: a framing line that names one finds the guides about it.
    packages: Tuple[str, ...]
    #: The symptom lines that are indexed: all but the framing ones, in record order.
    symptoms: Tuple[str, ...]

    def content(self, separator: Pattern[str]) -> str:
        """The indexed text: title, summary, packages and telling symptoms, as words split by ``separator``."""
        parts = [self.title, self.summary, " ".join(self.packages), *self.symptoms]
        return "\n".join(" ".join(tokens(part, separator)) for part in parts)

    def meta(self) -> Dict[str, str]:
        """What a result shows, as plain text (the browser inserts it as text, never as HTML).

        Lists travel as JSON: Pagefind keeps a value on one line.
        """
        return {
            "title": self.title,
            "packages": json.dumps(list(self.packages), ensure_ascii=False),
            "symptoms": json.dumps(list(self.symptoms), ensure_ascii=False),
        }

    def html(self, separator: Pattern[str]) -> str:
        """The page Pagefind indexes: the words of :meth:`content`, weighted, and :meth:`meta`.

        A guide about a package must come before guides that only mention it, so
        the package names weigh most, then the title; the summary and symptoms
        count once.  Pagefind reads metadata from the elements it does not index.
        """
        def words(text: str) -> str:
            return html.escape(" ".join(tokens(text, separator)))

        meta = "".join(
            f'<p data-pagefind-meta="{key}">{html.escape(value)}</p>' for key, value in self.meta().items()
        )
        body = [
            f'<p data-pagefind-weight="{_PACKAGE_WEIGHT}">{words(" ".join(self.packages))}</p>' if self.packages else "",
            f'<h1 data-pagefind-weight="{_TITLE_WEIGHT}">{words(self.title)}</h1>',
            f"<p>{words(self.summary)}</p>",
            *(f"<p>{words(line)}</p>" for line in self.symptoms),
        ]
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>guide</title></head><body>'
            f'<main data-pagefind-body><div data-pagefind-ignore="index">{meta}</div>{"".join(body)}</main>'
            "</body></html>"
        )


def documents(kb: KnowledgeBase) -> List[SearchDocument]:
    """One :class:`SearchDocument` per guide, in the KB's order."""
    return [
        SearchDocument(
            url=views.guide_url(rec.incident.id),
            title=rec.incident.title,
            summary=rec.incident.summary,
            packages=tuple(rec.incident.packages),
            symptoms=tuple(s for s in rec.incident.symptoms if framing(s) is None),
        )
        for rec in kb.records
    ]


def client_settings(separator: str, docs: Sequence[SearchDocument]) -> Dict[str, Any]:
    """The settings the browser's search reads next to the index (separator and generic lines)."""
    return {
        "separator": separator,
        "generic": list(GENERIC_PATTERNS),
        "package": list(PACKAGE_PATTERNS),
        "framing_max": _FRAMING_LINE_MAX,
        "max_names": _MAX_NAMES,
        "guides": len(docs),
    }
