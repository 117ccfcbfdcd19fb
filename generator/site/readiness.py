"""Readiness pages: per CPython version and per environment, which KB package installs from wheels.

The data (:class:`ReadinessData`) is computed from index pages by
:mod:`generator.site.readiness_facts`; this module only decides what each page
shows.  It imports no index code, so views and templates stay index-free.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Tuple

from packaging.specifiers import SpecifierSet

from generator.kb import KnowledgeBase
from generator.kb.environments import Environment
from generator.site import views

INDEX = "readiness/index.md"

_SYMBOL = {"wheel": "✓", "sdist": "⚙", "none": "✗"}


@dataclass(frozen=True)
class Cell:
    """One package on one CPython version and platform tag."""

    state: str  # wheel | sdist | none: what the newest counted release installs
    text: str  # "since 2.1.0", "every release", "1.0 builds from source", ...
    sentence: str  # the full line of generator.truth.support's grammar, as the tooltip
    since: Optional[str]  # the release every later one has wheels from (None: the newest has none)

    @property
    def symbol(self) -> str:
        return _SYMBOL[self.state]


@dataclass(frozen=True)
class ReadinessData:
    packages: Tuple[str, ...]
    pythons: Tuple[str, ...]  # "3.9" ... then "3.13t" ...
    platforms: Tuple[Tuple[str, str, str], ...]  # (environment name, title, tag): the target groups
    cells: Dict[Tuple[str, str, str], Cell] = field(default_factory=dict)  # (package, python, tag)
    data_notes: Dict[str, str] = field(default_factory=dict)  # package -> "index data ... as of ..."


@dataclass(frozen=True)
class Column:
    title: str
    tag: str


class Row(NamedTuple):
    package: views.Link
    cells: Tuple[Cell, ...]


@dataclass(frozen=True)
class ReadinessView:
    """One readiness page: a package x column matrix plus what the page says around it."""

    title: str
    intro: str
    columns: Tuple[Column, ...] = ()
    rows: Tuple[Row, ...] = ()
    count_line: str = ""
    guides: Tuple[views.Link, ...] = ()
    platform: str = ""
    python_line: str = ""
    facts: Tuple[Tuple[str, str], ...] = ()
    assumptions: Tuple[str, ...] = ()
    data_note: str = ""


@dataclass(frozen=True)
class ReadinessIndex:
    pythons: Tuple[Tuple[views.Link, str], ...]  # (link, count line)
    environments: Tuple[Tuple[views.Link, str], ...]  # (link, platform tag)
    has_data: bool


def python_page(python: str) -> str:
    return f"readiness/python/{python}.md"


def environment_page(name: str) -> str:
    return f"readiness/env/{name}.md"


def package_url(name: str) -> str:
    """A package page's URL under the site root, for links in raw HTML (which MkDocs does not rewrite)."""
    return f"packages/{name}/"


def site_pythons(data: Optional[ReadinessData]) -> Tuple[str, ...]:
    """The CPython versions that get a page: the data's, else the site's own list from 3.9 on."""
    if data is not None:
        return data.pythons
    return tuple(v for v in views.PYTHON_VERSIONS if v != "3.8")


def count_line(ready: int, total: int, python: str, where: str) -> str:
    """'4 of 20 packages install from wheels for CPython 3.14 on every platform below, in their newest release.'"""
    noun = "package" if total == 1 else "packages"
    return f"{ready} of {total} {noun} install from wheels for CPython {python} {where}, in their newest release."


def _guides_for_python(kb: KnowledgeBase, python: str) -> Tuple[views.Link, ...]:
    base = python.rstrip("t")
    incidents = [r.incident for r in kb.records]
    return tuple(
        views.Link(i.title, views.guide_page(i.id))
        for i in sorted(incidents, key=lambda i: i.title.lower())
        # A free-threaded build is its version's too; versions newer than views.PYTHON_VERSIONS count.
        if not i.affects.python or SpecifierSet(i.affects.python).contains(base, prereleases=True)
    )


