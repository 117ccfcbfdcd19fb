"""Index facts for the site: wheel tables, claim checks and "fixed upstream" notes.

One pass per build: :func:`collect` fetches the project page of every package
the KB names (from a :class:`~generator.index.interface.PageSource`: the
index client, which caches) and turns each into :class:`~generator.site.facts.PackageFacts`, the
only place the truth engine is asked, or reads them from the derived-facts
cache (:mod:`generator.site.factcache`) when the page is unchanged, without
decoding it.  :func:`extras` then lays those facts out for the pages as
:class:`generator.site.views.Extras`: abridged tables, claim notes, upstream
notes.  It is pure and never reaches back into the engine or the index.

Why one module of ~410 lines: the questions the site asks (:func:`questions`)
and the layout of their answers (:func:`extras`) are two ends of one contract,
kept side by side so that a question is never asked without being laid out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from generator.errors import WheelfixError
from generator.index.interface import PageSource
from generator.index.page import PageMeta, ProjectPage
from generator.kb import KnowledgeBase
from generator.kb.records import Incident
from generator.site import views
from generator.site.readiness_facts import ASKED_PYTHONS, asked_tags, generic_platforms
from generator.site.factcache import FactCache, cache_key
from generator.site.facts import STATES, Claim, PackageFacts, Questions, package_facts, python_columns, requirement_name
from generator.truth.claims import ClaimError, check_claim, combine_upstream

__all__ = [
    "RECENT_RELEASES",
    "Report",
    "SiteFacts",
    "VerificationFailed",
    "collect",
    "compute_extras",
    "fetch_pages",
    "extras",
    "python_columns",
    "questions",
    "table",
    "verify_kb",
]

#: How many of the newest releases a guide's table always shows.
RECENT_RELEASES = 4

_SYMBOL = {"wheel": "✓", "sdist": "⚙", "none": "✗", "yanked": "⊘"}
_WORD = {"wheel": "wheel", "sdist": "builds from source", "none": "not installable", "yanked": "yanked"}


class VerificationFailed(WheelfixError):
    """A strict build found false claims or packages without index data."""

    exit_code = 1

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(problems)} problem(s) with index facts:\n" + "\n".join(problems),
            hint="fix the claims named above, or build with strict: false (plugin) / --no-strict (export) to publish anyway",
        )


@dataclass
class Report:
    """What verification found: page extras, and the problems a strict build fails on."""

    extras: views.Extras = field(default_factory=views.Extras)
    problems: List[str] = field(default_factory=list)


@dataclass
class SiteFacts:
    """The facts pass of one build: each package's facts and page meta, and the packages without data."""

    packages: Dict[str, PackageFacts] = field(default_factory=dict)
    pages: Dict[str, PageMeta] = field(default_factory=dict)
    problems: List[str] = field(default_factory=list)


def default_platforms(kb: KnowledgeBase) -> List[Tuple[str, str]]:
    """(label, platform tag) for the package pages: every generic platform in the KB."""
    return [(title, tag) for _name, title, tag in generic_platforms(kb)]


def guide_platforms(kb: KnowledgeBase, names: Sequence[str]) -> List[Tuple[str, str]]:
    """(label, platform tag) for a guide: its environments' tags, else the generic Linux one."""
    seen: Dict[str, str] = {}
    for name in names:
        env = kb.environments.get(name)
        if env is not None:
            seen.setdefault(env.platform, env.title)
    if not seen:
        return default_platforms(kb)[:1]
    return [(title, tag) for tag, title in seen.items()]


def _claim(requirement: str, pythons: Sequence[str], platforms: Sequence[str]) -> Claim:
    return Claim(requirement, tuple(pythons), tuple(platforms))


