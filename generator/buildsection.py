"""Which lines of a build log are the failing section, and reading only those.

A compiler-heavy log names the Python version and platform on every line
("-I/usr/include/python3.11 ... -o build/temp.linux-x86_64-cpython-311/...").
Looking for those strings everywhere would make the matcher read every line in
Python, so the diagnosis reads them only where a build failed: the
:data:`SECTION_LINES` lines up to each failure marker (pip's
"note: This error originates from a subprocess", "Failed building wheel for X",
"ERROR: Command errored out", uv's "Failed to build `X`", poetry's
"Backend subprocess exited" ...) and the last :data:`SECTION_LINES` lines of
the log, where an excerpt or a crash ends.  Failure markers hold rare strings,
so the block scan finds them like any signature literal.

:func:`read_sections` is the reference (a list of lines);
:class:`SectionReader` does the same on the blocks of a stream, keeping only
the last :data:`SECTION_LINES` lines between blocks.

Only the standard library is imported here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from generator.logtext import normalise_line

if TYPE_CHECKING:  # pragma: no cover
    from generator.diagnose import Diagnoser

#: Lines read before each failure marker, and at the end of the log.
SECTION_LINES = 250

#: A line holding none of these is no failure marker (they join the block scan).
MARKER_ANCHORS: Tuple[str, ...] = ("originates from", "errored out", "Backend", "mentioned above", "Failed to build installable")

# Errors that name no package: the one whose build was under way failed.
# The exact strings of pip (>= 22: the note after every failed subprocess;
# < 22: "Command errored out"; a backend that cannot even be imported) and of
# poetry (the note of its chef, the backend's exit).
_NAMELESS = re.compile(
    r"originates from (?:a subprocess|the build backend)"
    r"|Command errored out with exit status"
    r"|Backend(?:Unavailable|Invalid)\b"
    r"|Backend subprocess exited"
)
# Markers that only open a section: what follows them names the package.
_SECTION_ONLY = re.compile(r"package mentioned above|Failed to build installable wheels")

#: Raw lines (before normalisation) naming a failed package alone in pip's box
#: margin: "× Encountered error while trying to install package." and
#: (pip >= 25) "× Failed to build installable wheels ..." put it after "╰─> ".
BOX_ANCHOR = "╰─> "
_box_re = re.compile(r"╰─> ([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*$")

# Build directories that carry the project's name: pip's unpacked sdist
# ("/tmp/pip-install-abc/mysqlclient_<32 hex>/setup.py", without the hash
# before pip 20.3) and a versioned source tree ("numpy-1.24.4/setup.py").
_PIP_DIR = re.compile(r"/pip-install-[A-Za-z0-9_]+/([A-Za-z0-9][A-Za-z0-9._-]*?)(?:_[0-9a-f]{32})?/")
_SDIST_DIR = re.compile(r"/([A-Za-z][A-Za-z0-9._]*(?:-[A-Za-z][A-Za-z0-9._]*)*)-([0-9][A-Za-z0-9.+!_]*)/setup\.py")


def failure_marker(line: str) -> Optional[str]:
    """``"nameless"`` for an error naming no package, ``"section"`` for another marker, else None.

    (Lines stating which package failed are markers too; :class:`Diagnoser` knows those.)
    """
    for anchor in MARKER_ANCHORS:
        if anchor in line:
            break
    else:
        return None
    if _NAMELESS.search(line):
        return "nameless"
    return "section" if _SECTION_ONLY.search(line) else None


def box_name(raw: str) -> Optional[str]:
    """The package a raw line names alone after pip's ``╰─>`` margin, if it does."""
    if BOX_ANCHOR not in raw:
        return None
    m = _box_re.search(raw)
    if m is None or normalise_line(raw) != m.group(1):
        return None
    return m.group(1)


def read_section_line(d: "Diagnoser", number: int, line: str) -> None:
    """The evidence of one normalised line of a failing section."""
    d.feed_section(number, line)
    if "pip-install-" in line:
        for m in _PIP_DIR.finditer(line):
            d.name_failed("build path", m.group(1), number)
    if "/setup.py" in line:
        for m in _SDIST_DIR.finditer(line):
            d.name_failed("build path", m.group(1), number, m.group(2))


