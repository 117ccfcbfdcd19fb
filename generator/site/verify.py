"""Index facts for the site: wheel tables, claim checks and "fixed upstream" notes.

It fetches the project pages of every package the KB names (through
:class:`generator.index.IndexClient`, which caches), judges each release with
:mod:`generator.truth.wheels`, checks each claim with :mod:`generator.truth.claims`, and
turns the results into :class:`generator.site.views.Extras` for the pages.  The
judging itself is pure (:func:`compute_extras`); only :func:`fetch_pages` does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from generator.site import views
from generator.truth.claims import ClaimError, check_claim, fixed_upstream
from generator.errors import WheelfixError
from generator.index.page import ProjectPage
from generator.kb import KnowledgeBase
from generator.kb.records import Incident
from generator.truth.support import YANKED_NOTE, sentence, support
from generator.truth.wheels import Target, Verdict, cpython_builds, release_verdicts

if TYPE_CHECKING:
    from generator.index.client import IndexClient


#: How many of the newest releases a guide's table always shows.
RECENT_RELEASES = 4
#: CPython versions before this are not shown as table columns.
OLDEST_COLUMN = 8

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


def fetch_pages(kb: KnowledgeBase, client: "IndexClient") -> Tuple[Dict[str, ProjectPage], List[str]]:
    """Every package's project page; problems name each package without data and why."""
    names = views.all_packages(kb) + sorted(
        {_requirement_name(f.claim.requirement) for r in kb.records for f in r.incident.fixes if f.claim} - set(views.all_packages(kb))
    )
    pages: Dict[str, ProjectPage] = {}
    problems: List[str] = []
    for name, result in client.fetch_many(names).items():
        if isinstance(result, ProjectPage):
            pages[name] = result
        else:
            owners = [r.display for r in kb.records if name in r.incident.packages]
            where = owners[0] if owners else "kb/"
            problems.append(f"{where}: packages: {result}")
    return pages, problems