def questions(kb: KnowledgeBase) -> Dict[str, Questions]:
    """What the site asks about each package: the packages the records name, then those only claims name."""
    tags: Dict[str, Dict[str, None]] = {name: {} for name in views.all_packages(kb)}
    claims: Dict[str, Dict[Claim, None]] = {}
    for rec in kb.records:
        incident = rec.incident
        for fix in incident.fixes:
            if fix.claim is not None:
                name = requirement_name(fix.claim.requirement)
                tags.setdefault(name, {})
                claims.setdefault(name, {})[_claim(fix.claim.requirement, fix.claim.python, fix.claim.platforms)] = None
    default = [tag for _, tag in default_platforms(kb)]
    for name in tags:
        tags[name].update(dict.fromkeys(default))
    for rec in kb.records:
        incident = rec.incident
        guide = [tag for _, tag in guide_platforms(kb, incident.affects.platforms)]
        for name in [*incident.packages, *incident.affects.packages]:
            if name in tags:
                tags[name].update(dict.fromkeys(guide))
    # Sorted: the questions are part of the facts' cache key, which must not depend on record order.
    mentioned = views.all_packages(kb)
    readiness = asked_tags(kb)
    return {
        name: Questions(
            tuple(sorted(tags[name])),
            tuple(sorted(claims.get(name, {}), key=repr)),
            readiness_pythons=ASKED_PYTHONS if name in mentioned else (),
            readiness_tags=readiness if name in mentioned else (),
        )
        for name in mentioned + sorted(set(tags) - set(mentioned))
    }


def collect(kb: KnowledgeBase, client: PageSource, cache: Optional[FactCache] = None) -> SiteFacts:
    """Every package's facts: from ``cache`` when its page is unchanged (its JSON left unread), else computed."""
    asked = questions(kb)
    found = SiteFacts()

    def known(meta: PageMeta) -> bool:
        # Called by the client's workers, before it decodes a page it serves from its cache.
        wanted = asked.get(meta.name)
        if cache is None or wanted is None:
            return False
        cached = cache.load(meta.name, wanted, cache_key(meta.name, meta.digest, wanted))
        if cached is not None:
            found.packages[meta.name] = cached
        return cached is not None

    for name, result in client.fetch_many(list(asked), known=known).items():
        if isinstance(result, ProjectPage):
            found.packages[name] = package_facts(result, asked[name])
            found.pages[name] = result.meta
            if cache is not None:
                cache.store(cache_key(name, result.digest, asked[name]), found.packages[name])
        elif isinstance(result, PageMeta):
            found.pages[name] = result
        else:
            found.problems.append(_no_data(kb, name, result))
    # Cache hits arrive as the client's workers finish; keep the order of the questions.
    found.packages = {name: found.packages[name] for name in asked if name in found.packages}
    return found


def fetch_pages(kb: KnowledgeBase, client: PageSource) -> Tuple[Dict[str, ProjectPage], List[str]]:
    """Every page the KB asks about, decoded (for callers that read pages, not facts: refresh, summary)."""
    pages: Dict[str, ProjectPage] = {}
    problems: List[str] = []
    for name, result in client.fetch_many(list(questions(kb)), known=lambda meta: False).items():
        if isinstance(result, ProjectPage):
            pages[name] = result
        else:
            problems.append(_no_data(kb, name, result))
    return pages, problems


def _no_data(kb: KnowledgeBase, name: str, result: object) -> str:
    """The problem of a package without index data, on the first record naming it."""
    owners = [r.display for r in kb.records if name in r.incident.packages]
    return f"{owners[0] if owners else 'kb/'}: packages: {result}"


def from_pages(kb: KnowledgeBase, pages: Mapping[str, ProjectPage]) -> SiteFacts:
    """The facts of pages already fetched (no cache).  Pure."""
    asked = questions(kb)
    found = SiteFacts()
    for name, page in pages.items():
        found.packages[name] = package_facts(page, asked.get(name, Questions(tuple(tag for _, tag in default_platforms(kb)))))
        found.pages[name] = page.meta
    return found


def _cell(letter: str, file: str) -> views.TableCell:
    if letter == "-":
        return views.TableCell(_SYMBOL["none"], "none", "no files for this release")
    state = STATES[letter]
    return views.TableCell(_SYMBOL[state], state, f"{_WORD[state]}: {file or 'no file pip can install here'}")


def full_rows(facts: PackageFacts, platform: str) -> Tuple[views.TableRow, ...]:
    """Every release's row on ``platform``, oldest first; abridged tables pick from these."""
    on = facts.platforms[platform]
    cells: Dict[Tuple[str, str], views.TableCell] = {}  # many cells repeat (pure-Python and abi3 wheels)

    def cell(letter: str, file: str) -> views.TableCell:
        found = cells.get((letter, file))
        if found is None:
            found = cells[(letter, file)] = _cell(letter, file)
        return found

    return tuple(
        views.TableRow(version, facts.released[i], tuple(map(cell, on.states[i], on.files[i]))) for i, version in enumerate(facts.releases)
    )


