"""``wheelfix check``: validate every record, and with ``--online`` verify every claim."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from generator.cli.commands import _common

logger = logging.getLogger("wheelfix.check")


def configure(parser: argparse.ArgumentParser) -> None:
    _common.add_kb_option(parser)
    parser.add_argument("--online", action="store_true", help="also verify every fix claim against index data")
    _common.add_index_options(parser)


def run(args: argparse.Namespace) -> int:
    from generator import kb as kb_mod

    knowledge, errors = kb_mod.check(Path(args.kb))
    problems = [e.format() for e in errors]
    if args.online and not errors:
        from generator.site import verify
        from generator.site.factcache import FactCache

        client = _common.index_client(args)
        report = verify.verify_kb(knowledge, client, FactCache.beside(client.cache_dir))
        problems.extend(report.problems)
    for line in problems:
        print(line)
    n = len(knowledge.records)
    if problems:
        print(f"wheelfix: {len(problems)} problem(s) in {args.kb}/ ({n} valid record(s))", file=sys.stderr)
        return 1
    logger.info("%d record(s) valid", n)
    print(f"wheelfix: {n} record(s) valid{' and every claim holds' if args.online else ''}", file=sys.stderr)
    return 0