def _requirement_name(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


def default_platforms(kb: KnowledgeBase) -> List[Tuple[str, str]]:
    """(label, platform tag) for the package pages: every generic platform in the KB."""
    seen: Dict[str, str] = {}
    for env in kb.environments.values():
        if env.kind == "platform":
            seen.setdefault(env.platform, env.title)
    return [(title, tag) for tag, title in seen.items()]


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


def python_columns(page: ProjectPage) -> List[str]:
    """CPython columns: 3.8 up to the newest with a wheel, plus free-threaded ones with wheels."""
    regular, threaded = cpython_builds(page)
    newest = max(regular | threaded | {12})  # pure-Python projects: up to a current CPython
    columns = [f"3.{m}" for m in range(OLDEST_COLUMN, newest + 1)]
    columns += [f"3.{m}t" for m in sorted(threaded)]
    return columns


def _state(v: Verdict) -> str:
    return "yanked" if v.yanked else v.kind.value


def _cell(v: Optional[Verdict]) -> views.TableCell:
    if v is None:
        return views.TableCell(_SYMBOL["none"], "none", "no files for this release")
    state = _state(v)
    detail = v.file.filename if v.file is not None else "no file pip can install here"
    return views.TableCell(_SYMBOL[state], state, f"{_WORD[state]}: {detail}")


def table(page: ProjectPage, label: str, platform: str, *, abridge: bool, mentioned: Sequence[str] = ()) -> views.TableView:
    """One package x one platform: releases (rows) x CPython versions (columns).

    Abridged tables keep the newest releases, each release where support
    changed and the one just before it, and the versions in ``mentioned``.
    """
    columns = python_columns(page)
    per_column: Dict[str, Dict[str, Verdict]] = {}
    summaries = []
    yanked = False
    for python in columns:
        target = Target.parse(python, platform)
        verdicts = release_verdicts(page, target)
        per_column[python] = {str(v.version): v for v in verdicts}
        column = support(verdicts)
        summaries.append(sentence(column, page.name, python, platform))
        yanked = yanked or column.yanked > 0
    if yanked:
        summaries.append(YANKED_NOTE)
    # Every target gets one verdict per release, so any column lists the releases.
    versions = [str(v.version) for v in verdicts if not v.version.is_prerelease]
    rows_versions = _rows(versions, per_column, columns, mentioned) if abridge else versions
    rows = []
    for version in reversed(rows_versions):
        cells = tuple(_cell(per_column[c].get(version)) for c in columns)
        uploaded = next((per_column[c][version].upload_time for c in columns if version in per_column[c]), None)
        rows.append(views.TableRow(version, uploaded.strftime("%Y-%m-%d") if uploaded else "unknown", cells))
    shown = len(rows_versions)
    note = f"{shown} of {len(versions)} releases: the newest and every one where support changed" if abridge and shown < len(versions) else ""
    return views.TableView(
        package=page.name,
        columns=tuple(columns),
        groups=((f"{label} ({platform})", len(columns)),),
        rows=tuple(rows),
        summaries=tuple(summaries),
        data_note=_data_note(page),
        abridged_note=note,
    )


def _rows(versions: List[str], per_column: Mapping[str, Mapping[str, Verdict]], columns: Sequence[str], mentioned: Sequence[str]) -> List[str]:
    """Which releases an abridged table shows (see :func:`table`)."""
    keep = set(versions[-RECENT_RELEASES:])
    mentioned_versions = {str(Version(m)) for m in mentioned if _is_version(m)}
    previous = None
    for i, version in enumerate(versions):
        row = tuple(_state(per_column[c][version]) if version in per_column[c] else "none" for c in columns)
        if row != previous:
            keep.add(version)
            if i > 0:
                keep.add(versions[i - 1])  # the last release before the change
        if version in mentioned_versions:
            keep.add(version)
        previous = row
    return [v for v in versions if v in keep]


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
        if fix.claim is not None and _requirement_name(fix.claim.requirement) == package:
            specs.append(str(Requirement(fix.claim.requirement).specifier))
    return [spec.version for text in specs for spec in SpecifierSet(text)]


def _data_note(page: ProjectPage) -> str:
    serial = f", index serial {page.last_serial}" if page.last_serial is not None else ""
    return f"{views.data_as_of(page.fetched_at, page.index)}{serial}."


def compute_extras(kb: KnowledgeBase, pages: Mapping[str, ProjectPage]) -> Report:
    """Tables, claim checks and upstream notes from fetched pages.  Pure."""
    report = Report()
    extras = report.extras
    tables: Dict[Tuple[str, str, str, Tuple[str, ...]], views.TableView] = {}

    def guide_table(page: ProjectPage, label: str, tag: str, mentioned: List[str]) -> views.TableView:
        # Guides about the same package and platform share their table; build it once.
        key = (page.name, label, tag, tuple(mentioned))
        if key not in tables:
            tables[key] = table(page, label, tag, abridge=True, mentioned=mentioned)
        return tables[key]

    for name, page in pages.items():
        extras.data_notes[name] = _data_note(page)
        extras.package_tables[name] = tuple(table(page, label, tag, abridge=False) for label, tag in default_platforms(kb))
    for rec in kb.records:
        incident = rec.incident
        platforms = guide_platforms(kb, incident.affects.platforms)
        extras.tables[incident.id] = tuple(
            guide_table(pages[p], label, tag, mentioned_versions(incident, p))
            for p in incident.packages
            if p in pages
            for label, tag in platforms
        )
        for i, fix in enumerate(incident.fixes):
            if fix.claim is None:
                continue
            try:
                result = check_claim(fix.claim.requirement, fix.claim.python, fix.claim.platforms, pages)
            except ClaimError as exc:
                report.problems.append(f"{rec.display}: fixes[{i}].claim: {exc}")
                continue
            name = _requirement_name(fix.claim.requirement)
            as_of = views.data_as_of(pages[name].fetched_at, pages[name].index) if name in pages else ""
            if result.holds:
                extras.claims[(incident.id, i)] = (True, f"verified against {as_of}")
            else:
                extras.claims[(incident.id, i)] = (False, "; ".join(result.failures))
                line, col = rec.positions.of(("fixes", i, "claim", "requirement"))
                for failure in result.failures:
                    report.problems.append(f"{rec.display}:{line}:{col}: fixes[{i}].claim: {failure}")
        extras.upstream.update(_upstream(kb, incident, pages))
    return report


def _upstream(kb: KnowledgeBase, incident: Incident, pages: Mapping[str, ProjectPage]) -> Dict[str, str]:
    """'Fixed upstream in tiktoken 0.8.0, released 2024-10-03, for CPython 3.13', per affected Python.

    Said only when the newest release serves every affected Python and platform
    with wheels; each Python is reported separately because support arrives
    release by release (3.13 and 3.14 wheels rarely land together).
    """
    tags = [tag for _, tag in guide_platforms(kb, incident.affects.platforms)]
    affected = SpecifierSet(incident.affects.python)
    notes = []
    for package in incident.affects.packages:
        page = pages.get(package)
        if page is None:
            continue
        parts: Dict[str, List[str]] = {}
        for python in [c for c in python_columns(page) if not c.endswith("t") and affected.contains(c, prereleases=True)]:
            found = fixed_upstream(package, SpecifierSet(f"=={python}.*"), tags, page)
            if found is None:
                return {}  # some affected target still builds from source: not fixed
            version, when = found
            released = f", released {when.strftime('%Y-%m-%d')}" if when else ""
            parts.setdefault(f"{package} {version}{released},", []).append(python)
        if parts:
            notes.append("; ".join(f"in {what} for CPython {views.sequence_text(pys)}" for what, pys in parts.items()))
    return {incident.id: "Fixed upstream " + "; ".join(notes) + "."} if notes else {}


def verify_kb(kb: KnowledgeBase, client: "IndexClient") -> Report:
    """Fetch what the KB needs and verify it; problems are returned, not raised."""
    pages, problems = fetch_pages(kb, client)
    report = compute_extras(kb, pages)
    report.problems[:0] = problems
    return report