def table_view(
    facts: PackageFacts,
    label: str,
    platform: str,
    data_note: str,
    *,
    abridge: bool,
    mentioned: Sequence[str] = (),
    rows: Optional[Sequence[views.TableRow]] = None,
) -> views.TableView:
    """One package x one platform: releases (rows) x CPython versions (columns).

    Abridged tables keep the newest releases, each release where support
    changed and the one just before it, and the versions in ``mentioned``.
    ``rows`` are :func:`full_rows` when the caller has them already.
    """
    every = full_rows(facts, platform) if rows is None else rows
    versions = list(facts.releases)
    shown = _rows(versions, facts.platforms[platform].states, mentioned) if abridge else list(range(len(versions)))
    note = f"{len(shown)} of {len(versions)} releases: the newest and every one where support changed" if abridge and len(shown) < len(versions) else ""
    return views.TableView(
        package=facts.name,
        columns=facts.columns,
        groups=((f"{label} ({platform})", len(facts.columns)),),
        rows=tuple(every[i] for i in reversed(shown)),
        summaries=facts.platforms[platform].summaries,
        data_note=data_note,
        abridged_note=note,
    )


def table(page: ProjectPage, label: str, platform: str, *, abridge: bool, mentioned: Sequence[str] = ()) -> views.TableView:
    """:func:`table_view` of one page on one platform, facts and all (for ``wheelfix`` tools and tests)."""
    found = package_facts(page, Questions((platform,)))
    return table_view(found, label, platform, _data_note(page.meta, found), abridge=abridge, mentioned=mentioned)


def _rows(versions: List[str], states: Sequence[str], mentioned: Sequence[str]) -> List[int]:
    """Which releases (indexes into ``versions``) an abridged table shows (see :func:`table_view`)."""
    keep = set(range(max(0, len(versions) - RECENT_RELEASES), len(versions)))
    mentioned_versions = {str(Version(m)) for m in mentioned if _is_version(m)}
    previous = None
    for i, version in enumerate(versions):
        row = states[i].replace("-", "n")  # no verdict reads as "none", like a release that installs nothing
        if row != previous:
            keep.add(i)
            if i > 0:
                keep.add(i - 1)  # the last release before the change
        if version in mentioned_versions:
            keep.add(i)
        previous = row
    return sorted(keep)


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def mentioned_versions(incident: Incident, package: str) -> List[str]:
    """Versions of ``package`` a record names in its specifiers and claims."""
    specs = []
    if package in incident.affects.packages:
        specs.append(incident.affects.packages[package])
    for fix in incident.fixes:
        if fix.claim is not None and requirement_name(fix.claim.requirement) == package:
            specs.append(str(Requirement(fix.claim.requirement).specifier))
    return [spec.version for text in specs for spec in SpecifierSet(text)]


def _data_note(meta: PageMeta, facts: PackageFacts) -> str:
    # The header's serial when the index sent one; else the one the page's JSON gave.
    serial_value = meta.last_serial if meta.last_serial is not None else facts.serial
    serial = f", index serial {serial_value}" if serial_value is not None else ""
    return f"{views.data_as_of(meta.fetched_at, meta.index)}{serial}."


