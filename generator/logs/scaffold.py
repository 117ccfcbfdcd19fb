"""What a new record can take from a failing log: its decisive lines and a first signature.

``wheelfix new --from-log`` drafts a record from a real log.  The installer's
own wrapping ("error: subprocess-exited-with-error", "Failed building wheel
for X", "note: This error originates from a subprocess" ...) is the same in
every failed build, so the *decisive* lines are the other error lines: the
compiler's, the build backend's, the traceback's last line.  The first of
them that no general guide (a guide tied to no package) already matches
becomes the signature's literal, cut to its stable part (no file location,
temporary directory or hash), so that the signature matches the next log of
the same failure and does not duplicate a general guide.

Only the standard library is imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from generator.logs.bundle import BUNDLE_FORMAT, load_bundle
from generator.logs.matcher import Matcher
from generator.logs.patterns import SignatureError, check_text

#: Symptoms kept (a record lists the few lines a user searches for).
MAX_SYMPTOMS = 3
#: A symptom is a line as the log shows it; longer lines are no symptom.
MAX_SYMPTOM = 1000
#: The signature's literal is cut to at most this many characters.
MAX_LITERAL = 120
#: A literal shorter than this matches too many logs to be distinctive.
MIN_DISTINCTIVE = 12

# A line that reports a problem, in the words of compilers, linkers, build
# backends, Python and the installers.
_ERRORISH = re.compile(
    r"(?<![-=/._A-Za-z0-9])(?i:error|fatal|exception|failed|failure|cannot|can't|could not|couldn't|not found"
    r"|no such file|no module named|undefined reference|unsupported|not supported|denied|missing|unable to|invalid"
    r"|not installed|not on PATH"
    # Usage errors of the installer itself: optparse's (pip) and argparse's own wording.
    r"|no such option|unrecognized arguments)"
    r"(?![-_/=A-Za-z0-9])"
    r"|[a-z](?:Error|Exception)\b"  # Python's exceptions: KeyError, ModuleNotFoundError, ...
)
# The installers' and setuptools' own wrapping of a failed build, build tools'
# progress and warnings: the same in every failure, so never what tells one
# failure from another.
_WRAPPING = re.compile(
    r"subprocess-exited-with-error|This error originates from|Failed building wheel for|Failed to build"
    r"|Could not build wheels|failed-wheel-build-for-install|legacy-install-failure|metadata-generation-failed"
    r"|Command errored out|Encountered error while|This is an issue with the package|did not run successfully"
    r"|^exit code:|exit status [0-9]|failed with exit (?:code|status)|^ERROR: Failed|^ERROR: Could not install"
    r"|^(?:note|hint|help|warning): |\[end of output\]|See above for output|finished with status 'error'"
    r"|^error: (?:subprocess|metadata|legacy)|Backend subprocess exited|^ERROR: No matching distribution"
    r"|^ERROR: Exception:?$|The build backend returned an error|PEP ?517 build of a dependency failed"
    r"|The above exception was the direct cause|During handling of the above exception|waiting for other jobs"
    r"|pip's dependency resolver does not currently|^\[notice\]|Check the logs for full command output"
    r"|^FAILED: |^checking |Warning\b|^WARNING: |^Traceback \(most recent call last\)"
    r"|Call to `[^`]*` failed|^File \"|, line [0-9]+, in |^Using (?:C?Python|PyPy) [0-9.]+ (?:environment|interpreter) at"
)
# Parts of a line that change from one run to the next: a leading location
# ("src/x.c:12:5: "), temporary and build directories, hashes, addresses.
_LOCATION = re.compile(r"^(?:[A-Za-z]:)?[^\s:'\"]*[/.][^\s:'\"]*(?::[0-9]+)+:\s*")
_VOLATILE = re.compile(
    r"(?:/tmp|/var/folders|/private/var|[A-Za-z]:/Users/[^/\s]+/AppData)/[^\s'\"]*"
    r"|\b[0-9a-f]{12,}\b|\b0x[0-9a-fA-F]+\b|\bpip-[a-z-]+-[a-z0-9_]{6,}\b|\b[0-9]+(?:\.[0-9]+)? ?(?:s|ms|kB|MB|KiB|MiB)\b"
)


@dataclass
class Draft:
    """What the log gives a new record.  Empty or None: the log does not show it."""

    #: The decisive lines, in log order, as the log shows them (normalised).
    symptoms: List[str] = field(default_factory=list)
    #: The literal for the first signature, and the line it comes from.
    literal: Optional[str] = None
    literal_line: Optional[Tuple[int, str]] = None
    #: General guides whose own conditions match a decisive line, by line.
    general: Dict[int, List[str]] = field(default_factory=dict)


def decisive_lines(lines: Iterable[Tuple[int, str]]) -> List[Tuple[int, str]]:
    """The numbered lines that report the failure itself, in log order.

    Error lines first; a log without any gets the lines of the failed
    subprocess's output that pip boxes (``[6 lines of output]`` ... ``[end of output]``),
    and a log without those its warning lines.
    """
    errors: List[Tuple[int, str]] = []
    boxed: List[Tuple[int, str]] = []
    warnings: List[Tuple[int, str]] = []
    seen = set()
    inside = False
    for number, line in lines:
        if _BOX_START.match(line):
            inside = True
            continue
        if line == "[end of output]":
            inside = False
        if len(line) < MIN_DISTINCTIVE or line in seen:
            continue
        wrapping = _WRAPPING.search(line) is not None
        if not wrapping and _ERRORISH.search(line):
            seen.add(line)
            errors.append((number, line))
        elif not wrapping and inside and len(boxed) < MAX_SYMPTOMS:
            boxed.append((number, line))
        elif _WARNINGISH.search(line.lstrip()) and len(warnings) < MAX_SYMPTOMS:
            # Warnings wrap a failure's error lines; they decide only a log without any.
            seen.add(line)
            warnings.append((number, line))
    # A log that shows no error (an install that "worked" but warned of its end) is
    # about its warnings: setuptools' and pip's deprecations.
    return errors or boxed or warnings


_BOX_START = re.compile(r"^\[[0-9]+ lines? of output\]$")
# Python's warning categories (SetuptoolsDeprecationWarning: ...) and pip's own prefixes.
_WARNINGISH = re.compile(r"[a-z]Warning\b|^(?:WARNING|DEPRECATION):")


def stable_part(line: str) -> Optional[str]:
    """The longest part of ``line`` that stays the same from run to run, usable as a ``text`` condition."""
    body = _LOCATION.sub("", line, count=1)
    # Characters a record cannot show (separators, bidi controls) split the line too.
    printable = "".join(c if c.isprintable() else "\n" for c in body)
    pieces = [p.strip(" ,;:'\"()[]") for part in _VOLATILE.split(printable) for p in part.split("\n")]
    for piece in sorted(pieces, key=len, reverse=True):
        cut = _cut(piece)
        if len(cut) < MIN_DISTINCTIVE:
            return None
        try:
            check_text(cut)
        except SignatureError:
            continue
        return cut
    return None


def _cut(piece: str) -> str:
    """At most :data:`MAX_LITERAL` characters, ending at a word boundary."""
    if len(piece) <= MAX_LITERAL:
        return piece
    head = piece[:MAX_LITERAL]
    space = head.rfind(" ")
    return (head[:space] if space >= MIN_DISTINCTIVE else head).rstrip(" ,;:")


def general_matcher(bundle: Mapping[str, Any]) -> Matcher:
    """A matcher of every condition of the general guides (those tied to no package), one by one.

    A line that one of them matches is that guide's own message: a new
    signature built on it would duplicate the guide.
    """
    guides = []
    for g in bundle.get("guides", []):
        if not isinstance(g, Mapping) or g.get("packages"):
            continue
        singles = []
        for s in g.get("signatures", []):
            for cond, need in zip(s.get("match", []), s.get("need", [])):
                singles.append({"package": None, "match": [cond], "need": [need], "score": 0})
        guides.append({**{k: g.get(k) for k in ("id", "title", "url", "fix")}, "signatures": singles})
    return load_bundle({"format": BUNDLE_FORMAT, "guides": guides}, "general guides")


def draft(lines: Sequence[Tuple[int, str]], general: Matcher) -> Draft:
    """The symptoms and first literal of a record for this log (numbered, normalised lines)."""
    result = Draft()
    fallback: Optional[Tuple[int, str, str]] = None
    for number, line in decisive_lines(lines):
        owners = [m.id for m in general.match([line])]
        if owners:
            result.general[number] = owners
        if len(result.symptoms) < MAX_SYMPTOMS and len(line) <= MAX_SYMPTOM and line.isprintable():
            result.symptoms.append(line)
        if result.literal is not None:
            continue
        literal = stable_part(line)
        if literal is None:
            continue
        if not owners:
            result.literal, result.literal_line = literal, (number, line)
        elif fallback is None:
            fallback = (number, line, literal)
    if result.literal is None and fallback is not None:
        # Only general guides' messages: still a start, and the caller says which guide has it.
        number, line, result.literal = fallback
        result.literal_line = (number, line)
    return result
