"""Readiness from index data: for each package, CPython version and platform tag, which release has wheels.

Computed from the project pages only (pip-exact verdicts of
:mod:`generator.truth.wheels`, runs of :mod:`generator.truth.support`), never
from trove classifiers: a classifier says what a project claims, a wheel is
what pip installs.  Pure: pages in, :class:`~generator.site.readiness.ReadinessData` out.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence, Set, Tuple

from generator.index.page import ProjectPage
from generator.kb import KnowledgeBase
from generator.site import views
from generator.site.readiness import Cell, ReadinessData
from generator.truth.support import Support, sentence, support
from generator.truth.wheels import Kind, Target, cpython_builds, release_verdicts

#: The oldest CPython a readiness page is written for.
OLDEST = 9


def python_versions(pages: Sequence[ProjectPage]) -> Tuple[str, ...]:
    """3.9 up to the newest CPython any page ships wheels for (at least the site's newest), then the free-threaded builds."""
    newest = int(views.PYTHON_VERSIONS[-1].split(".")[1])
    threaded: Set[int] = set()
    for page in pages:
        regular, free = cpython_builds(page)
        newest = max([newest, *regular])
        threaded |= set(free)
    return tuple(f"3.{m}" for m in range(OLDEST, newest + 1)) + tuple(f"3.{m}t" for m in sorted(threaded))


def generic_platforms(kb: KnowledgeBase) -> Tuple[Tuple[str, str, str], ...]:
    """(environment name, title, platform tag) of the KB's generic platforms: the target groups."""
    seen: Dict[str, Tuple[str, str, str]] = {}
    for name, env in kb.environments.items():
        if env.kind == "platform":
            seen.setdefault(env.platform, (name, env.title, env.platform))
    return tuple(seen.values())


def cell(s: Support, package: str, python: str, platform: str) -> Cell:
    """One readiness cell, every word of it read from ``s`` (see :mod:`generator.truth.support`)."""
    line = sentence(s, package, python, platform)
    if s.since is not None:
        text = "every release" if s.since == s.releases[0] else f"since {s.since}"
        return Cell("wheel", text, line, str(s.since))
    newest = str(s.releases[-1]) if s.releases else ""
    if not s.releases:
        return Cell("none", "no release", line, None)
    if s.newest is Kind.SDIST:
        return Cell("sdist", f"{newest} builds from source", line, None)
    return Cell("none", f"{newest} does not install", line, None)


def compute(kb: KnowledgeBase, pages: Mapping[str, ProjectPage]) -> ReadinessData:
    """Readiness of every KB package with index data, on every generic platform and environment tag."""
    names = [n for n in views.all_packages(kb) if n in pages]
    pythons = python_versions([pages[n] for n in names])
    platforms = generic_platforms(kb)
    tags: List[str] = []
    for tag in [p[2] for p in platforms] + [env.platform for env in kb.environments.values()]:
        if tag not in tags:
            tags.append(tag)
    cells: Dict[Tuple[str, str, str], Cell] = {}
    for name in names:
        page = pages[name]
        for tag in tags:
            for python in pythons:
                column = support(release_verdicts(page, Target.parse(python, tag)))
                cells[(name, python, tag)] = cell(column, name, python, tag)
    notes = {n: views.data_as_of(pages[n].fetched_at, pages[n].index) for n in names}
    return ReadinessData(packages=tuple(names), pythons=pythons, platforms=platforms, cells=cells, data_notes=notes)
