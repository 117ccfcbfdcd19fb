"""Which packages a log line names, and how: fetched, built, failed.

pip, uv and poetry name the packages they handle in fixed phrases
("Collecting X==1.2", "Building wheel for X", "Failed to build `X`" ...).
:data:`MENTION_PATTERNS` is a public contract: paste.js holds the same table
(the ``package`` condition of signatures needs it) and tests/test_paste_js.py
checks both agree.  Only the standard library is imported here.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

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
    ("named", "^(?:Downloading|Using cached|Processing) (?:[^ ]*/)?(" + _NAME + "?)-([0-9][A-Za-z0-9.+!_]*)\\.(?:tar\\.gz|zip|tar\\.bz2)", False),
    ("built", "^Building (?:wheel|editable) for (" + _NAME + ")", False),
    ("built", "^Building wheels for collected packages: (.+)$", True),
    ("built", "^Running setup\\.py (?:install|bdist_wheel|develop) for (" + _NAME + ")", False),
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
    "Processing ",
    "Building wheel",
    "Building editable",
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
    ("Downloading ", "Using cached ", "Processing "),
    ("Building wheel for ", "Building editable for "),
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
