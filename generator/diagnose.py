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
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

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
    ("failed", "Failed to build ((?:" + _ITEM + ")(?:,? (?:" + _ITEM + "))*)$", True),
    ("failed", "Failed to (?:download and )?build (`[^`]+`)", True),
    ("failed", "Failed to build installable wheels for some pyproject\\.toml based projects \\(([^)]*)\\)", True),
    ("failed", "Could not build wheels for (.+?), which ", True),
    ("failed", "but with (" + _NAME + ") \\(([^)]*)\\) not supporting PEP 517", False),
)

#: A line without any of these strings names no package.
MENTION_ANCHORS: Tuple[str, ...] = (
    "Collecting ",
    "Installing ",
    "Downloading ",
    "Using cached ",
    "Building ",
    "Running setup.py ",
    "Built ",
    "Failed ",
    "Could not build wheels for ",
    "not supporting PEP 517",
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
    ("Failed to build installable wheels",),
    ("Could not build wheels for ",),
    ("not supporting PEP 517",),
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


def package_mentions(line: str) -> List[Tuple[str, Optional[str], str]]:
    """``(canonical name, version or None, kind)`` for each package ``line`` names."""
    # Plain loops, not any() over generators: this runs for every line that
    # holds an anchor, and the generator machinery cost more than the tests.
    for anchor in MENTION_ANCHORS:
        if anchor in line:
            break
    else:
        return []
    found: List[Tuple[str, Optional[str], str]] = []
    for keys, kind, rx, is_list in _mention_res:
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
            found.append((canonical_name(m.group(1)), version or None, kind))
            continue
        for item in _list_split_re.split(m.group(1).strip()):
            im = _item_re.match(item)
            if im is not None:
                found.append((canonical_name(im.group(1)), im.group(2), kind))
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

    def to_json(self) -> Dict[str, Any]:
        """The ``diagnosis`` object of ``wheelfix explain --json`` (see docs/api.md)."""
        return {
            "built_from_source": list(self.built_from_source),
            "failed": self.failed,
            "python": self.python,
            "platform": self.platform,
            "nearest_wheel": dict(self.nearest_wheel) if self.nearest_wheel else None,
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


class Diagnoser:
    """Collects evidence line by line; :meth:`result` weighs it.

    Memory stays bounded: evidence is counted, and at most
    :data:`MAX_PACKAGES` package names are kept.
    """

    #: A line holding none of these strings is evidence of nothing.
    anchors: Tuple[str, ...]

    def __init__(self) -> None:
        self._built: Dict[str, None] = {}
        self._failed: Dict[str, None] = {}
        self._versions: Dict[str, str] = {}
        self._python: Counter[str] = Counter()
        self._os: Counter[str] = Counter()
        self._arch: Counter[str] = Counter()
        self._glibc: Optional[Tuple[int, int]] = None
        self._musl: Optional[Tuple[int, int]] = None
        self._macos: Optional[Tuple[str, str]] = None

    def feed(
        self,
        line: str,
        mentions: Optional[List[Tuple[str, Optional[str], str]]] = None,
        rules: Optional[Iterable[int]] = None,
    ) -> None:
        """Take one normalised line into account.

        ``mentions``: its :func:`package_mentions`, if known.  ``rules``: when
        given, the indexes into :data:`RULE_ANCHORS` of (at least) every anchor
        the line holds; the others are not tried.
        """
        for name, version, kind in package_mentions(line) if mentions is None else mentions:
            if version and len(self._versions) < MAX_PACKAGES:
                self._versions[name] = version
            if kind == "named":
                continue
            if len(self._built) < MAX_PACKAGES:
                self._built[name] = None
            if kind == "failed" and len(self._failed) < MAX_PACKAGES:
                self._failed[name] = None
        if rules is None:
            chosen: Iterable[_Rule] = _RULES
        else:
            # In rule order: the order of the first votes breaks ties.
            chosen = [_RULES[r] for r in sorted(rules)]
        for anchor, rx, action in chosen:
            if anchor in line:
                for m in rx.finditer(line):
                    action(self, m)

    def feed_lines(self, lines: Sequence[Tuple[str, Sequence[int]]]) -> None:
        """The rule evidence of many normalised lines at once (mentions are not looked at).

        ``lines`` holds ``(line, rules)`` pairs; the same as ``feed(line, [],
        rules)`` for each, in order.  Each rule runs once over all the lines
        given it instead of once a line.
        """
        by_rule: Dict[int, List[str]] = {}
        for line, rules in lines:
            for r in rules:
                found_lines = by_rule.get(r)
                if found_lines is None:
                    by_rule[r] = [line]
                else:
                    found_lines.append(line)
        saved = self._save()
        multiline = _multiline_rules()
        for r in sorted(by_rule):
            anchor, _rx, action = _RULES[r]
            rx = multiline[r]
            text = "\n".join(by_rule[r])
            if r in _NEEDS_ANCHOR_CHECK:
                for m in rx.finditer(text):
                    start = text.rfind("\n", 0, m.start()) + 1
                    end = text.find("\n", m.end())
                    if anchor in text[start:end if end >= 0 else len(text)]:
                        action(self, m)
                continue
            found = rx.findall(text)
            if not found:
                continue
            counts = Counter(found)
            if len(counts) > 1:
                # Last seen last: the build rule's last macOS directory wins.
                last = {g: i for i, g in enumerate(found)}
                order: Iterable[Any] = sorted(counts, key=last.__getitem__)
            else:
                order = counts
            for groups in order:
                self._add(action, groups, counts[groups])
        # Among keys new to a counter, the first voted comes first, which
        # settles ties.  Rule by rule that order is lost, so when the lines
        # bring two new keys to one counter they are redone line by line.
        for counter, before in zip((self._python, self._os, self._arch), saved[:3]):
            if len(counter) - len(before) >= 2:
                self._restore(saved)
                for line, rules in lines:
                    self.feed(line, [], rules)
                return

    def _add(self, action: "_Action", groups: Any, times: int) -> None:
        scratch = Diagnoser()
        action(scratch, _Found(groups))  # type: ignore[arg-type]
        for mine, theirs in ((self._python, scratch._python), (self._os, scratch._os), (self._arch, scratch._arch)):
            for key, votes in theirs.items():
                mine[key] += votes * times
        if scratch._glibc is not None:
            self._glibc = max(self._glibc or scratch._glibc, scratch._glibc)
        if scratch._musl is not None:
            self._musl = max(self._musl or scratch._musl, scratch._musl)
        if scratch._macos is not None:
            self._macos = scratch._macos

    def absorb(self, later: "Diagnoser") -> bool:
        """Add the evidence of ``later``, a fresh Diagnoser fed the lines that follow this one's.

        Afterwards ``self`` is exactly as if it had been fed those lines
        itself.  Returns False, changing nothing, when that cannot be
        guaranteed (a :data:`MAX_PACKAGES` cap reached, so which names were
        kept depends on the order).
        """
        merged: List[Dict[str, Any]] = []
        for mine, theirs in ((self._built, later._built), (self._failed, later._failed), (self._versions, later._versions)):
            both: Dict[str, Any] = dict(mine)
            # Earlier names keep their place; a later version replaces an
            # earlier one, as feeding in order would.
            both.update(theirs)
            if len(theirs) >= MAX_PACKAGES or len(both) >= MAX_PACKAGES:
                return False
            merged.append(both)
        self._built, self._failed, self._versions = merged
        # Counter.update appends keys new here in ``later``'s first-vote
        # order, which is the order feeding in sequence gives (ties break on it).
        self._python.update(later._python)
        self._os.update(later._os)
        self._arch.update(later._arch)
        for attr in ("_glibc", "_musl"):
            theirs_v = getattr(later, attr)
            if theirs_v is not None:
                mine_v = getattr(self, attr)
                setattr(self, attr, theirs_v if mine_v is None else max(mine_v, theirs_v))
        if later._macos is not None:
            self._macos = later._macos  # the last build directory wins
        return True

    def _save(self) -> Tuple[Any, ...]:
        return (Counter(self._python), Counter(self._os), Counter(self._arch), self._glibc, self._musl, self._macos)

    def _restore(self, saved: Tuple[Any, ...]) -> None:
        self._python, self._os, self._arch, self._glibc, self._musl, self._macos = saved

    def result(self) -> Diagnosis:
        """The diagnosis so far."""
        return Diagnosis(
            built_from_source=list(self._built),
            failed=next(iter(self._failed), None),
            python=_top(self._python),
            platform=self._platform(),
            versions=dict(self._versions),
        )

    def _platform(self) -> Optional[str]:
        os_name = _top(self._os)
        if self._os.get("musl"):
            os_name = "musl"  # a musl system also says "linux" everywhere
        arch = _top(self._arch)
        if os_name == "windows":
            return {"x86_64": "win_amd64", "i686": "win32", "aarch64": "win_arm64"}.get(arch or "x86_64")
        if os_name == "macos":
            mac_arch = {"aarch64": "arm64", "x86_64": "x86_64"}.get(arch or "")
            if self._macos is not None:
                version, build_arch = self._macos
                return f"macosx_{version}_{mac_arch or build_arch}"
            return f"macosx_11_0_{mac_arch}" if mac_arch else None
        if arch is None or os_name is None:
            return None
        if os_name == "musl":
            major, minor = self._musl or (1, 2)
            return f"musllinux_{major}_{minor}_{arch}"
        if self._glibc is not None:
            return f"manylinux_{self._glibc[0]}_{self._glibc[1]}_{arch}"
        return f"linux_{arch}"


def _top(counter: Counter[str]) -> Optional[str]:
    if not counter:
        return None
    # Counter.most_common keeps first-seen order among equal counts.
    return counter.most_common(1)[0][0]


def _vote_python(weight: int) -> Callable[[Diagnoser, "re.Match[str]"], None]:
    def action(d: Diagnoser, m: "re.Match[str]") -> None:
        value = m.group(1)
        d._python[value if "." in value else f"3.{value}"] += weight

    return action


def _vote_os(name: str) -> Callable[[Diagnoser, "re.Match[str]"], None]:
    def action(d: Diagnoser, m: "re.Match[str]") -> None:
        d._os[name] += 1

    return action


def _vote_arch(d: Diagnoser, m: "re.Match[str]") -> None:
    d._arch[_ARCHES[m.group(1)]] += 1


def _build_dir(d: Diagnoser, m: "re.Match[str]") -> None:
    kind, arch = m.group(1), m.group(2)
    if kind == "linux":
        d._os["linux"] += 2
    elif kind.startswith("win"):
        d._os["windows"] += 2
        arch = arch or "win32"
    else:
        d._os["macos"] += 2
        version = kind.split("-", 1)[1].replace(".", "_")
        d._macos = (version, arch or "x86_64")
        if arch in ("universal2", None):
            return
    if arch in _ARCHES:
        d._arch[_ARCHES[arch]] += 2


def _wheel_tag(d: Diagnoser, m: "re.Match[str]") -> None:
    tag, arch = m.group(1), m.group(2)
    d._arch[_ARCHES[arch]] += 1
    if tag.startswith("musllinux"):
        d._os["musl"] += 1
        parts = tag.split("_")
        version = (int(parts[1]), int(parts[2]))
        d._musl = max(d._musl or version, version)
        return
    d._os["linux"] += 1
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    if tag in legacy:
        glibc = legacy[tag]
    else:
        parts = tag.split("_")
        glibc = (int(parts[1]), int(parts[2]))
    # pip installed a wheel needing this glibc, so the system has at least it.
    d._glibc = max(d._glibc or glibc, glibc)


def _win_tag(d: Diagnoser, m: "re.Match[str]") -> None:
    d._os["windows"] += 1
    d._arch[{"win_amd64": "x86_64", "win32": "i686", "win_arm64": "aarch64"}[m.group(1)]] += 1


def _mac_tag(d: Diagnoser, m: "re.Match[str]") -> None:
    d._os["macos"] += 1
    arch = m.group(3)
    if arch in _ARCHES:
        d._arch[_ARCHES[arch]] += 1


def _homebrew(d: Diagnoser, m: "re.Match[str]") -> None:
    d._os["macos"] += 1
    d._arch["aarch64"] += 1  # Homebrew lives in /opt/homebrew only on Apple silicon


class _Found:
    """The groups of one :meth:`re.Pattern.findall` item, as a match object shows them."""

    __slots__ = ("_groups",)

    def __init__(self, groups: Any) -> None:
        self._groups = groups if isinstance(groups, tuple) else (groups,)

    def group(self, index: int) -> Optional[str]:
        # findall gives "" for a group that did not take part; no group of
        # the rules below can match an empty string, so "" means None.
        value: str = self._groups[index - 1]
        return value or None


_Action = Callable[[Diagnoser, "re.Match[str]"], None]
_Rule = Tuple[str, Pattern[str], _Action]
_RULES: Tuple[_Rule, ...] = (
    ("cpython-3", re.compile(r"cpython-3([0-9]{1,2})(?![0-9])"), _vote_python(3)),
    ("Python 3", re.compile(r"Using C?Python (3\.[0-9]{1,2})(?![0-9])"), _vote_python(3)),
    ("ython3.", re.compile(r"/[Pp]ython(3\.[0-9]{1,2})/(?:site-packages|dist-packages|include|lib)"), _vote_python(2)),
    ("include/python3.", re.compile(r"include/python(3\.[0-9]{1,2})(?![0-9])"), _vote_python(2)),
    ("cp3", re.compile(r"(?<![A-Za-z0-9])cp3([0-9]{1,2})-cp3\1(?![0-9])"), _vote_python(2)),
    ("Python 3.", re.compile(r"(?<![A-Za-z])Python (3\.[0-9]{1,2})\.[0-9]+"), _vote_python(1)),
    ("python:3.", re.compile(r"python:(3\.[0-9]{1,2})(?![0-9])"), _vote_python(1)),
    ("build/", re.compile(r"build/(?:lib|temp|bdist)\.(linux|macosx-[0-9]+\.[0-9]+|win32|win)-?([A-Za-z0-9_]+?)?(?:-cpython|-3\.|/|$)"), _build_dir),
    ("-linux-", re.compile(_ARCH + r"-linux-(?:gnu|musl)"), _vote_arch),
    ("-linux-gnu", re.compile(r"-linux-gnu"), _vote_os("linux")),
    ("musl", re.compile(r"ld-musl-|linux-musl|musl-gcc"), _vote_os("musl")),
    ("lpine", re.compile(r"[Aa]lpine"), _vote_os("musl")),
    # At most 3 digits a version: a log line may hold any number of them, and int() refuses over 4,300.
    ("linux", re.compile(r"(manylinux_[0-9]{1,3}_[0-9]{1,3}|manylinux1|manylinux2010|manylinux2014|musllinux_[0-9]{1,3}_[0-9]{1,3})_(x86_64|aarch64|i686|armv7l|ppc64le|s390x)"), _wheel_tag),
    ("win", re.compile(r"[-.](win_amd64|win32|win_arm64)\.whl"), _win_tag),
    ("macosx_", re.compile(r"macosx_([0-9]+)_([0-9]+)_(x86_64|arm64|universal2)"), _mac_tag),
    (":/", re.compile(r"(?:^|[ '\"(=])[A-Za-z]:/(?:Users|Program Files|Windows|hostedtoolcache|a/|Python)"), _vote_os("windows")),
    ("Visual", re.compile(r"Microsoft Visual C\+\+|Visual Studio"), _vote_os("windows")),
    ("MSVC", re.compile(r"MSVC"), _vote_os("windows")),
    (".exe", re.compile(r"(?:cl|link|vcvarsall)\.exe|vcvarsall\.bat"), _vote_os("windows")),
    ("Darwin", re.compile(r"Darwin"), _vote_os("macos")),
    ("/Library/Developer/", re.compile(r"/Library/Developer/CommandLineTools"), _vote_os("macos")),
    ("MacOSX", re.compile(r"MacOSX[0-9.]*\.sdk"), _vote_os("macos")),
    ("xcrun", re.compile(r"xcrun"), _vote_os("macos")),
    ("/opt/homebrew/", re.compile(r"/opt/homebrew/"), _homebrew),
    ("x86_64-linux-gnu", re.compile(r"/usr/(?:lib|include)/(x86_64|aarch64)-linux-gnu"), _vote_arch),
)

#: The string each evidence rule needs in a line, in the order rules are tried.
RULE_ANCHORS: Tuple[str, ...] = tuple(r[0] for r in _RULES)

# For Diagnoser.feed_lines: the rules over many "\n"-joined lines.  None of
# them can match a line break, and with MULTILINE "^" and "$" mean the ends of
# each line, so every line gets the matches it gets alone.
# Compiled on first use: start-up matters more than the first block.
_RULES_MULTILINE: List[Pattern[str]] = []


def _multiline_rules() -> List[Pattern[str]]:
    if not _RULES_MULTILINE:
        _RULES_MULTILINE.extend(re.compile(rx.pattern, re.MULTILINE) for _a, rx, _f in _RULES)
    return _RULES_MULTILINE
# Rules some of whose matches lack the anchor ("vcvarsall.bat" without
# ".exe", "aarch64-linux-gnu" without "x86_64-linux-gnu"): for every other
# rule, a match proves the line holds the anchor.
_NEEDS_ANCHOR_CHECK = frozenset(
    r for r, (anchor, _rx, _f) in enumerate(_RULES) if anchor in (".exe", "x86_64-linux-gnu")
)

#: A line holding none of these strings is evidence of nothing.
DIAGNOSIS_ANCHORS: Tuple[str, ...] = tuple(dict.fromkeys([r[0] for r in _RULES] + list(MENTION_ANCHORS)))
Diagnoser.anchors = DIAGNOSIS_ANCHORS


def diagnose(lines: Iterable[str]) -> Diagnosis:
    """Diagnose normalised lines (e.g. from :func:`generator.logtext.iter_lines`)."""
    d = Diagnoser()
    for line in lines:
        d.feed(line)
    return d.result()


def nearest_wheel(diagnosis: Diagnosis, *, online: bool = False) -> Optional[Dict[str, str]]:
    """The release of ``diagnosis.failed`` nearest the one that failed that has a wheel.

    "Nearest": the lowest release at or above the version the log shows
    being built, else the highest below it; without a version, the newest.
    Needs the failed package, the Python version and the platform; returns
    ``{"version", "file"}`` or ``None`` when any of those is unknown, no index
    data is at hand (only cached data is used unless ``online``), or no
    release has a wheel.  A Linux platform whose glibc the log does not show
    is taken as manylinux2014 (glibc 2.17): a wheel found is then certain to
    install.
    """
    name, python, platform = diagnosis.failed, diagnosis.python, diagnosis.platform
    if not (name and python and platform):
        return None
    if platform.startswith("linux_"):
        platform = "manylinux_2_17_" + platform[len("linux_"):]
    try:
        from packaging.version import InvalidVersion, Version

        from generator import pep440
        from generator.index import IndexClient, IndexClientError  # type: ignore[import-not-found,unused-ignore]
        from generator.wheels import Kind, Target, release_verdicts  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:  # the index modules are optional at this layer
        logger.debug("nearest wheel unavailable: %s", exc)
        return None
    try:
        page = IndexClient(offline=not online, progress=False).fetch(name)
        verdicts = release_verdicts(page, Target.parse(python, platform))
    except (IndexClientError, ValueError) as exc:
        logger.info("no index data for %s: %s", name, exc)
        return None
    wheels: List[Tuple[Any, Any]] = []
    for verdict in verdicts:
        if verdict.kind != Kind.WHEEL or verdict.file is None:
            continue
        try:
            wheels.append((Version(str(verdict.version)), verdict))
        except InvalidVersion:
            continue
    if not wheels:
        return None
    wheels.sort(key=lambda pair: pair[0])
    failed_version = diagnosis.versions.get(name)
    chosen = wheels[-1][1]
    if failed_version:
        try:
            wanted = pep440.version(failed_version)
        except InvalidVersion:
            wanted = None
        if wanted is not None:
            above = [v for key, v in wheels if key >= wanted]
            below = [v for key, v in wheels if key < wanted]
            chosen = above[0] if above else below[-1]
    return {"version": str(chosen.version), "file": str(chosen.file.filename)}
