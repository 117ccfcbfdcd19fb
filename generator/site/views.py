"""View models: every display decision for the site's pages, made in Python.

Templates only lay out what these dataclasses hold; they never decide what is
shown, in which order, or how a value reads.  Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional, Sequence, Tuple

from packaging.specifiers import SpecifierSet

from generator import REPOSITORY_URL
from generator.kb.environments import Environment
from generator.kb import KnowledgeBase
from generator.kb.records import Incident

#: The CPython minor versions the site's indexes know, oldest first.
PYTHON_VERSIONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14")


def guide_url(incident_id: str) -> str:
    """The guide's public URL path, relative to the site root."""
    return f"guides/{incident_id}/"


def guide_page(incident_id: str) -> str:
    """The guide's Markdown source path; pages link to sources so builds check links."""
    return f"guides/{incident_id}.md"


def short_url(incident_id: str) -> str:
    """The permanent link of a guide, ``e/<id>/``, which survives renames through aliases."""
    return f"e/{incident_id}/"


def package_page(name: str) -> str:
    return f"packages/{name}.md"


def edit_url(incident_id: str) -> str:
    return f"{REPOSITORY_URL}/edit/main/kb/{incident_id}.yaml"


def pythons_matching(spec: str) -> List[str]:
    """The known CPython versions a specifier set admits (all when empty)."""
    if not spec:
        return list(PYTHON_VERSIONS)
    specifier = SpecifierSet(spec)
    return [v for v in PYTHON_VERSIONS if specifier.contains(v, prereleases=True)]


def python_label(spec: str) -> str:
    """How the affected Pythons read on a page: 'CPython 3.13 and newer'."""
    versions = pythons_matching(spec)
    if not spec or versions == list(PYTHON_VERSIONS):
        return "any CPython version"
    if not versions:
        return f"CPython {spec}"
    if versions[-1] == PYTHON_VERSIONS[-1]:
        return f"CPython {versions[0]} and newer"
    if len(versions) == 1:
        return f"CPython {versions[0]}"
    return f"CPython {versions[0]} to {versions[-1]}"


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class FixView:
    number: int
    title: str
    when: str
    steps: str
    #: One line about the fix's claim ("verified against index data as of ...",
    #: or the counter-fact), or "" when the fix states no claim.
    claim_note: str = ""
    claim_ok: Optional[bool] = None
    #: The claim's requirement ("" when the fix states no claim) and where it installs
    #: from wheels: "CPython 3.13 (manylinux_2_35_x86_64)".
    claim_requirement: str = ""
    claim_targets: str = ""


@dataclass(frozen=True)
class TableCell:
    symbol: str
    state: str  # css class: wheel | sdist | none | yanked
    title: str  # tooltip: the file pip would pick, or why not


@dataclass(frozen=True)
class TableRow:
    version: str
    released: str
    cells: Tuple[TableCell, ...]


@dataclass(frozen=True)
class TableView:
    """One package's release x target matrix, as a page shows it."""

    package: str
    columns: Tuple[str, ...]
    groups: Tuple[Tuple[str, int], ...]  # (platform label, column span)
    rows: Tuple[TableRow, ...]
    summaries: Tuple[str, ...]
    data_note: str
    abridged_note: str = ""


@dataclass(frozen=True)
class GuideView:
    id: str
    title: str
    summary: str
    packages: Tuple[Link, ...]
    python: str
    platforms: Tuple[Link, ...]
    tags: Tuple[str, ...]
    symptoms: Tuple[str, ...]
    cause: str
    fixes: Tuple[FixView, ...]
    diagnostics: Tuple[Tuple[str, str], ...]
    references: Tuple[Link, ...]
    related: Tuple[Link, ...]
    edit_url: str
    short_url: str
    build_requires: Tuple[str, ...]
    tables: Tuple[TableView, ...] = ()
    upstream_note: str = ""
    data_notes: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """A heading on an index page and the guides under it."""

    key: str
    title: str
    guides: Tuple[Link, ...]
    more: Optional[Link] = None
    #: For a platform or environment: its tag, its (fact, source URL) pairs and what is assumed.
    platform: str = ""
    facts: Tuple[Tuple[str, str], ...] = ()
    assumptions: Tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexView:
    title: str
    intro: str
    groups: Tuple[Group, ...]


@dataclass(frozen=True)
class HomeView:
    guide_count: int
    package_count: int
    environment_count: int
    guides: Tuple[Tuple[Link, str], ...]  # (link, summary), newest knowledge first


@dataclass(frozen=True)
class PackageView:
    name: str
    guides: Tuple[Link, ...]
    tables: Tuple[TableView, ...] = ()
    data_note: str = ""


@dataclass
class Extras:
    """What the truth engine adds to pages; empty when it did not run."""

    tables: Dict[str, Tuple[TableView, ...]] = field(default_factory=dict)  # guide id -> tables
    package_tables: Dict[str, Tuple[TableView, ...]] = field(default_factory=dict)  # package -> full matrix
    claims: Dict[Tuple[str, int], Tuple[bool, str]] = field(default_factory=dict)  # (guide id, fix index) -> (ok, note)
    upstream: Dict[str, str] = field(default_factory=dict)  # guide id -> "fixed upstream in ..."
    data_notes: Dict[str, str] = field(default_factory=dict)  # package -> "index data as of ..."


