"""The home page, for a reader whose deploy is failing: search, paste, families of failures, what changed.

Families are read from each record's tags (:data:`FAMILIES`, first match wins) and
shown with the largest family first.  "New guides" come from the date each record
was first committed (:mod:`generator.site.history`); "claims that flipped" from the
comparison of this build's claims with the previous build's
(:mod:`generator.site.changes`).  Either list is left out when its data is missing,
rather than guessed.  Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Dict, FrozenSet, List, Optional, Tuple

from generator import REPOSITORY_URL
from generator.kb import KnowledgeBase
from generator.kb.records import Incident
from generator.site import views

#: (key, title, tags): a guide belongs to the first family whose tags it carries.
FAMILIES: Tuple[Tuple[str, str, FrozenSet[str]], ...] = (
    ("removed", "Removed from Python or setuptools", frozenset({"stdlib-removal", "distutils", "pkg-resources", "removed-feature", "python-2-era"})),
    ("rust", "Rust builds: cargo, maturin and PyO3", frozenset({"rust", "cargo", "maturin", "pyo3", "setuptools-rust"})),
    ("platform", "Platforms without wheels: musl, ARM, old glibc", frozenset({"platform-tags", "musl", "alpine", "arm", "raspberry-pi"})),
    ("new-python", "No wheel yet for a new Python", frozenset({"new-python", "pep-703"})),
    ("c-build", "C builds: compilers, headers and system libraries", frozenset({"c-extension", "system-library", "compiler", "cython"})),
    ("tools", "pip, uv and the environment", frozenset({"pip", "uv", "poetry", "resolver", "requires-python", "proxy", "offline", "setuptools", "setup-py", "only-binary"})),
)
OTHER = ("other", "Other failures")
#: Guides listed per family on the home page; the rest are a link away.
PER_FAMILY = 5
#: New guides listed.
RECENT = 5
#: How the command is installed until it is on the package index.
INSTALL = f"pipx install git+{REPOSITORY_URL}"


@dataclass(frozen=True)
class Flip:
    """A claim whose verdict changed between the previous build and this one."""

    guide: str
    fix: int  # 1-based, as the guide numbers its fixes
    requirement: str
    holds: bool  # now


@dataclass(frozen=True)
class HomeFacts:
    """What the home page needs beyond the records; every part optional."""

    added: Dict[str, date] = field(default_factory=dict)  # guide id -> date its record was first committed
    flips: Optional[Tuple[Flip, ...]] = None  # None: this build was not compared with a previous one


@dataclass(frozen=True)
class Family:
    key: str
    title: str
    count: int
    guides: Tuple[views.Link, ...]  # the first PER_FAMILY, by title


@dataclass(frozen=True)
class FlipView:
    guide: views.Link
    fix: int
    requirement: str
    now: str  # "now holds" / "no longer holds"


@dataclass(frozen=True)
class HomePage:
    guide_count: int
    package_count: int
    environment_count: int
    families: Tuple[Family, ...]
    recent: Tuple[Tuple[views.Link, str], ...]  # (guide, "2026-11-30"), newest first; () when unknown
    flips: Optional[Tuple[FlipView, ...]]
    install: str = INSTALL


def family_of(incident: Incident) -> Tuple[str, str]:
    """(key, title) of the first family whose tags the record carries, else :data:`OTHER`."""
    tags = set(incident.affects.tags)
    for key, title, wanted in FAMILIES:
        if tags & wanted:
            return key, title
    return OTHER


def _link(incident: Incident) -> views.Link:
    return views.Link(incident.title, views.guide_page(incident.id))


def families(kb: KnowledgeBase) -> Tuple[Family, ...]:
    """Every family with at least one guide, the largest first (ties in :data:`FAMILIES` order)."""
    members: Dict[Tuple[str, str], List[Incident]] = {}
    for rec in kb.records:
        members.setdefault(family_of(rec.incident), []).append(rec.incident)
    order = [(k, t) for k, t, _ in FAMILIES] + [OTHER]
    ranked = sorted(members, key=lambda f: (-len(members[f]), order.index(f)))
    out = []
    for key, title in ranked:
        guides = sorted(members[(key, title)], key=lambda i: i.title.lower())
        out.append(Family(key, title, len(guides), tuple(_link(i) for i in guides[:PER_FAMILY])))
    return tuple(out)


def home_page(kb: KnowledgeBase, facts: Optional[HomeFacts] = None) -> HomePage:
    facts = facts or HomeFacts()
    by_id = {r.incident.id: r.incident for r in kb.records}
    dated = sorted(((when, gid) for gid, when in facts.added.items() if gid in by_id), key=lambda p: (p[0], p[1]), reverse=True)
    recent = tuple((_link(by_id[gid]), when.isoformat()) for when, gid in dated[:RECENT])
    flips = None
    if facts.flips is not None:
        flips = tuple(
            FlipView(_link(by_id[f.guide]), f.fix, f.requirement, "now holds" if f.holds else "no longer holds")
            for f in facts.flips
            if f.guide in by_id
        )
    return HomePage(
        guide_count=len(kb.records),
        package_count=len(views.all_packages(kb)),
        environment_count=len(kb.environments),
        families=families(kb),
        recent=recent,
        flips=flips,
    )
