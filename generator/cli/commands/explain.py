"""``wheelfix explain [FILE|-]``: read a build log and point to the guide that fixes it.

Prints, best first, each matching guide's title, URL, first fix and the log
lines that matched; then what the log itself shows (packages built from
source, the one that failed, Python version, platform and, from cached index
data or with ``--online``, the nearest release with a wheel).  ``--json``
prints the object documented in docs/api.md.  Exit 0 when a guide matched, 1
when none did, 2 when the log or the bundle cannot be read.

Start-up matters here (people pipe logs into it), so this module imports only
the standard library and wheelfix's stdlib-only modules.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from typing import Any, BinaryIO, Dict, List, Optional

from generator import safefile
from generator.cli.commands import _common
from generator.cli.commands._common import DEFAULT_SHOWN, finish_diagnosis, render_text, site_url
from generator.logs.diagnose import Diagnosis, Diagnoser
from generator.logs.text import LogError
from generator.logs.bundle import guide_url, load_bundle_file
from generator.logs.matcher import Match, Matcher

_LOG_HINT = "pass a log file, or pipe one in: ... 2>&1 | wheelfix explain -"


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``wheelfix explain``."""
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|-", help="the log to read (default: standard input)")
    _common.add_log_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object (format in docs/api.md)")


def analyse(
    stream: BinaryIO, matcher: Matcher, online: bool, name: str = "standard input", nearest: bool = True
) -> "tuple[List[Match], Diagnosis]":
    """Match and diagnose one log stream; :class:`LogError` if it holds nothing but blanks.

    ``nearest``: look up the nearest release with a wheel (``wheelfix new`` does not need it).
    """
    diagnoser = Diagnoser()
    regular = _regular_size(stream)
    if regular is not None and regular > _BLANK_CHECK:
        matches = matcher.match_stream(stream, diagnoser)  # keeps the file for the two-process read
    else:
        seen = _Seen(stream)
        matches = matcher.match_stream(seen, diagnoser)  # type: ignore[arg-type]
        if not seen.text:
            raise LogError(f"the log ({name}) is empty" if not seen.any else f"the log ({name}) holds only blank lines",
                           hint="pass the build's output, e.g. pip install ... 2>&1 | wheelfix explain -")
    diagnosis = finish_diagnosis(diagnoser, online) if nearest else diagnoser.result()
    return matches, diagnosis


# A regular file larger than this is taken as not blank without a look.
_BLANK_CHECK = 1 << 16


def _regular_size(stream: BinaryIO) -> Optional[int]:
    try:
        info = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


class _Seen:
    """A stream wrapper that notes whether anything but blanks went through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.any = False
        self.text = False

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if data and not self.text:
            self.any = True
            self.text = bool(data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"))
        return data


def to_json(matches: List[Match], diagnosis: Diagnosis, base: str, shown: Optional[int]) -> Dict[str, Any]:
    """The ``explain --json`` object (docs/api.md)."""
    return {
        "matches": [
            {
                "id": m.id,
                "title": m.title,
                "url": guide_url(m.url, base),
                "fix": m.fix,
                "lines": [{"number": n, "text": t} for n, t in m.lines],
            }
            for m in matches[:shown]
        ],
        "diagnosis": diagnosis.to_json(),
    }


def stdin_log() -> BinaryIO:
    """Standard input as the log: refused when closed, or a device that never ends (``< /dev/zero``)."""
    if sys.stdin is None:
        raise LogError("cannot read standard input: it is closed", hint=_LOG_HINT)
    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError):  # not a real file (tests give a buffer)
        return sys.stdin.buffer
    problem = safefile.log_stream_problem(fd)
    if problem is not None:
        raise LogError(f"cannot read standard input: {problem}", hint=_LOG_HINT)
    return sys.stdin.buffer


def run(args: argparse.Namespace) -> int:
    """Explain the log named by ``args.file``.

    A log is streamed with flat memory, so its size does not matter, and a
    pipe or a FIFO is read like any stream: until its writer closes it, as
    ``cat`` would (``explain <(make)`` names a pipe).  A device that is not a
    terminal (``/dev/zero``) or a directory is refused, since it never ends or
    is no log.
    """
    matcher = load_bundle_file(args.index)
    if args.file == "-":
        matches, diagnosis = analyse(stdin_log(), matcher, args.online)
    else:
        problem = safefile.log_path_problem(args.file)  # before opening: a device never ends (a FIFO is read like a pipe)
        if problem is not None:
            raise LogError(f"cannot read log {safefile.shown(args.file)}: {problem}", hint=_LOG_HINT)
        try:
            stream = open(args.file, "rb")
        except OSError as exc:
            raise LogError(
                f"cannot read log {args.file}: {exc.strerror or exc}",
                hint="pass the path of a log file, or - to read standard input",
            ) from None
        with stream:
            try:
                matches, diagnosis = analyse(stream, matcher, args.online, args.file)
            except OSError as exc:  # e.g. a directory on some systems, an I/O error
                raise LogError(f"cannot read log {args.file}: {exc.strerror or exc}") from None
    shown = None if args.all else DEFAULT_SHOWN
    base = site_url(args)
    if args.json:
        sys.stdout.write(json.dumps(to_json(matches, diagnosis, base, None), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(matches, diagnosis, base, shown))
    return 0 if matches else 1
