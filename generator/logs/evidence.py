"""The evidence rules of the diagnosis: Python version and platform, from what a log shows.

Each rule is a literal a line needs, a pattern, and an action that votes on a
:class:`generator.logs.diagnose.Diagnoser`.  Scan rules are read wherever the block
scan finds their rare literals; section rules only in failing sections (see
:mod:`generator.logs.buildsection`).  Only the standard library is imported here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Pattern, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from generator.logs.diagnose import Diagnoser

_ARCHES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "AMD64": "x86_64",
    "x64": "x86_64",
    "aarch64": "aarch64",
    "arm64": "aarch64",
    "i686": "i686",
    "win32": "i686",
    "armv7l": "armv7l",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}
_ARCH = "(x86_64|amd64|AMD64|aarch64|arm64|i686|armv7l|ppc64le|s390x)"

#: Votes of one kind: value -> [count, first line].  Ties go to the value seen
#: on the earliest line, so the result does not depend on the order lines are fed.
_Votes = Dict[str, List[int]]


def _vote(votes: _Votes, key: str, number: int, weight: int = 1) -> None:
    entry = votes.get(key)
    if entry is None:
        votes[key] = [weight, number]
    else:
        entry[0] += weight
        if number < entry[1]:
            entry[1] = number


def _top(votes: _Votes) -> Optional[str]:
    if not votes:
        return None
    return min(votes.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[0]


_Action = Callable[["Diagnoser", "re.Match[str]", int], None]
_Rule = Tuple[str, Pattern[str], _Action]


def _note(d: "Diagnoser", os_name: str, m: "re.Match[str]", number: int, weight: int) -> None:
    _vote(d._os, os_name, number, weight)
    if os_name not in d._proof or number < d._proof[os_name][0]:
        # The whole word the evidence is in ("build/lib.linux-x86_64-3.8"), not the bare match.
        text = m.string
        start = max(text.rfind(" ", 0, m.start()), text.rfind("'", 0, m.start())) + 1
        ends = [i for i in (text.find(" ", m.end()), text.find("'", m.end())) if i >= 0]
        d._proof[os_name] = (number, text[start:min(ends) if ends else len(text)][:80].rstrip("(:,;"))


def _vote_python(weight: int) -> _Action:
    def action(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
        value = m.group(1)
        _vote(d._python, value if "." in value else f"3.{value}", number, weight)

    return action


def _vote_os(name: str) -> _Action:
    def action(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
        _note(d, name, m, number, 1)

    return action


def _vote_arch(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
    _vote(d._arch, _ARCHES[m.group(1)], number)


def _build_dir(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
    kind, arch = m.group(1), m.group(2)
    if kind == "linux":
        _note(d, "linux", m, number, 2)
    elif kind.startswith("win"):
        _note(d, "windows", m, number, 2)
        arch = arch or "win32"
    else:
        _note(d, "macos", m, number, 2)
        version = kind.split("-", 1)[1].replace(".", "_")
        if d._macos is None or number >= d._macos[0]:
            d._macos = (number, version, arch or "x86_64")
        if arch in ("universal2", None):
            return
    if arch in _ARCHES:
        _vote(d._arch, _ARCHES[arch], number, 2)


def _wheel_tag(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
    tag, arch = m.group(1), m.group(2)
    _vote(d._arch, _ARCHES[arch], number)
    full = f"{tag}_{arch}"
    if tag.startswith("musllinux"):
        _vote(d._os, "musl", number)
        parts = tag.split("_")
        version = ((int(parts[1]), int(parts[2])), full)
        d._musl = max(d._musl or version, version)
        return
    _vote(d._os, "linux", number)
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    if tag in legacy:
        glibc = legacy[tag]
    else:
        parts = tag.split("_")
        glibc = (int(parts[1]), int(parts[2]))
    # pip installed a wheel needing this glibc, so the system has at least it.
    d._glibc = max(d._glibc or (glibc, full), (glibc, full))


def _win_tag(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
    _note(d, "windows", m, number, 1)
    _vote(d._arch, {"win_amd64": "x86_64", "win32": "i686", "win_arm64": "aarch64"}[m.group(1)], number)


def _mac_tag(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
    _note(d, "macos", m, number, 1)
    arch = m.group(3)
    if arch in _ARCHES:
        _vote(d._arch, _ARCHES[arch], number)


def _homebrew(d: "Diagnoser", m: "re.Match[str]", number: int) -> None:
    _note(d, "macos", m, number, 1)
    _vote(d._arch, "aarch64", number)  # Homebrew lives in /opt/homebrew only on Apple silicon


# At most 3 digits a version: a log line may hold any number of them, and int() refuses over 4,300.
_WHEEL_TAG = r"(manylinux_[0-9]{1,3}_[0-9]{1,3}|manylinux1|manylinux2010|manylinux2014|musllinux_[0-9]{1,3}_[0-9]{1,3})_(x86_64|aarch64|i686|armv7l|ppc64le|s390x)"

# The lines where an installer fetched, used or made a wheel: its tags are
# evidence there (and not in "x.whl is not a supported wheel on this platform").
_WHEEL_LINES = ("Downloading ", "Using cached ", "Created wheel for ", "Processing ")

#: Evidence rules read on every line the scan finds, with the strings one of
#: which a line needs: rare in build output, and starting with a rare
#: character, so that the block scan seldom even tries them (see
#: signatures._anchor).
_SCAN_RULES: Tuple[Tuple[Tuple[str, ...], Pattern[str], _Action], ...] = (
    (("Python 3",), re.compile(r"Using C?Python (3\.[0-9]{1,2})(?![0-9])"), _vote_python(3)),
    (_WHEEL_LINES, re.compile(r"(?<![A-Za-z0-9])cp3([0-9]{1,2})-cp3\1(?![0-9])"), _vote_python(2)),
    (("Python 3.",), re.compile(r"(?<![A-Za-z])Python (3\.[0-9]{1,2})\.[0-9]+"), _vote_python(1)),
    # Requires-Python refusals name the running interpreter: pip's and uv's wording
    (("different Python: ",), re.compile(r"requires a different Python: (3\.[0-9]{1,2})\.[0-9]+ not in"), _vote_python(3)),
    (("current Python version (",), re.compile(r"current Python version \((3\.[0-9]{1,2})\.[0-9]+\)"), _vote_python(3)),
    (_WHEEL_LINES, re.compile(_WHEEL_TAG), _wheel_tag),
    (_WHEEL_LINES, re.compile(r"[-.](win_amd64|win32|win_arm64)\.whl"), _win_tag),
    (_WHEEL_LINES, re.compile(r"macosx_([0-9]+)_([0-9]+)_(x86_64|arm64|universal2)"), _mac_tag),
    (("Darwin",), re.compile(r"Darwin"), _vote_os("macos")),
    (("Visual",), re.compile(r"Microsoft Visual C\+\+|Visual Studio"), _vote_os("windows")),
)

#: Evidence rules read only in failing sections: their anchors ("build/",
#: "linux", "python3.") are on every compiler line, so scanning the whole
#: log for them would cost as much as reading it all in Python.
_SECTION_RULES: Tuple[_Rule, ...] = (
    ("cpython-3", re.compile(r"cpython-3([0-9]{1,2})(?![0-9])"), _vote_python(3)),
    ("ython3.", re.compile(r"/[Pp]ython(3\.[0-9]{1,2})/(?:site-packages|dist-packages|include|lib)"), _vote_python(2)),
    ("include/python3.", re.compile(r"include/python(3\.[0-9]{1,2})(?![0-9])"), _vote_python(2)),
    ("bin/python3.", re.compile(r"/bin/python(3\.[0-9]{1,2})(?![0-9.])"), _vote_python(1)),
    ("build/", re.compile(r"build/(?:lib|temp)\.[a-z]+-[A-Za-z0-9_.]+?-(3\.[0-9]{1,2})(?=/|$| )"), _vote_python(2)),
    ("build/", re.compile(r"build/(?:lib|temp|bdist)\.(linux|macosx-[0-9]+\.[0-9]+|win32|win)-?([A-Za-z0-9_]+?)?(?:-cpython|-3\.|/|$)"), _build_dir),
    ("python:3.", re.compile(r"python:(3\.[0-9]{1,2})(?![0-9])"), _vote_python(1)),
    ("lpine", re.compile(r"[Aa]lpine"), _vote_os("musl")),
    ("-linux-", re.compile(_ARCH + r"-linux-(?:gnu|musl)"), _vote_arch),
    ("-linux-gnu", re.compile(r"-linux-gnu"), _vote_os("linux")),
    ("musl", re.compile(r"ld-musl-|linux-musl|musl-gcc"), _vote_os("musl")),
    (":/", re.compile(r"(?:^|[ '\"(=])[A-Za-z]:/(?:Users|Program Files|Windows|hostedtoolcache|a/|Python)"), _vote_os("windows")),
    ("MSVC", re.compile(r"MSVC"), _vote_os("windows")),
    (".exe", re.compile(r"(?:cl|link|vcvarsall)\.exe|vcvarsall\.bat"), _vote_os("windows")),
    ("/Library/Developer/", re.compile(r"/Library/Developer/CommandLineTools"), _vote_os("macos")),
    ("MacOSX", re.compile(r"MacOSX[0-9.]*\.sdk"), _vote_os("macos")),
    ("xcrun", re.compile(r"xcrun"), _vote_os("macos")),
    ("/opt/homebrew/", re.compile(r"/opt/homebrew/"), _homebrew),
    ("x86_64-linux-gnu", re.compile(r"/usr/(?:lib|include)/(x86_64|aarch64)-linux-gnu"), _vote_arch),
)

#: The strings the scan rules need in a line (a rule may need any of several).
RULE_ANCHORS: Tuple[str, ...] = tuple(a for anchors, _rx, _f in _SCAN_RULES for a in anchors)
_RULE_OF_ANCHOR: Tuple[int, ...] = tuple(i for i, (anchors, _rx, _f) in enumerate(_SCAN_RULES) for _a in anchors)
