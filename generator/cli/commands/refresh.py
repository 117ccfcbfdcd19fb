"""``wheelfix refresh``: re-read the index and report records whose facts changed.

Fetches every package the KB names (``--max-age 0`` to ask the index afresh),
verifies every claim and looks for affected ranges that upstream now serves
with wheels (see :mod:`generator.site.refresh`).  ``--report json`` prints one
object for a workflow to open or update one issue per record::

    {"checked": 45,                      # records looked at
     "findings": [{"record": "tiktoken-...", "file": "kb/....yaml",
                   "title": "Refresh: tiktoken-...", "label": "wheelfix-refresh",
                   "body": "...Markdown...",
                   "facts": [{"kind": "claim" | "fixed-upstream", "line": 12, "message": "..."}]}],
     "problems": ["kb/x.yaml: packages: ..."]}   # packages the index gave no data for

Exit codes: 0 nothing found; 1 findings, packages without data or an invalid
KB (``wheelfix check`` says what is wrong); 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.cli.commands import _common


def configure(parser: argparse.ArgumentParser) -> None:
    _common.add_kb_option(parser)
    parser.add_argument("--report", choices=("text", "json"), default="text", help="text lines (default) or one JSON object")
    _common.add_index_options(parser)


def run(args: argparse.Namespace) -> int:
    from generator import kb as kb_mod
    from generator.site import refresh, verify

    knowledge = kb_mod.load(Path(args.kb))
    pages, problems = verify.fetch_pages(knowledge, _common.index_client(args))
    report = verify.compute_extras(knowledge, pages)
    found = refresh.findings(knowledge, pages, report)
    if args.report == "json":
        doc = {"checked": len(knowledge.records), "findings": [f.as_json() for f in found], "problems": problems}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for finding in found:
            for fact in finding.facts:
                print(f"{finding.file}:{fact.line}: {fact.kind}: {fact.message}")
        for problem in problems:
            print(problem)
    n = len(knowledge.records)
    if found or problems:
        print(f"wheelfix: {len(found)} record(s) with changed facts, {len(problems)} package problem(s), of {n} record(s)", file=sys.stderr)
        return 1
    print(f"wheelfix: {n} record(s) refreshed; every claim holds and no affected range is served by wheels", file=sys.stderr)
    return 0