def _link_to_guide(incident: Incident) -> Link:
    return Link(incident.title, guide_page(incident.id))


def guide_view(incident: Incident, kb: KnowledgeBase, extras: Optional[Extras] = None) -> GuideView:
    """Everything a guide page shows, decided here."""
    extras = extras or Extras()
    by_id = {r.incident.id: r.incident for r in kb.records}
    fixes = []
    for i, fix in enumerate(incident.fixes):
        ok, note = extras.claims.get((incident.id, i), (None, ""))
        requirement = targets = ""
        if fix.claim is not None:
            requirement = fix.claim.requirement
            targets = f"CPython {', '.join(fix.claim.python)} ({', '.join(fix.claim.platforms)})"
        fixes.append(FixView(i + 1, fix.title, fix.when, fix.steps.strip(), note, ok, requirement, targets))
    return GuideView(
        id=incident.id,
        title=incident.title,
        summary=incident.summary.strip(),
        packages=tuple(Link(p, package_page(p)) for p in incident.packages),
        python=python_label(incident.affects.python),
        platforms=tuple(_environment_link(name, kb.environments) for name in incident.affects.platforms),
        tags=tuple(incident.affects.tags),
        symptoms=tuple(incident.symptoms),
        cause=incident.cause.strip(),
        fixes=tuple(fixes),
        diagnostics=tuple((d.look_for, d.meaning.strip()) for d in incident.diagnostics),
        references=tuple(Link(r.title, r.url) for r in incident.references),
        related=tuple(_link_to_guide(by_id[r]) for r in incident.related if r in by_id),
        edit_url=edit_url(incident.id),
        short_url=short_url(incident.id),
        build_requires=tuple(incident.build_requires),
        tables=extras.tables.get(incident.id, ()),
        upstream_note=extras.upstream.get(incident.id, ""),
        data_notes=tuple(extras.data_notes[p] for p in incident.packages if p in extras.data_notes),
    )


def _environment_link(name: str, environments: Dict[str, Environment]) -> Link:
    env = environments.get(name)
    return Link(env.title if env else name, f"platforms/index.md#{name}")


def _incidents(kb: KnowledgeBase) -> List[Incident]:
    return [r.incident for r in kb.records]


def all_packages(kb: KnowledgeBase) -> List[str]:
    """Every package any record names, sorted."""
    return sorted({p for i in _incidents(kb) for p in i.packages})


def home_view(kb: KnowledgeBase) -> HomeView:
    incidents = _incidents(kb)
    return HomeView(
        guide_count=len(incidents),
        package_count=len(all_packages(kb)),
        environment_count=len(kb.environments),
        guides=tuple((_link_to_guide(i), i.summary.strip()) for i in sorted(incidents, key=lambda i: i.title.lower())),
    )


def guides_index(kb: KnowledgeBase) -> IndexView:
    incidents = sorted(_incidents(kb), key=lambda i: i.title.lower())
    return IndexView("All guides", "Every guide in the knowledge base, by title.", (Group("all", "", tuple(_link_to_guide(i) for i in incidents)),))


def packages_index(kb: KnowledgeBase) -> IndexView:
    groups = []
    for name in all_packages(kb):
        guides = tuple(_link_to_guide(i) for i in _incidents(kb) if name in i.packages)
        groups.append(Group(name, name, guides, Link(f"Every {name} release, with its wheels", package_page(name))))
    return IndexView("Guides by package", "The projects the guides are about. Each has a page with its full wheel table.", tuple(groups))


def python_index(kb: KnowledgeBase) -> IndexView:
    groups = []
    for version in reversed(PYTHON_VERSIONS):
        guides = tuple(_link_to_guide(i) for i in _incidents(kb) if version in pythons_matching(i.affects.python))
        if guides:
            groups.append(Group(f"python-{version.replace('.', '-')}", f"CPython {version}", guides))
    return IndexView("Guides by Python version", "Guides that apply to each CPython version.", tuple(groups))


def platforms_index(kb: KnowledgeBase) -> IndexView:
    groups = []
    for name, env in sorted(kb.environments.items(), key=lambda kv: (kv[1].kind, kv[0])):
        guides = tuple(_link_to_guide(i) for i in _incidents(kb) if name in i.affects.platforms)
        facts = tuple((f.text, f.source) for f in env.facts)
        groups.append(Group(name, env.title, guides, platform=env.platform, facts=facts, assumptions=tuple(env.assumptions)))
    return IndexView("Guides by platform or environment", "Where each failure happens, with the platform tag pip sees there.", tuple(groups))


def package_view(name: str, kb: KnowledgeBase, extras: Optional[Extras] = None) -> PackageView:
    extras = extras or Extras()
    guides = tuple(_link_to_guide(i) for i in _incidents(kb) if name in i.packages)
    return PackageView(name, guides, extras.package_tables.get(name, ()), extras.data_notes.get(name, ""))


def first_fix_line(incident: Incident) -> str:
    """The first fix in one line, for CLI output and the JSON API."""
    return incident.fixes[0].title


def data_as_of(when: datetime, index: str = "") -> str:
    """'index data from HOST/simple as of 2026-11-28 17:05 UTC' — how every table states its age and source."""
    source = f" from {index}" if index else ""
    return f"index data{source} as of {when.strftime('%Y-%m-%d %H:%M')} UTC"


def sequence_text(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] if items else ""
