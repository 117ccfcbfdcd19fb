"""What the daily refresh reports: records whose facts changed under them.

Two kinds of finding, each with the counter-fact taken from index data:

* a fix's claim that no longer holds (the failures :mod:`generator.site.verify`
  found, with their file and line);
* an affected range that upstream now serves with wheels: for a record about
  a source build (tagged ``build-from-source``), the release from which every
  affected CPython and platform of the record installs a wheel lies inside
  the record's own ``affects.packages`` specifier, so the record still calls
  releases affected that install a wheel everywhere it applies.  Records about
  other failures (an old pip, a removed module) are not judged by wheels.

One :class:`Finding` per record, whatever it holds, so that a workflow can keep
one issue per record under a stable title.  Pure: pages come in, findings go out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from generator.index.page import ProjectPage
from generator.kb import KnowledgeBase
from generator.kb.records import LoadedRecord
from generator.site import views
from generator.site.verify import Report, guide_platforms
from generator.truth.claims import ClaimError, fixed_upstream

#: Every issue the refresh opens carries this label; with the title it keys the issue.
LABEL = "wheelfix-refresh"
TITLE_PREFIX = "Refresh: "
#: The tag of records whose failure is a source build, the ones wheels can fix.
SOURCE_BUILD_TAG = "build-from-source"


@dataclass(frozen=True)
class Fact:
    """One counter-fact: where in the record, and what the index now says."""

    kind: str  # "claim" | "fixed-upstream"
    line: int
    message: str


@dataclass(frozen=True)
class Finding:
    """Everything the refresh found about one record."""

    record: str
    file: str
    facts: Tuple[Fact, ...]

    @property
    def title(self) -> str:
        return f"{TITLE_PREFIX}{self.record}"

    def body(self) -> str:
        """The issue body: Markdown, the counter-facts quoted as code so that no record text renders."""
        lines = [
            f"The daily refresh found that index data no longer matches {_code(self.file)}.",
            "",
        ]
        for fact in self.facts:
            what = "Claim no longer holds" if fact.kind == "claim" else "Fixed upstream inside the affected range"
            lines.append(f"- **{what}** ({_code(self.file)} line {fact.line}): {_code(fact.message)}")
        lines += ["", "Update the record (or its claim), then close this issue. This issue is updated by the daily refresh."]
        return "\n".join(lines) + "\n"

    def as_json(self) -> Dict[str, Any]:
        return {
            "record": self.record,
            "file": self.file,
            "title": self.title,
            "label": LABEL,
            "body": self.body(),
            "facts": [{"kind": f.kind, "line": f.line, "message": f.message} for f in self.facts],
        }


def _code(text: str) -> str:
    # Inline code cannot hold a backtick run longer than its fence; use one longer than any inside.
    fence = "`" * (max(_backtick_runs(text), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace(chr(10), ' ')}{pad}{fence}"


def _backtick_runs(text: str) -> List[int]:
    runs, current = [], 0
    for char in text:
        if char == "`":
            current += 1
        elif current:
            runs.append(current)
            current = 0
    if current:
        runs.append(current)
    return runs


def _claim_facts(rec: LoadedRecord, report: Report) -> List[Fact]:
    facts = []
    for (guide, index), (holds, note) in sorted(report.extras.claims.items()):
        if guide == rec.incident.id and not holds:
            line, _col = rec.positions.of(("fixes", index, "claim", "requirement"))
            facts.append(Fact("claim", line, f"fixes[{index}].claim: {note}"))
    # A claim that cannot be checked at all (its package has no release the index lists, ...).
    unchecked = f"{rec.display}: fixes["
    for problem in report.problems:
        if problem.startswith(unchecked):
            index = int(problem[len(unchecked):].split("]", 1)[0])
            line, _col = rec.positions.of(("fixes", index, "claim", "requirement"))
            facts.append(Fact("claim", line, problem[len(rec.display) + 2:]))
    return facts


def _upstream_facts(kb: KnowledgeBase, rec: LoadedRecord, pages: Mapping[str, ProjectPage]) -> List[Fact]:
    incident = rec.incident
    if SOURCE_BUILD_TAG not in incident.affects.tags:
        return []
    tags = [tag for _, tag in guide_platforms(kb, incident.affects.platforms)]
    try:
        pythons = SpecifierSet(incident.affects.python)
    except InvalidSpecifier:  # records are validated before; nothing to say about an invalid one
        return []
    facts = []
    for package, spec_text in incident.affects.packages.items():
        page = pages.get(package)
        if page is None:
            continue
        try:
            found = fixed_upstream(package, pythons, tags, page)
        except ClaimError:
            continue
        if found is None:
            continue
        version, when = found
        affected = SpecifierSet(spec_text)
        if not affected.contains(version, prereleases=True):
            continue  # the record already ends its range before the fix
        released = f", released {when.strftime('%Y-%m-%d')}," if when else ""
        shown = f"'{spec_text}'" if spec_text else "every release"
        line, _col = rec.positions.of(("affects", "packages", package))
        facts.append(Fact(
            "fixed-upstream", line,
            f"{package} {version}{released} and every later release install a wheel on each affected CPython "
            f"({incident.affects.python or 'any'}) for {views.sequence_text(tags)}, "
            f"but affects.packages.{package} is {shown}, which includes {version} "
            f"({views.data_as_of(page.fetched_at, page.index)})",
        ))
    return facts


def findings(kb: KnowledgeBase, pages: Mapping[str, ProjectPage], report: Report) -> List[Finding]:
    """One finding per record with at least one counter-fact, in record id order."""
    out = []
    for rec in kb.records:
        facts = _claim_facts(rec, report) + _upstream_facts(kb, rec, pages)
        if facts:
            out.append(Finding(rec.incident.id, rec.display, tuple(facts)))
    return out
