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
so the block scan finds them like any signature literal.  Only the first
:data:`MAX_SECTIONS` markers open a section.

:func:`read_sections` is the reference (a list of lines);
:class:`SectionReader` does the same on the blocks of a stream, keeping only
those sections' lines and the last :data:`SECTION_LINES` lines.

Only the standard library is imported here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from generator.logs.text import normalise_line

if TYPE_CHECKING:  # pragma: no cover
    from generator.logs.diagnose import Diagnoser

#: Lines read before each failure marker, and at the end of the log.
SECTION_LINES = 250

#: A line holding none of these is no failure marker (they join the block scan).
MARKER_ANCHORS: Tuple[str, ...] = (
    "This error originates from",
    "Command errored out",
    "Backend",
    "This is an issue with the package mentioned above",
    "Failed to build installable",
    "failed with error code",
    "InstallationSubprocessError",
    "MetadataGenerationFailed",
    "Failed to fetch wheel: ",
    "✖ Install ",
)

# Errors that name no package: the one whose build was under way failed.
# The exact strings of pip (>= 22: the note after every failed subprocess;
# < 22: "Command errored out"; a backend that cannot even be imported) and of
# poetry (the note of its chef, the backend's exit).
_NAMELESS = re.compile(
    r"This error originates from (?:a subprocess|the build backend)"
    r"|Command errored out with exit status"
    r"|Backend(?:Unavailable|Invalid)\b"
    r"|Backend subprocess exited"
    # pip's exceptions, in the traceback of a tool that runs pip in-process (pip-tools)
    r"|InstallationSubprocessError|MetadataGenerationFailed"
)
# Markers that only open a section: what follows them names the package.
_SECTION_ONLY = re.compile(r"This is an issue with the package mentioned above|Failed to build installable wheels")
_NAME = "[A-Za-z0-9][A-Za-z0-9._-]*"
# Errors naming the package in a form signatures do not use: pip < 20
# ('Command "python setup.py egg_info" failed with error code 1 in
# /tmp/pip-build-abc/mysqlclient/'), uv < 0.5 ("Failed to fetch wheel: X==1.2")
# and pdm ("✖ Install X 1.2 failed").
_STATED = re.compile(
    r"failed with error code [0-9]+ in \S*/pip-(?:build|install)-[A-Za-z0-9_]+/(" + _NAME + r")/?$"
    r"|Failed to fetch wheel: (" + _NAME + r")(?:==([A-Za-z0-9.+!_-]+))?"
    r"|✖ Install (" + _NAME + r") ([0-9][A-Za-z0-9.+!_-]*) failed"
)

#: Raw lines (before normalisation) naming a failed package alone in pip's box
#: margin: "× Encountered error while trying to install package." and
#: (pip >= 25) "× Failed to build installable wheels ..." put it after "╰─> ".
BOX_ANCHOR = "╰─> "
_box_re = re.compile(r"╰─> ([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*$")

# Build directories that carry the project's name: pip's unpacked sdist
# ("/tmp/pip-install-abc/mysqlclient_<32 hex>/setup.py", without the hash
# before pip 20.3), a versioned source tree ("numpy-1.24.4/setup.py") and
# uv's cache.  Not "build/lib.*/PIL": that is an import name, not the
# project's (Pillow).
_PIP_DIR = re.compile(r"/pip-install-[A-Za-z0-9_]+/([A-Za-z0-9][A-Za-z0-9._-]*?)(?:_[0-9a-f]{32})?/")
_SDIST_DIR = re.compile(r"/([A-Za-z][A-Za-z0-9._]*(?:-[A-Za-z][A-Za-z0-9._]*)*)-([0-9][A-Za-z0-9.+!_]*)/setup\.py")
# uv's cache of a source distribution: ".../sdists-v6/pypi/numpy/1.24.4/<hash>/..."
_UV_SDIST_DIR = re.compile(r"/sdists-v[0-9]+/(?:pypi|index/[^/ ]+)/(" + _NAME + r")/([0-9][A-Za-z0-9.+!_]*)/")


def failure_marker(line: str) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """``(kind, name, version)``: kind ``"nameless"`` (an error naming no
    package), ``"stated"`` (naming ``name``), ``"section"`` (another marker) or None.

    (Lines that signatures read as naming a failed package are markers too;
    :class:`Diagnoser` knows those.)
    """
    for anchor in MARKER_ANCHORS:
        if anchor in line:
            break
    else:
        return None, None, None
    if _NAMELESS.search(line):
        return "nameless", None, None
    m = _STATED.search(line)
    if m is not None:
        name = m.group(1) or m.group(2) or m.group(4)
        return "stated", name, m.group(3) or m.group(5)
    return ("section" if _SECTION_ONLY.search(line) else None), None, None


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
    if "/sdists-v" in line:
        for m in _UV_SDIST_DIR.finditer(line):
            d.name_failed("build path", m.group(1), number, m.group(2))


#: Failing sections read: those of the first markers (pip stops at the first
#: failed build; a few more cover "Failed to build a b" and its notes).  A log
#: with thousands of markers costs no more than one with a few.
MAX_SECTIONS = 6