def python_view(python: str, kb: KnowledgeBase, data: Optional[ReadinessData]) -> ReadinessView:
    title = f"Ready for CPython {python}?"
    build = "the free-threaded build of " if python.endswith("t") else ""
    intro = (
        f"For each package the guides mention: does its newest release install from a wheel on {build}"
        f"CPython {python.rstrip('t')} on each platform, and since which release. Computed from the package index"
        " files pip would choose, not from trove classifiers."
    )
    guides = _guides_for_python(kb, python)
    if data is None or python not in data.pythons:
        return ReadinessView(title, intro, guides=guides)
    columns = tuple(Column(title, tag) for _, title, tag in data.platforms)
    rows = tuple(
        Row(views.Link(p, package_url(p)), tuple(data.cells[(p, python, c.tag)] for c in columns)) for p in data.packages
    )
    ready = sum(1 for r in rows if all(c.state == "wheel" for c in r.cells))
    line = count_line(ready, len(rows), python, "on every platform below")
    return ReadinessView(title, intro, columns, rows, line, guides, data_note=_data_note(data))


def environment_view(name: str, env: Environment, kb: KnowledgeBase, data: Optional[ReadinessData]) -> ReadinessView:
    title = env.title
    intro = f"Which packages the guides mention install from wheels on {env.title}, per CPython version, judged for platform tag {env.platform}."
    guides = tuple(
        views.Link(r.incident.title, views.guide_page(r.incident.id))
        for r in sorted(kb.records, key=lambda r: r.incident.title.lower())
        if name in r.incident.affects.platforms
    )
    facts = tuple((f.text, f.source) for f in env.facts)
    view = ReadinessView(
        title, intro, guides=guides, platform=env.platform, python_line=_python_line(env), facts=facts, assumptions=tuple(env.assumptions)
    )
    if data is None:
        return view
    columns = tuple(Column(f"CPython {p}", env.platform) for p in data.pythons)
    rows = tuple(
        Row(views.Link(p, package_url(p)), tuple(data.cells[(p, py, env.platform)] for py in data.pythons)) for p in data.packages
    )
    line = ""
    if env.python_minor is not None and env.python_minor in data.pythons:
        k = data.pythons.index(env.python_minor)
        ready = sum(1 for r in rows if r.cells[k].state == "wheel")
        line = count_line(ready, len(rows), env.python_minor, f"on {env.platform}")
    return ReadinessView(
        title, intro, columns, rows, line, guides, env.platform, view.python_line, facts, view.assumptions, _data_note(data)
    )


def _python_line(env: Environment) -> str:
    if env.python_default is None:
        return "wheelfix records no default Python for it, so the table below has a column for every CPython version these pages cover."
    moves = " (the default changes over time)" if env.python_default_changes else ""
    source = f"; it reads the version from {views.sequence_text(list(env.python_from))}" if env.python_from else ""
    return f"CPython {env.python_default} by default{moves}{source}."


def _data_note(data: ReadinessData) -> str:
    notes = sorted(set(data.data_notes.values()))
    if len(notes) == 1:
        return f"From {notes[0]}."
    return f"From {len(notes)} fetches of index data; each package's page says when its data was fetched." if notes else ""


def index_view(kb: KnowledgeBase, data: Optional[ReadinessData]) -> ReadinessIndex:
    pythons: List[Tuple[views.Link, str]] = []
    for python in reversed(site_pythons(data)):
        line = python_view(python, kb, data).count_line
        pythons.append((views.Link(f"CPython {python}", python_page(python)), line))
    envs = tuple(
        (views.Link(env.title, environment_page(name)), env.platform)
        for name, env in sorted(kb.environments.items(), key=lambda kv: (kv[1].kind, kv[0]))
    )
    return ReadinessIndex(tuple(pythons), envs, data is not None)


def package_summary(name: str, data: Optional[ReadinessData]) -> Tuple[Tuple[Column, ...], Tuple[Tuple[Column, Tuple[Cell, ...]], ...]]:
    """A package page's compact summary: (python columns, rows of (platform, cells)); a row reads by its tag."""
    if data is None or name not in data.packages:
        return (), ()
    columns = tuple(Column(f"CPython {p}", p) for p in data.pythons)
    rows = tuple((Column(title, tag), tuple(data.cells[(name, p, tag)] for p in data.pythons)) for _, title, tag in data.platforms)
    return columns, rows
