"""A package page a reader can scan: a compact summary, one section per target group, every release folded.

The summary says, per platform and CPython version, since which release the
package installs from wheels (:mod:`generator.site.readiness`); each target group
gets a heading (so the table of contents lists it), its abridged table and table
lines, and the full matrix inside a folded ``<details>``.  Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Set, Tuple

from generator.kb import KnowledgeBase
from generator.site import views
from generator.site.readiness import Cell, Column, ReadinessData, package_summary

#: How many of the newest releases an abridged section table always shows.
RECENT = 4


@dataclass(frozen=True)
class Section:
    heading: str  # the target group: "Linux on x86_64 (...) (manylinux_2_35_x86_64)"
    table: views.TableView  # abridged: the newest releases and every change
    full: views.TableView  # every release


@dataclass(frozen=True)
class PackagePageView:
    name: str
    guides: Tuple[views.Link, ...]
    summary_columns: Tuple[Column, ...]
    summary_rows: Tuple[Tuple[Column, Tuple[Cell, ...]], ...]
    sections: Tuple[Section, ...]
    data_note: str


def abridge(table: views.TableView) -> views.TableView:
    """The newest releases, each release where a cell's state changed and the one before it, and the oldest."""
    rows = table.rows  # newest first
    states = [tuple(c.state for c in r.cells) for r in rows]
    keep: Set[int] = set(range(min(RECENT, len(rows))))
    if rows:
        keep.add(len(rows) - 1)
    for i in range(len(rows) - 1):
        if states[i] != states[i + 1]:
            keep |= {i, i + 1}
    if len(keep) == len(rows):
        return table
    note = f"{len(keep)} of {len(rows)} releases: the newest and every one where support changed"
    return replace(table, rows=tuple(r for i, r in enumerate(rows) if i in keep), abridged_note=note)


def package_page_view(name: str, kb: KnowledgeBase, extras: Optional[views.Extras], data: Optional[ReadinessData]) -> PackagePageView:
    base = views.package_view(name, kb, extras)
    sections = tuple(Section(t.groups[0][0] if t.groups else t.package, abridge(t), t) for t in base.tables)
    columns, rows = package_summary(name, data)
    return PackagePageView(name, base.guides, columns, rows, sections, base.data_note)