def read_sections(raw_lines: Sequence[str], d: "Diagnoser", span: int = SECTION_LINES) -> None:
    """The reference reading of a whole log given as lines (block-normalised, see logtext).

    Every line goes to :meth:`Diagnoser.feed` in order; then the lines of
    every failing section, each once, to :func:`read_section_line`.
    """
    lines = [normalise_line(raw) for raw in raw_lines]
    covered = set(range(max(1, len(lines) - span + 1), len(lines) + 1))
    for number, (raw, line) in enumerate(zip(raw_lines, lines), start=1):
        if d.feed(number, line):
            covered.update(range(max(1, number - span), number + 1))
        name = box_name(raw)
        if name is not None:
            d.name_failed("stated", name, number)
    for number in sorted(covered):
        read_section_line(d, number, lines[number - 1])


class SectionReader:
    """:func:`read_sections`' choice of lines, on the blocks of a stream.

    The block scan calls :meth:`block` with the markers it found;
    :meth:`finish` reads the end of the log.  A reader of the second half of
    a file (see ``signatures._match_halves``) notes in
    ``Diagnoser.wanted_from`` the lines before its first that it would have
    read; the first half's reader reads them with :meth:`read_before`.
    """

    def __init__(self, diagnoser: "Diagnoser", span: int = SECTION_LINES) -> None:
        self._d = diagnoser
        self._span = span
        self._tail: List[str] = []  # the last lines before the current block (raw)
        self._covered: List[Tuple[int, int]] = []  # line ranges read, ascending, merged
        self._last = 0  # number of the last line seen
        self._finished = False

    def block(self, first: int, text: str, markers: Sequence[Tuple[int, int]]) -> None:
        """Read the sections ending at ``markers`` (line number, offset of its start in ``text``)."""
        for number, start in markers:
            self._read(number - self._span, number, first, text, start)
        count = text.count("\n") + 1
        self._last = first + count - 1
        self._keep_tail(text, count)

    def finish(self) -> None:
        """Read the end of the log (once)."""
        if self._finished or self._last == 0:
            self._finished = True
            return
        self._finished = True
        lo = self._last - self._span + 1
        if lo < 1:
            self._d.wanted_from = min(self._d.wanted_from, lo)
        self._read_tail(lo, self._last)

    def read_before(self, lo: int) -> None:
        """Read lines ``lo`` to the last one seen (a later reader's wish), skipping those read."""
        self._read_tail(lo, self._last)
        self._finished = True  # the end of the log is the later reader's

    # -- internals

    def _read(self, lo: int, hi: int, first: int, text: str, start: int) -> None:
        if lo < 1:
            self._d.wanted_from = min(self._d.wanted_from, lo)
            lo = 1
        for a, b in self._uncovered(lo, hi):
            if a < first:
                self._feed_tail(a, min(b, first - 1))
                a = first
            if a <= b:
                # Walk back from line ``hi`` (which starts at ``start``) to line ``a``.
                begin = start
                for _ in range(hi - a):
                    begin = text.rfind("\n", 0, begin - 1) + 1
                end = begin
                for _ in range(b - a + 1):
                    nl = text.find("\n", end)
                    end = len(text) + 1 if nl < 0 else nl + 1
                for offset, raw in enumerate(text[begin:end - 1].split("\n")):
                    read_section_line(self._d, a + offset, normalise_line(raw))
        self._cover(lo, hi)

    def _read_tail(self, lo: int, hi: int) -> None:
        lo = max(lo, 1, self._last - len(self._tail) + 1)
        for a, b in self._uncovered(lo, hi):
            self._feed_tail(a, b)
        if lo <= hi:
            self._cover(lo, hi)

    def _feed_tail(self, a: int, b: int) -> None:
        base = self._last - len(self._tail) + 1  # number of _tail[0]
        for number in range(a, b + 1):
            read_section_line(self._d, number, normalise_line(self._tail[number - base]))

    def _uncovered(self, lo: int, hi: int) -> List[Tuple[int, int]]:
        out = []
        at = lo
        for a, b in self._covered:
            if b < at:
                continue
            if a > hi:
                break
            if a > at:
                out.append((at, a - 1))
            at = max(at, b + 1)
        if at <= hi:
            out.append((at, hi))
        return out

    def _cover(self, lo: int, hi: int) -> None:
        merged: List[Tuple[int, int]] = []
        for a, b in sorted(self._covered + [(lo, hi)]):
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        # Only ranges that can still meet a later window are kept.
        floor = max(lo, hi) - 2 * self._span
        self._covered = [(a, b) for a, b in merged if b >= floor]

    def _keep_tail(self, text: str, count: int) -> None:
        span = self._span
        if count >= span:
            cut = len(text)
            for _ in range(span):
                cut = text.rfind("\n", 0, cut)
            self._tail = text[cut + 1:].split("\n")
        else:
            self._tail = (self._tail + text.split("\n"))[-span:]