def read_sections(raw_lines: Sequence[str], d: "Diagnoser", span: int = SECTION_LINES) -> None:
    """The reference reading of a whole log given as lines (block-normalised, see logtext).

    Every line goes to :meth:`Diagnoser.feed` in order; then each line of the
    sections of the first :data:`MAX_SECTIONS` markers and of the last
    ``span`` lines, once, to :func:`read_section_line`.
    """
    lines = [normalise_line(raw) for raw in raw_lines]
    covered = set(range(max(1, len(lines) - span + 1), len(lines) + 1))
    markers = 0
    for number, (raw, line) in enumerate(zip(raw_lines, lines), start=1):
        if d.feed(number, line) and markers < MAX_SECTIONS:
            markers += 1
            covered.update(range(max(1, number - span), number + 1))
        name = box_name(raw)
        if name is not None:
            d.name_failed("stated", name, number)
    for number in sorted(covered):
        read_section_line(d, number, lines[number - 1])


#: A section as kept until the end: (marker line, first line wanted, raw lines from max(first wanted, 1)).
_Window = Tuple[int, int, List[str]]


class SectionReader:
    """:func:`read_sections`' choice of lines, on the blocks of a stream.

    The block scan calls :meth:`block` with the markers it found; the raw
    lines of the first :data:`MAX_SECTIONS` sections and the last lines seen
    are kept, and :meth:`finish` reads them.  A reader of the second half of a
    file (see ``signatures._match_halves``) hands its :meth:`export` to the
    first half's reader (:meth:`absorb`), which then chooses the sections of
    the whole log.
    """

    def __init__(self, diagnoser: "Diagnoser", span: int = SECTION_LINES) -> None:
        self._d = diagnoser
        self._span = span
        self._windows: List[_Window] = []
        self._tail: List[str] = []  # raw lines: the last ``span`` seen, or all of them
        self._last = 0  # number of the last line seen
        self._finished = False

    def block(self, first: int, text: str, markers: Sequence[Tuple[int, int]], count: Optional[int] = None) -> None:
        """Note the sections ending at ``markers`` (line number, offset of its start in ``text``).

        ``count``: the number of lines of ``text``, if the caller knows it.
        """
        for number, start in markers:
            if len(self._windows) >= MAX_SECTIONS:
                break
            lo = number - self._span
            begin = start
            for _ in range(number - max(lo, first)):
                begin = text.rfind("\n", 0, begin - 1) + 1
            end = text.find("\n", start)
            lines = text[begin:len(text) if end < 0 else end].split("\n")
            if lo < first:
                lines = self._tail_lines(max(lo, 1), first - 1) + lines
            self._windows.append((number, lo, lines))
        if count is None:
            count = text.count("\n") + 1
        self._last = first + count - 1
        if count >= self._span:
            cut = len(text)
            for _ in range(self._span):
                cut = text.rfind("\n", 0, cut)
            self._tail = text[cut + 1:].split("\n")
        else:
            self._tail = (self._tail + text.split("\n"))[-self._span:]

    def block_raw(self, first: int, raw: bytes, markers: Sequence[Tuple[int, int]], count: int) -> None:
        """:meth:`block` for a block of UTF-8 (offsets in bytes) that decoding alone turns into its text.

        Decodes only the lines kept: the sections of the markers that still
        open one, and the last lines (see ``generator.logs.text.is_plain``).
        """
        cut = len(raw)
        for _ in range(self._span):
            cut = raw.rfind(b"\n", 0, cut)
            if cut < 0:
                break
        cut += 1  # the start of the last ``span`` lines, or 0
        live = markers[:max(MAX_SECTIONS - len(self._windows), 0)]
        if live:
            number, begin = live[0]
            for _ in range(min(self._span, number - first)):
                begin = raw.rfind(b"\n", 0, begin - 1) + 1
            cut = min(cut, begin)
        text = raw[cut:].decode("utf-8", "replace")
        shown = [(number, len(raw[cut:start].decode("utf-8", "replace"))) for number, start in live]
        kept = text.count("\n") + 1
        self.block(first + count - kept, text, shown, kept)

    def export(self) -> Tuple[List[_Window], List[str], int]:
        """What :meth:`absorb` needs: picklable."""
        return self._windows, self._tail, self._last

    def absorb(self, later: Tuple[List[_Window], List[str], int]) -> None:
        """Take the :meth:`export` of a reader of the lines after the last one seen here."""
        windows, tail, last = later
        shift = self._last
        for number, lo, lines in windows:
            if len(self._windows) >= MAX_SECTIONS:
                break
            if lo < 1:  # it began in this half
                lines = self._tail_lines(max(lo + shift, 1), shift) + lines
            self._windows.append((number + shift, lo + shift, lines))
        if len(tail) < self._span:
            tail = (self._tail + tail)[-self._span:]
        self._tail, self._last = tail, last + shift

    def finish(self) -> None:
        """Read the sections kept and the end of the log (once)."""
        if self._finished:
            return
        self._finished = True
        found = {}
        for number, lo, lines in self._windows:
            first = number - len(lines) + 1
            for offset, raw in enumerate(lines):
                found[first + offset] = raw
        first = self._last - len(self._tail) + 1
        for offset, raw in enumerate(self._tail):
            found[first + offset] = raw
        for number in sorted(found):
            read_section_line(self._d, number, normalise_line(found[number]))

    def _tail_lines(self, a: int, b: int) -> List[str]:
        base = self._last - len(self._tail) + 1  # number of _tail[0]
        return self._tail[max(a - base, 0):max(b - base + 1, 0)]
