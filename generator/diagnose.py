"""The long tail: what a build log says about itself when no guide matches.

From normalised log lines (see :mod:`generator.logtext`) alone this finds which
packages pip, uv or poetry built from source, which build failed, the Python
version and the platform the build ran on.  With index data
(:func:`nearest_wheel`) it then names the nearest release of the failed package
that has a wheel for that Python and platform, so the user can pin it instead
of fixing a compiler.

Only the standard library is imported here; the index client is imported
lazily inside :func:`nearest_wheel`, so ``wheelfix explain`` starts fast.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Pattern, Tuple

logger = logging.getLogger("wheelfix.diagnose")

#: Most package names kept, so a pathological log cannot grow memory.
MAX_PACKAGES = 500

_NAME = "[A-Za-z0-9][A-Za-z0-9._-]*"
_ITEM = "`[^`]+`|" + _NAME + "(?:\\[[^\\]]*\\])?(?:==[^ ,]+)?"

#: ``(kind, pattern, is_list)``: a line naming a package.  Group 1 is one name
#: (or, when ``is_list``, a list of names separated by spaces or commas, each
#: maybe in backticks with ``==version``); group 2, when present, a version.
#: ``kind`` is ``named`` (mentioned), ``built`` (built from source) or
#: ``failed``.  paste.js holds the same table (it needs the names for the
#: ``package`` condition of signatures).
MENTION_PATTERNS: Tuple[Tuple[str, str, bool], ...] = (
    ("named", "^Collecting (" + _NAME + ")(?:\\[[^\\]]*\\])?(?:==([A-Za-z0-9.+!_-]+))?", False),
    ("named", "^(?:[-•] )?Installing (" + _NAME + ") \\(([^)]*)\\)", False),
    ("named", "^(?:Downloading|Using cached) (?:[^ ]*/)?(" + _NAME + "?)-([0-9][A-Za-z0-9.+!_]*)\\.(?:tar\\.gz|zip|tar\\.bz2)", False),
    ("built", "^Building wheel for (" + _NAME + ")", False),
    ("built", "^Building wheels for collected packages: (.+)$", True),
    ("built", "^Running setup\\.py (?:install|bdist_wheel) for (" + _NAME + ")", False),
    ("built", "^Buil(?:ding|t) (" + _NAME + ")==([A-Za-z0-9.+!_-]+)", False),
    ("failed", "Failed building wheel for (" + _NAME + ")", False),
    # (not pip >= 25's "Failed to build installable wheels for some ... projects")
    ("failed", "Failed to build (?!installable wheels )((?:" + _ITEM + ")(?:,? (?:" + _ITEM + "))*)$", True),
    ("failed", "Failed to (?:download and )?build (`[^`]+`)", True),
    ("failed", "Failed to (?:download and )?build: (" + _NAME + ")(?:==([A-Za-z0-9.+!_-]+))?", False),
    ("failed", "Failed to build installable wheels for some pyproject\\.toml based projects \\(([^)]*)\\)", True),
    ("failed", "Could not build wheels for (.+?),? which ", True),
    ("failed", "but with (" + _NAME + ") \\(([^)]*)\\) not supporting PEP 517", False),
    ("failed", "This error originates from the build backend, and is likely not a problem with poetry but one of the following issues with (" + _NAME + ") \\(([^)]*)\\)", False),
    ("failed", "^(?:[-•] )?Installing (" + _NAME + ") \\(([^)]*)\\): Failed", False),
)

#: A line without any of these strings names no package.
MENTION_ANCHORS: Tuple[str, ...] = (
    "Collecting ",
    "Installing ",
    "Downloading ",
    "Using cached ",
    "Building wheel",
    "Running setup.py ",
    "==",  # uv's "Building X==1.2" and "Built X==1.2" (a bare "Building " is on every CMake line)
    "Failed ",
    "Could not build wheels for ",
    "not supporting PEP 517",
    "This error originates from the build backend",
)

# One or more strings a line needs before each pattern above is worth trying.
_MENTION_KEYS: Tuple[Tuple[str, ...], ...] = (
    ("Collecting ",),
    ("Installing ",),
    ("Downloading ", "Using cached "),
    ("Building wheel for ",),
    ("Building wheels for collected packages: ",),
    ("Running setup.py ",),
    ("Building ", "Built "),
    ("Failed building wheel for ",),
    ("Failed to build ",),
    ("Failed to build `", "Failed to download and build `"),
    ("Failed to build: ", "Failed to download and build: "),
    ("Failed to build installable wheels",),
    ("Could not build wheels for ",),
    ("not supporting PEP 517",),
    ("This error originates from the build backend",),
    ("): Failed",),
)
_mention_res = tuple(
    (keys, kind, re.compile(src), is_list) for keys, (kind, src, is_list) in zip(_MENTION_KEYS, MENTION_PATTERNS)
)
_item_re = re.compile("^`?(" + _NAME + ")(?:\\[[^\\]]*\\])?(?:==([^ ,`]+))?`?$")
_list_split_re = re.compile("[ ,]+")
_canon_re = re.compile("[-_.]+")


def canonical_name(name: str) -> str:
    """The normalised form of a project name (lower case, runs of ``-_.`` as ``-``)."""
    return _canon_re.sub("-", name).lower()


# Mentions told apart by mention_details: a source archive fetched (pip, uv),
# a package being installed (poetry: "- Installing X (1.2)", which builds it).
_SPECIAL_KINDS = {
    next(i for i, p in enumerate(MENTION_PATTERNS) if "tar\\.gz" in p[1]): "archive",
    next(i for i, p in enumerate(MENTION_PATTERNS) if p[1].startswith("^(?:[-•] )?Installing")): "installing",
}

#: ``(name, version, kind, listed)``: kind ``named``, ``archive`` (a source
#: archive fetched), ``installing`` (poetry), ``built`` or ``failed``;
#: ``listed`` when the line lists names.
Mention = Tuple[str, Optional[str], str, bool]


def mention_details(line: str) -> List[Mention]:
    """Every package ``line`` names, with how (see :data:`Mention`)."""
    # Plain loops, not any() over generators: this runs for every line that
    # holds an anchor, and the generator machinery cost more than the tests.
    for anchor in MENTION_ANCHORS:
        if anchor in line:
            break
    else:
        return []
    found: List[Mention] = []
    for index, (keys, kind, rx, is_list) in enumerate(_mention_res):
        for k in keys:
            if k in line:
                break
        else:
            continue
        m = rx.search(line)
        if m is None:
            continue
        if not is_list:
            version = m.group(2) if rx.groups >= 2 else None
            found.append((canonical_name(m.group(1)), version or None, _SPECIAL_KINDS.get(index, kind), False))
            continue
        for item in _list_split_re.split(m.group(1).strip()):
            im = _item_re.match(item)
            if im is not None:
                found.append((canonical_name(im.group(1)), im.group(2), kind, True))
    return found


def package_mentions(line: str) -> List[Tuple[str, Optional[str], str]]:
    """``(canonical name, version or None, kind)`` for each package ``line`` names."""
    found = [(n, v, "named" if k in ("archive", "installing") else k) for n, v, k, _listed in mention_details(line)]
    return list(dict.fromkeys(found)) if len(found) > 1 else found


@dataclass
class Diagnosis:
    """What a log says about the failed build.  ``None`` means "not shown by the log"."""

    built_from_source: List[str] = field(default_factory=list)
    failed: Optional[str] = None
    python: Optional[str] = None
    platform: Optional[str] = None
    #: package -> the version the log shows being built or fetched.
    versions: Dict[str, str] = field(default_factory=dict)
    #: ``{"version", "file"}`` from :func:`nearest_wheel`, when known.
    nearest_wheel: Optional[Dict[str, str]] = None
    #: The source archive of ``failed`` the log shows being fetched (``X-1.2.tar.gz``).
    source_archive: Optional[str] = None
    #: How the log names ``failed``: ``"stated"`` (pip/uv/poetry say it failed),
    #: ``"in progress"`` (its build was under way when a nameless error came)
    #: or ``"build path"`` (only its build directory appears).
    failed_because: Optional[str] = None
    #: What the log proves of the platform, in words (a wheel's tag is not the machine's).
    platform_proof: Optional[str] = None
    #: Why ``nearest_wheel`` is ``None`` when ``failed`` is known.
    nearest_wheel_note: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        """The ``diagnosis`` object of ``wheelfix explain --json`` (see docs/api.md)."""
        return {
            "built_from_source": list(self.built_from_source),
            "failed": self.failed,
            "python": self.python,
            "platform": self.platform,
            "nearest_wheel": dict(self.nearest_wheel) if self.nearest_wheel else None,
            "failed_version": self.versions.get(self.failed) if self.failed else None,
            "failed_because": self.failed_because,
            "source_archive": self.source_archive,
            "platform_proof": self.platform_proof,
            "nearest_wheel_note": self.nearest_wheel_note,
        }


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


def _first(found: Dict[str, int], name: str, number: int) -> None:
    if name not in found or number < found[name]:
        if name in found or len(found) < MAX_PACKAGES:
            found[name] = number


class Diagnoser:
    """Collects evidence from numbered lines; :meth:`result` weighs it.

    Evidence is kept with the line it came from, so lines may be fed in any
    order (two processes, windows read after the lines the scan found) and the
    result is that of reading the log in order.  The one exception is the build
    in progress (:meth:`feed` must see scan lines in order).  Memory stays
    bounded: at most :data:`MAX_PACKAGES` names are kept.
    """

    def __init__(self) -> None:
        self._built: Dict[str, int] = {}
        self._failed: Dict[str, int] = {}  # named as failed by the installer
        self._inferred: Dict[str, int] = {}  # building when a nameless error came
        self._path_named: Dict[str, int] = {}  # only a build directory names it
        self._versions: Dict[str, Tuple[int, str]] = {}
        self._archives: Dict[str, Tuple[int, str]] = {}
        self._python: _Votes = {}
        self._os: _Votes = {}
        self._arch: _Votes = {}
        self._proof: Dict[str, Tuple[int, str]] = {}  # os -> (line, the text that shows it)
        self._glibc: Optional[Tuple[Tuple[int, int], str]] = None  # (glibc, wheel tag)
        self._musl: Optional[Tuple[Tuple[int, int], str]] = None
        self._macos: Optional[Tuple[int, str, str]] = None  # (line, version, arch)
        #: The build under way (line, name), for errors that name no package,
        #: and the package collected last (when no build was seen under way).
        self._current: Optional[Tuple[int, str]] = None
        self._collected: Optional[Tuple[int, str]] = None
        #: Nameless errors before any build was seen under way, with the
        #: package collected last then: when this Diagnoser read the second
        #: half of a log, the first half may know the build.
        self._orphans: List[Tuple[int, Optional[str]]] = []

    # -- evidence

    def feed(
        self,
        number: int,
        line: str,
        mentions: Optional[List[Mention]] = None,
        rules: Optional[Iterable[int]] = None,
    ) -> bool:
        """Take one normalised line that the scan found; True if it marks a failure.

        ``mentions``: its :func:`mention_details`, if known.  ``rules``: when
        given, the indexes into :data:`RULE_ANCHORS` of (at least) every
        anchor the line holds; the others are not tried.  Call in line order.
        """
        from generator.buildsection import failure_marker

        stated = False
        for name, version, kind, listed in mention_details(line) if mentions is None else mentions:
            if version:
                self._versions[name] = max(self._versions.get(name, (0, "")), (number, version))
                if kind == "archive":
                    found_archive = _archive_file_re.search(line)
                    if found_archive is not None:
                        self._archives[name] = max(self._archives.get(name, (0, "")), (number, found_archive.group(1)))
            if kind == "failed":
                _first(self._failed, name, number)
                stated = True
            if kind in ("built", "failed", "archive"):
                _first(self._built, name, number)
            # The build under way: pip fetched its source, or builds it; poetry installs it.
            if not listed and kind in ("archive", "built", "installing"):
                self._current = (number, name)
            elif not listed and kind == "named" and line.startswith("Collecting "):
                self._collected = (number, name)
        if rules is None:
            chosen: Iterable[int] = range(len(_SCAN_RULES))
        else:
            chosen = sorted({_RULE_OF_ANCHOR[r] for r in rules})
        for index in chosen:
            anchors, rx, action = _SCAN_RULES[index]
            for anchor in anchors:
                if anchor in line:
                    for m in rx.finditer(line):
                        action(self, m, number)
                    break
        marker, marker_name, marker_version = failure_marker(line)
        if marker == "nameless":
            if self._current is not None:
                self._infer(self._current[1], number)
            elif len(self._orphans) < MAX_PACKAGES:
                self._orphans.append((number, None if self._collected is None else self._collected[1]))
        elif marker == "stated" and marker_name:
            self.name_failed("stated", marker_name, number, marker_version)
        return stated or marker is not None

    def _infer(self, name: str, number: int) -> None:
        _first(self._inferred, name, number)
        _first(self._built, name, number)

    def feed_section(self, number: int, line: str) -> None:
        """Take one normalised line of a failing section (see :mod:`generator.buildsection`)."""
        for anchor, rx, action in _SECTION_RULES:
            if anchor in line:
                for m in rx.finditer(line):
                    action(self, m, number)

    def name_failed(self, how: str, name: str, number: int, version: Optional[str] = None) -> None:
        """Evidence found in a section: ``how`` is ``"stated"`` or ``"build path"``."""
        name = canonical_name(name)
        _first(self._failed if how == "stated" else self._path_named, name, number)
        _first(self._built, name, number)
        if version:
            self._versions[name] = max(self._versions.get(name, (0, "")), (number, version))

    def absorb(self, later: "Diagnoser", shift: int, current_before: Optional[Tuple[int, str]] = None) -> bool:
        """Add the evidence of ``later``, a Diagnoser fed the lines after the first ``shift``.

        Afterwards ``self`` is as if it had been fed those lines itself.
        Returns False, changing nothing, when that cannot be guaranteed (a
        :data:`MAX_PACKAGES` cap reached, so which names were kept depends on the order).
        """
        del current_before
        merged = []
        for mine, theirs in ((self._built, later._built), (self._failed, later._failed),
                             (self._inferred, later._inferred), (self._path_named, later._path_named)):
            both = dict(mine)
            for name, number in theirs.items():
                both.setdefault(name, number + shift)
            if len(theirs) >= MAX_PACKAGES or len(both) >= MAX_PACKAGES:
                return False
            merged.append(both)
        if len(self._orphans) + len(later._orphans) >= MAX_PACKAGES:
            return False
        self._built, self._failed, self._inferred, self._path_named = merged
        for number, collected in later._orphans:
            # The build under way here was under way there; else the package
            # collected last there, else here, as one pass would have seen.
            if self._current is not None:
                self._infer(self._current[1], number + shift)
            else:
                if collected is None and self._collected is not None:
                    collected = self._collected[1]
                self._orphans.append((number + shift, collected))
        for mine_v, theirs_v in ((self._versions, later._versions), (self._archives, later._archives)):
            for name, (number, version) in theirs_v.items():
                mine_v[name] = max(mine_v.get(name, (0, "")), (number + shift, version))
        for mine_votes, theirs_votes in ((self._python, later._python), (self._os, later._os), (self._arch, later._arch)):
            for key, (count, number) in theirs_votes.items():
                _vote(mine_votes, key, number + shift, count)
        for key, (number, text) in later._proof.items():
            if key not in self._proof or number + shift < self._proof[key][0]:
                self._proof[key] = (number + shift, text)
        for attr in ("_glibc", "_musl"):
            theirs_t = getattr(later, attr)
            if theirs_t is not None:
                mine_t = getattr(self, attr)
                setattr(self, attr, theirs_t if mine_t is None else max(mine_t, theirs_t))
        if later._macos is not None:
            self._macos = (later._macos[0] + shift, later._macos[1], later._macos[2])
        if later._current is not None:
            self._current = (later._current[0] + shift, later._current[1])
        if later._collected is not None:
            self._collected = (later._collected[0] + shift, later._collected[1])
        return True

    # -- the verdict

    def result(self) -> Diagnosis:
        """The diagnosis so far."""
        inferred = dict(self._inferred)
        built = dict(self._built)
        for number, collected in self._orphans:
            if collected is not None:
                _first(inferred, collected, number)
                _first(built, collected, number)
        failed, because = None, None
        for found, how in ((self._failed, "stated"), (inferred, "in progress"), (self._path_named, "build path")):
            if found:
                failed, because = min(found.items(), key=lambda kv: kv[1])[0], how
                break
        versions = {name: version for name, (_n, version) in self._versions.items()}
        archive = None
        if failed is not None and failed in self._archives:
            # Only the archive of the version shown (a log may fetch several).
            filename = self._archives[failed][1]
            if filename.rsplit("-", 1)[-1].startswith(f"{versions.get(failed)}."):
                archive = filename
        platform = self._platform()
        return Diagnosis(
            built_from_source=[n for n, _ in sorted(built.items(), key=lambda kv: kv[1])],
            failed=failed,
            python=_top(self._python),
            platform=platform,
            versions=versions,
            source_archive=archive,
            failed_because=because,
            platform_proof=self._platform_proof() if platform else None,
        )

    def _os_name(self) -> Optional[str]:
        if self._os.get("musl"):
            return "musl"  # a musl system also says "linux" everywhere
        return _top(self._os)

    def _platform(self) -> Optional[str]:
        os_name = self._os_name()
        arch = _top(self._arch)
        if os_name == "windows":
            return {"x86_64": "win_amd64", "i686": "win32", "aarch64": "win_arm64"}.get(arch or "x86_64")
        if os_name == "macos":
            mac_arch = {"aarch64": "arm64", "x86_64": "x86_64"}.get(arch or "")
            if self._macos is not None:
                _line, version, build_arch = self._macos
                return f"macosx_{version}_{mac_arch or build_arch}"
            return f"macosx_11_0_{mac_arch}" if mac_arch else None
        if arch is None or os_name is None:
            return None
        if os_name == "musl":
            major, minor = self._musl[0] if self._musl else (1, 2)
            return f"musllinux_{major}_{minor}_{arch}"
        if self._glibc is not None:
            return f"manylinux_{self._glibc[0][0]}_{self._glibc[0][1]}_{arch}"
        return f"linux_{arch}"

    def _platform_proof(self) -> str:
        os_name = self._os_name()
        arch = _top(self._arch)
        words = {"musl": "linux", "linux": "linux", "macos": "macOS", "windows": "Windows"}.get(os_name or "", "")
        said = f"{words} {arch}" if arch else words
        if os_name == "musl":
            said += ", musl libc"
        elif os_name == "linux" and self._glibc is not None:
            said += ", glibc-based"
        shown = []
        tag = self._glibc if os_name == "linux" else self._musl if os_name == "musl" else None
        if tag is not None:
            shown.append(f"accepted a {tag[1]} wheel")
        if os_name in self._proof:
            shown.append(f"log shows {self._proof[os_name][1]!r}")
        return f"{said} ({'; '.join(shown)})" if shown else said


_archive_file_re = re.compile(r"([^ /]+\.(?:tar\.gz|zip|tar\.bz2))")

_Action = Callable[[Diagnoser, "re.Match[str]", int], None]
_Rule = Tuple[str, Pattern[str], _Action]


def _note(d: Diagnoser, os_name: str, m: "re.Match[str]", number: int, weight: int) -> None:
    _vote(d._os, os_name, number, weight)
    if os_name not in d._proof or number < d._proof[os_name][0]:
        # The whole word the evidence is in ("build/lib.linux-x86_64-3.8"), not the bare match.
        text = m.string
        start = max(text.rfind(" ", 0, m.start()), text.rfind("'", 0, m.start())) + 1
        ends = [i for i in (text.find(" ", m.end()), text.find("'", m.end())) if i >= 0]
        d._proof[os_name] = (number, text[start:min(ends) if ends else len(text)][:80].rstrip("(:,;"))


def _vote_python(weight: int) -> _Action:
    def action(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
        value = m.group(1)
        _vote(d._python, value if "." in value else f"3.{value}", number, weight)

    return action


def _vote_os(name: str) -> _Action:
    def action(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
        _note(d, name, m, number, 1)

    return action


def _vote_arch(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
    _vote(d._arch, _ARCHES[m.group(1)], number)


def _build_dir(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
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


def _wheel_tag(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
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


def _win_tag(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
    _note(d, "windows", m, number, 1)
    _vote(d._arch, {"win_amd64": "x86_64", "win32": "i686", "win_arm64": "aarch64"}[m.group(1)], number)


def _mac_tag(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
    _note(d, "macos", m, number, 1)
    arch = m.group(3)
    if arch in _ARCHES:
        _vote(d._arch, _ARCHES[arch], number)


def _homebrew(d: Diagnoser, m: "re.Match[str]", number: int) -> None:
    _note(d, "macos", m, number, 1)
    _vote(d._arch, "aarch64", number)  # Homebrew lives in /opt/homebrew only on Apple silicon


_WHEEL_TAG = r"(manylinux_[0-9]+_[0-9]+|manylinux1|manylinux2010|manylinux2014|musllinux_[0-9]+_[0-9]+)_(x86_64|aarch64|i686|armv7l|ppc64le|s390x)"

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


def diagnose(lines: Iterable[str]) -> Diagnosis:
    """Diagnose the lines of a log, block-normalised (the lines of :func:`generator.logtext.iter_blocks`).

    Each is normalised here (already normalised lines work too, but lose
    pip's ``╰─>`` box margin).  The reference reading: every line, in order
    (see :func:`generator.buildsection.read_sections` for the failing sections).
    """
    from generator.buildsection import read_sections

    d = Diagnoser()
    read_sections(list(lines), d)
    return d.result()


def nearest_wheel(diagnosis: Diagnosis, *, online: bool = False) -> Optional[Dict[str, str]]:
    """The release of ``diagnosis.failed`` nearest the one that failed that has a wheel.

    See :func:`nearest_wheel_or_note`, which also says why there is none.
    """
    return nearest_wheel_or_note(diagnosis, online=online)[0]


def nearest_wheel_or_note(diagnosis: Diagnosis, *, online: bool = False) -> Tuple[Optional[Dict[str, str]], Optional[str]]:
    """``({"version", "file"}, None)``, or ``(None, why not)`` (``why`` is None without a failed package).

    "Nearest": the lowest release at or above the version the log shows
    being built, else the highest below it; without a version, the newest.
    Needs the failed package, the Python version and the platform; only
    cached index data is used unless ``online``.  A Linux platform whose glibc
    the log does not show is taken as manylinux2014 (glibc 2.17): a wheel
    found is then certain to install.
    """
    name, python, platform = diagnosis.failed, diagnosis.python, diagnosis.platform
    if not name:
        return None, None
    if not python:
        return None, "the log does not show the Python version"
    if not platform:
        return None, "the log does not show the platform"
    if platform.startswith("linux_"):
        platform = "manylinux_2_17_" + platform[len("linux_"):]
    not_cached = f"no index data for {name} is cached; run again with --online to look it up"
    if not online:
        from generator.cachedir import default_cache_dir, http_cache_dir

        # Nothing cached at all: known without importing the index client.
        if not http_cache_dir(default_cache_dir()).is_dir():
            return None, not_cached
    try:
        from packaging.version import InvalidVersion, Version

        from generator.index import IndexClient, IndexClientError, IndexUnavailable  # type: ignore[import-not-found,unused-ignore]
        from generator.wheels import Kind, Target, release_verdicts  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:  # the index modules are optional at this layer
        logger.debug("nearest wheel unavailable: %s", exc)
        return None, f"looking it up needs wheelfix's index support ({exc.name or exc} is not installed)"
    try:
        page = IndexClient(offline=not online, progress=False).fetch(name)
        verdicts = release_verdicts(page, Target.parse(python, platform))
    except IndexUnavailable as exc:
        logger.info("no index data for %s: %s", name, exc)
        if online:
            return None, f"the package index could not be read ({exc})"
        return None, not_cached
    except (IndexClientError, ValueError) as exc:
        logger.info("no index data for %s: %s", name, exc)
        return None, f"the index data for {name} could not be used ({exc})"
    wheels: List[Tuple[Any, Any]] = []
    for verdict in verdicts:
        if verdict.kind != Kind.WHEEL or verdict.file is None:
            continue
        try:
            wheels.append((Version(str(verdict.version)), verdict))
        except InvalidVersion:
            continue
    if not wheels:
        return None, f"no release of {name} has a wheel for Python {python} on {platform}"
    wheels.sort(key=lambda pair: pair[0])
    failed_version = diagnosis.versions.get(name)
    chosen = wheels[-1][1]
    if failed_version:
        try:
            wanted = Version(failed_version)
        except InvalidVersion:
            wanted = None
        if wanted is not None:
            above = [v for key, v in wheels if key >= wanted]
            below = [v for key, v in wheels if key < wanted]
            chosen = above[0] if above else below[-1]
    return {"version": str(chosen.version), "file": str(chosen.file.filename)}, None