def extras(kb: KnowledgeBase, found: SiteFacts) -> Report:
    """Tables, claim checks and upstream notes, laid out from the facts.  Pure."""
    report = Report()
    out = report.extras
    tables: Dict[Tuple[str, str, str, Tuple[str, ...]], views.TableView] = {}
    rows: Dict[Tuple[str, str], Tuple[views.TableRow, ...]] = {}

    def every_row(name: str, tag: str) -> Tuple[views.TableRow, ...]:
        if (name, tag) not in rows:
            rows[(name, tag)] = full_rows(found.packages[name], tag)
        return rows[(name, tag)]

    def guide_table(name: str, label: str, tag: str, mentioned: List[str]) -> views.TableView:
        # Guides about the same package and platform share their table; build it once.
        key = (name, label, tag, tuple(mentioned))
        if key not in tables:
            facts = found.packages[name]
            tables[key] = table_view(facts, label, tag, out.data_notes[name], abridge=True, mentioned=mentioned, rows=every_row(name, tag))
        return tables[key]

    for name, facts in found.packages.items():
        out.data_notes[name] = _data_note(found.pages[name], facts)
        out.package_tables[name] = tuple(
            table_view(facts, label, tag, out.data_notes[name], abridge=False, rows=every_row(name, tag)) for label, tag in default_platforms(kb)
        )
    for rec in kb.records:
        incident = rec.incident
        platforms = guide_platforms(kb, incident.affects.platforms)
        out.tables[incident.id] = tuple(
            guide_table(p, label, tag, mentioned_versions(incident, p))
            for p in incident.packages
            if p in found.packages
            for label, tag in platforms
        )
        for i, fix in enumerate(incident.fixes):
            if fix.claim is None:
                continue
            name = requirement_name(fix.claim.requirement)
            claimed = found.packages.get(name)
            result = claimed.claims.get(_claim(fix.claim.requirement, fix.claim.python, fix.claim.platforms)) if claimed else None
            if result is None or result.error:
                report.problems.append(f"{rec.display}: fixes[{i}].claim: {result.error if result else _unchecked(fix.claim.requirement)}")
                continue
            if result.holds:
                meta = found.pages[name]
                out.claims[(incident.id, i)] = (True, f"verified against {views.data_as_of(meta.fetched_at, meta.index)}")
            else:
                out.claims[(incident.id, i)] = (False, "; ".join(result.failures))
                line, col = rec.positions.of(("fixes", i, "claim", "requirement"))
                for failure in result.failures:
                    report.problems.append(f"{rec.display}:{line}:{col}: fixes[{i}].claim: {failure}")
        out.upstream.update(_upstream(kb, incident, found.packages))
    return report


def _unchecked(requirement: str) -> str:
    """Why a claim about a package without index data cannot be checked: the engine's own words."""
    try:
        check_claim(requirement, ["3"], [], {})
    except ClaimError as exc:
        return str(exc)
    return f"no index data to check the claim {requirement!r}"  # pragma: no cover - check_claim always raises here


def _upstream(kb: KnowledgeBase, incident: Incident, packages: Mapping[str, PackageFacts]) -> Dict[str, str]:
    """'Fixed upstream in tiktoken 0.8.0, released 2024-10-03, for CPython 3.13', per affected Python.

    Said only when the newest release serves every affected Python and platform
    with wheels (:func:`generator.truth.claims.fixed_upstream`, from the facts
    of each target); each Python is reported separately because support arrives
    release by release (3.13 and 3.14 wheels rarely land together).
    """
    tags = [tag for _, tag in guide_platforms(kb, incident.affects.platforms)]
    affected = SpecifierSet(incident.affects.python)
    notes = []
    for package in incident.affects.packages:
        facts = packages.get(package)
        if facts is None:
            continue
        parts: Dict[str, List[str]] = {}
        for python in [c for c in facts.regular_columns if affected.contains(c, prereleases=True)]:
            if int(python.split(".")[1]) not in facts.minors or not tags:
                return {}  # no wheels for this CPython at all: not fixed
            found = combine_upstream([facts.upstream(python, tag) for tag in tags])
            if found is None:
                return {}  # some affected target still builds from source: not fixed
            version, when = found
            released = f", released {when.strftime('%Y-%m-%d')}" if when else ""
            parts.setdefault(f"{package} {version}{released},", []).append(python)
        if parts:
            notes.append("; ".join(f"in {what} for CPython {views.sequence_text(pys)}" for what, pys in parts.items()))
    return {incident.id: "Fixed upstream " + "; ".join(notes) + "."} if notes else {}


def compute_extras(kb: KnowledgeBase, pages: Mapping[str, ProjectPage]) -> Report:
    """Tables, claim checks and upstream notes from fetched pages.  Pure."""
    return extras(kb, from_pages(kb, pages))


def verify_kb(kb: KnowledgeBase, client: PageSource, cache: Optional[FactCache] = None) -> Report:
    """Fetch what the KB needs and verify it; problems are returned, not raised."""
    found = collect(kb, client, cache)
    report = extras(kb, found)
    report.problems[:0] = found.problems
    return report
