"""Options and helpers shared by several subcommands."""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing the index client pulls in requests; only when used
    from generator.index.client import IndexClient


def add_kb_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kb", default=os.environ.get("WHEELFIX_KB", "kb"), metavar="DIR", help="the knowledge base folder (default: ./kb)")


def add_index_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index-url", metavar="URL", help="the package index (default: the one pip is configured with)")
    parser.add_argument("--offline", action="store_true", help="use cached index data only, however old")
    parser.add_argument("--max-age", type=int, default=3600, metavar="SECONDS", help="how long cached index data counts as fresh (default: 3600)")


def index_client(args: argparse.Namespace) -> "IndexClient":
    from generator.index.client import IndexClient

    return IndexClient(args.index_url, offline=args.offline, max_age=timedelta(seconds=args.max_age))
