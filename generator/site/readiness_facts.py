"""Readiness from index data: for each package, CPython version and platform tag, which release has wheels.

Computed from the project pages only (pip-exact verdicts of
:mod:`generator.truth.wheels`, runs of :mod:`generator.truth.support`), never
from trove classifiers: a classifier says what a project claims, a wheel is
what pip installs.  The cells are questions of the build's one facts pass
(:mod:`generator.site.facts`), so a warm build reads them from the facts cache
without decoding index JSON.  Pure: facts in, :class:`~generator.site.readiness.ReadinessData` out.
"""

from __future__ import annotations

from typing import Dict, Mapping, Tuple

from generator.index.page import PageMeta, ProjectPage
from generator.kb import KnowledgeBase
from generator.site import views
from generator.site.facts import PackageFacts, Questions, package_facts, readiness_cell
from generator.site.readiness import Cell, ReadinessData
from generator.truth.support import Support

#: The oldest CPython a readiness page is written for.
OLDEST = 9
_SITE_NEWEST = int(views.PYTHON_VERSIONS[-1].split(".")[1])
#: The CPythons asked of every package: past the site's newest, so that a prerelease's
#: wheels show; pages are written only for those with wheels (see :func:`from_facts`).
ASKED_PYTHONS: Tuple[str, ...] = tuple(f"3.{m}" for m in range(OLDEST, _SITE_NEWEST + 3)) + tuple(
    f"3.{m}t" for m in range(13, _SITE_NEWEST + 3)
)


def generic_platforms(kb: KnowledgeBase) -> Tuple[Tuple[str, str, str], ...]:
    """(environment name, title, platform tag) of the KB's generic platforms: the target groups."""
    seen: Dict[str, Tuple[str, str, str]] = {}
    for name, env in kb.environments.items():
        if env.kind == "platform":
            seen.setdefault(env.platform, (name, env.title, env.platform))
    return tuple(seen.values())


def asked_tags(kb: KnowledgeBase) -> Tuple[str, ...]:
    """The generic platforms' tags, then every environment's: the tags readiness asks about."""
    tags: Dict[str, None] = {}
    for tag in [p[2] for p in generic_platforms(kb)] + [env.platform for env in kb.environments.values()]:
        tags.setdefault(tag, None)
    return tuple(tags)


def cell(s: Support, package: str, python: str, platform: str) -> Cell:
    """One readiness cell, every word of it read from ``s`` (see :mod:`generator.truth.support`)."""
    state, text, line, since = readiness_cell(s, package, python, platform)
    return Cell(state, text, line, since or None)


def python_versions(packages: Mapping[str, PackageFacts]) -> Tuple[str, ...]:
    """3.9 up to the newest CPython any package has table columns for (at least the site's newest), then the free-threaded builds."""
    newest = _SITE_NEWEST
    threaded: Dict[int, None] = {}
    for facts in packages.values():
        for column in facts.columns:
            minor = int(column.rstrip("t").split(".")[1])
            if column.endswith("t"):
                threaded[minor] = None
            else:
                newest = max(newest, minor)
    asked = set(ASKED_PYTHONS)
    regular = [f"3.{m}" for m in range(OLDEST, newest + 1)]
    return tuple(p for p in regular + [f"3.{m}t" for m in sorted(threaded)] if p in asked)


def from_facts(kb: KnowledgeBase, packages: Mapping[str, PackageFacts], metas: Mapping[str, PageMeta]) -> ReadinessData:
    """Readiness of every KB package with facts, on every generic platform and environment tag."""
    names = [n for n in views.all_packages(kb) if n in packages and packages[n].readiness]
    pythons = python_versions({n: packages[n] for n in names})
    tags = asked_tags(kb)
    cells: Dict[Tuple[str, str, str], Cell] = {}
    for name in names:
        found = packages[name]
        for t, tag in enumerate(tags):
            for python in pythons:
                state, text, line, since = found.readiness[t * len(ASKED_PYTHONS) + ASKED_PYTHONS.index(python)]
                cells[(name, python, tag)] = Cell(state, text, line, since or None)
    notes = {n: views.data_as_of(metas[n].fetched_at, metas[n].index) for n in names if n in metas}
    return ReadinessData(packages=tuple(names), pythons=pythons, platforms=generic_platforms(kb), cells=cells, data_notes=notes)


def compute(kb: KnowledgeBase, pages: Mapping[str, ProjectPage]) -> ReadinessData:
    """:func:`from_facts` of pages already fetched (no cache).  Pure."""
    asked = Questions((), readiness_pythons=ASKED_PYTHONS, readiness_tags=asked_tags(kb))
    names = [n for n in views.all_packages(kb) if n in pages]
    return from_facts(kb, {n: package_facts(pages[n], asked) for n in names}, {n: pages[n].meta for n in names})
