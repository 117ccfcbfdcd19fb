"""``wheelfix check``: validate every record, and with ``--online`` verify every claim.

With ``--annotate`` (on by default inside GitHub Actions, ``GITHUB_ACTIONS=true``)
every problem is also written as an ``::error file=...,line=...`` workflow
command, so that a pull request shows it on the line of the record it is about.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path
from typing import List, Optional, Tuple

from generator.cli.commands import _common

logger = logging.getLogger("wheelfix.check")

# Problems are "FILE:LINE:COL: message" (or "FILE: message" when no line is known).
_LOCATED = re.compile(r"(?P<file>[^:\s][^:]*?)(?::(?P<line>[1-9][0-9]*)(?::[0-9]+)?)?: (?P<message>.+)", re.DOTALL)


def configure(parser: argparse.ArgumentParser) -> None:
    _common.add_kb_option(parser)
    parser.add_argument("--online", action="store_true", help="also verify every fix claim against index data")
    parser.add_argument(
        "--annotate", action=argparse.BooleanOptionalAction, default=None,
        help="also write each problem as a GitHub Actions error annotation (default: on inside GitHub Actions)",
    )
    parser.add_argument("--fix-modeline", action="store_true", help="first write the editor's schema modeline into every record lacking it")
    _common.add_index_options(parser)


def locate(problem: str) -> Tuple[Optional[str], Optional[int], str]:
    """(file, line, message) of a problem line; file and line are None when it names none."""
    match = _LOCATED.fullmatch(problem)
    if match is None:
        return None, None, problem
    line = match.group("line")
    return match.group("file"), int(line) if line else None, match.group("message")


def annotation_commands(problems: List[str]) -> List[str]:
    """One ``::error`` workflow command per problem, on its file and line."""
    from generator.cli.ghactions import annotation

    out = []
    for problem in problems:
        file, line, message = locate(problem)
        out.append(annotation("error", message, file=file, line=line, title="wheelfix check"))
    return out


def run(args: argparse.Namespace) -> int:
    from generator import kb as kb_mod
    from generator.cli import ghactions
    from generator.kb import modeline

    kb_dir = Path(args.kb)
    if args.fix_modeline and kb_dir.is_dir():
        for path in modeline.fix(kb_dir):
            print(f"wheelfix: wrote the schema modeline into {path}", file=sys.stderr)
    knowledge, errors = kb_mod.check(kb_dir)
    errors = sorted(errors + modeline.check(kb_dir), key=lambda e: (e.file, e.line, e.col))
    problems = [e.format() for e in errors]
    if args.online and not errors:
        from generator.site import verify
        from generator.site.factcache import FactCache

        client = _common.index_client(args)
        report = verify.verify_kb(knowledge, client, FactCache.beside(client.cache_dir))
        problems.extend(report.problems)
    for line in problems:
        print(line)
    annotate = ghactions.in_github_actions() if args.annotate is None else args.annotate
    if annotate:
        for command in annotation_commands(problems):
            print(command)
    n = len(knowledge.records)
    if problems:
        print(f"wheelfix: {len(problems)} problem(s) in {args.kb}/ ({n} valid record(s))", file=sys.stderr)
        return 1
    logger.info("%d record(s) valid", n)
    print(f"wheelfix: {n} record(s) valid{' and every claim holds' if args.online else ''}", file=sys.stderr)
    return 0
