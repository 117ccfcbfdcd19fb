"""``wheelfix summary RECORD...``: the guides' version tables as Markdown, for a job summary.

RECORD is a record id or the path of its YAML file (``git diff --name-only``
output can be passed as it is: other paths are listed as skipped).  The tables
are the ones the rendered guide shows (the same abridged release rows and
CPython columns), from the index data the site build uses.  Inside GitHub
Actions the Markdown is appended to ``$GITHUB_STEP_SUMMARY``; elsewhere, and
with ``--stdout``, it is printed.

Exit codes: 0 written; 1 an invalid KB; 2 an unknown record id.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, List, Sequence, Tuple

from generator.cli.commands import _common
from generator.errors import WheelfixError

if TYPE_CHECKING:
    from generator.kb import KnowledgeBase
    from generator.kb.records import LoadedRecord
    from generator.site.views import TableView

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")

LEGEND = "✓ wheel · ⚙ builds from source · ✗ nothing installs · ⊘ yanked"


def inline(text: str) -> str:
    """Record text as literal Markdown: every character Markdown or HTML acts on, escaped, on one line."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


class SummaryError(WheelfixError):
    """A record named on the command line that the KB does not hold."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("records", nargs="*", metavar="RECORD", help="record ids or kb/ file paths (other paths are skipped)")
    _common.add_kb_option(parser)
    parser.add_argument("--stdout", action="store_true", help="print the Markdown even inside GitHub Actions")
    _common.add_index_options(parser)


def select(knowledge: "KnowledgeBase", names: Sequence[str]) -> Tuple[List["LoadedRecord"], List[str]]:
    """The records named by id or path, in the order given, and the paths that name no record."""
    by_id = {r.incident.id: r for r in knowledge.records}
    by_path = {r.path.resolve(): r for r in knowledge.records}
    chosen: List["LoadedRecord"] = []
    skipped: List[str] = []
    for name in names:
        rec = by_id.get(name)
        if rec is None and (name.endswith((".yaml", ".yml")) or "/" in name):
            rec = by_path.get(Path(name).resolve())
            if rec is None:
                skipped.append(name)
                continue
        if rec is None:
            raise SummaryError(f"no record has the id {name!r}", hint="give a record id (its file name without .yaml) or its path")
        if rec not in chosen:
            chosen.append(rec)
    return chosen, skipped


def table_markdown(view: "TableView") -> str:
    """One version table: the release and its date, then one column per CPython version."""
    from generator.cli.ghactions import markdown_table

    heads = ["release", "released", *view.columns]
    rows = [[row.version, row.released, *(cell.symbol for cell in row.cells)] for row in view.rows]
    label = "; ".join(group for group, _span in view.groups)
    parts = [f"**{inline(view.package)}** on {inline(label)}\n", markdown_table(heads, rows)]
    notes = [n for n in (view.abridged_note, view.data_note) if n]
    if notes:
        parts.append(" ".join(notes) + "\n")
    return "\n".join(parts)


def render(records: Sequence["LoadedRecord"], tables: "dict[str, Tuple[TableView, ...]]", skipped: Sequence[str]) -> str:
    """The whole summary: one section per record, its tables or why it has none."""
    out = ["## Version tables of the changed guides\n"]
    if not records:
        out.append("No record changed.\n")
    for rec in records:
        out.append(f"### {inline(rec.incident.title)} ({inline(rec.incident.id)})\n")
        views = tables.get(rec.incident.id, ())
        if not views:
            out.append("No version table: the index has no data for its packages.\n")
        out.extend(table_markdown(v) for v in views)
    if records:
        out.append(LEGEND + "\n")
    if skipped:
        out.append("Skipped (not records): " + ", ".join(inline(s) for s in skipped) + "\n")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from generator import kb as kb_mod
    from generator.cli import ghactions
    from generator.site import verify

    knowledge = kb_mod.load(Path(args.kb))
    records, skipped = select(knowledge, args.records)
    names = sorted({p for r in records for p in r.incident.packages})
    client = _common.index_client(args)
    pages = {n: page for n, page in client.fetch_many(names).items() if not isinstance(page, Exception)}
    report = verify.compute_extras(knowledge, pages)
    markdown = render(records, report.extras.tables, skipped)
    if args.stdout or not ghactions.in_github_actions() or ghactions.append_step_summary(markdown) is None:
        print(markdown, end="")
    return 0
