"""``wheelfix table PACKAGE``: which release installs a wheel for which CPython and platform.

Default matrix: CPython 3.9 up to the newest version the project ships
cpXY wheels for (3.14 for pure-Python projects) x manylinux_2_35_x86_64,
musllinux_1_2_x86_64, macosx_14_0_arm64 and win_amd64.  Narrow it with
repeated ``--python X.Y`` (``3.13t`` for free-threaded) and ``--platform TAG``,
and the releases with ``--release SPECIFIER``.

``--json`` prints exactly one object::

    {
      "package": "tiktoken",                 # canonical name
      "index_serial": 12345,                  # X-PyPI-Last-Serial / meta._last-serial, or null
      "fetched_at": "2026-11-28T17:00:00+00:00",  # UTC, when the data was last confirmed with the index
      "cells": [                              # one per (python, platform), pythons outer
        {"python": "3.13",                    # "3.13t" for the free-threaded build
         "platform": "manylinux_2_35_x86_64",
         "releases": [                        # every release the index lists (narrowed by --release), ascending
           {"version": "0.7.0",
            "kind": "sdist",                  # "wheel" | "sdist" (pip would build from source) | "none"
            "file": "tiktoken-0.7.0.tar.gz",  # exact filename pip would pick, or null
            "yanked": false,                  # every file of the release is yanked
            "upload_time": "2024-05-13T18:02:30.123456+00:00"}]}]   # earliest file upload, or null
    }

Exit codes: 0 ok; 2 bad input or the index could not be read.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import timedelta
from typing import Any, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from generator.errors import WheelfixError

logger = logging.getLogger("wheelfix.commands.table")

DEFAULT_PLATFORMS = ("manylinux_2_35_x86_64", "musllinux_1_2_x86_64", "macosx_14_0_arm64", "win_amd64")
OLDEST_PYTHON = 9
_SYMBOL = {"wheel": "W", "sdist": "s", "none": "."}


class TableError(WheelfixError):
    """Bad options to ``wheelfix table``."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``wheelfix table``."""
    parser.add_argument("package", help="project name on the index, e.g. tiktoken")
    parser.add_argument("--python", action="append", metavar="X.Y", help="CPython version (repeatable; 3.13t = free-threaded)")
    parser.add_argument("--platform", action="append", metavar="TAG", help="platform tag (repeatable), e.g. manylinux_2_35_x86_64")
    parser.add_argument("--release", metavar="SPECIFIER", help="only releases matching this specifier, e.g. '>=0.7,<0.9'")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--index-url", metavar="URL", help="index to ask (default: PIP_INDEX_URL, pip's config, pip's default)")
    parser.add_argument("--offline", action="store_true", help="use cached index data only")
    parser.add_argument("--max-age", type=float, metavar="SECONDS", default=3600.0, help="reuse cached data this fresh without asking the index (default 3600)")


def _targets(pythons: list[str], platforms: list[str]) -> list[Any]:
    from generator.truth.wheels import Target

    return [Target.parse(p, plat) for p in pythons for plat in platforms]


def run(args: argparse.Namespace) -> int:
    """Fetch the project page and print the table (or JSON)."""
    from generator.index.client import IndexClient
    from generator.truth.wheels import cpython_minors, release_verdicts

    if args.max_age < 0:
        raise TableError(f"--max-age {args.max_age:g} is negative", hint="give a number of seconds, 0 or more")
    release_spec: Optional[SpecifierSet] = None
    if args.release is not None:
        from generator import pep440

        try:
            release_spec = pep440.specifier_set(args.release)
        except InvalidSpecifier:
            problem = pep440.number_problem(args.release)
            detail = f" ({problem})" if problem else ""
            raise TableError(f"--release {pep440.clip(args.release)} is not a version specifier{detail}", hint="write it like '>=0.7,<0.9' or '==0.8.0'") from None
    platforms = list(args.platform or DEFAULT_PLATFORMS)
    if args.python:
        targets = _targets(list(args.python), platforms)  # validate before any network use
    client = IndexClient(args.index_url, max_age=timedelta(seconds=args.max_age), offline=args.offline)
    page = client.fetch(args.package)
    if not args.python:
        newest = max(cpython_minors(page), default=14)
        targets = _targets([f"3.{m}" for m in range(OLDEST_PYTHON, max(newest, OLDEST_PYTHON) + 1)], platforms)
    cells = []
    for target in targets:
        verdicts = release_verdicts(page, target)
        if release_spec is not None:
            verdicts = [v for v in verdicts if release_spec.contains(v.version, prereleases=True)]
        cells.append((target, verdicts))
    if args.json:
        out = {
            "package": page.name,
            "index_serial": page.last_serial,
            "fetched_at": page.fetched_at.isoformat(),
            "cells": [
                {
                    "python": t.python + ("t" if t.free_threaded else ""),
                    "platform": t.platform,
                    "releases": [
                        {
                            "version": str(v.version),
                            "kind": v.kind.value,
                            "file": v.file.filename if v.file else None,
                            "yanked": v.yanked,
                            "upload_time": v.upload_time.isoformat() if v.upload_time else None,
                        }
                        for v in vs
                    ],
                }
                for t, vs in cells
            ],
        }
        print(json.dumps(out, indent=2))
        return 0
    print(_render(page.name, page.fetched_at.strftime("%Y-%m-%d %H:%M UTC"), cells))
    return 0


def _render(name: str, as_of: str, cells: list[Any]) -> str:
    # One block per platform, CPython versions across: narrow enough for a terminal.
    lines = [f"{name}: which file pip would install (rows: releases, columns: CPython versions)"]
    platforms: dict[str, list[Any]] = {}
    for target, verdicts in cells:
        platforms.setdefault(target.platform, []).append((target, verdicts))
    for platform, group in platforms.items():
        versions: dict[Any, Any] = {}
        for _t, vs in group:
            for v in vs:
                versions.setdefault(v.version, v)
        heads = [t.python + ("t" if t.free_threaded else "") for t, _vs in group]
        width = max([len(h) for h in heads] + [4])
        first = max([len(str(v)) + (9 if versions[v].yanked else 0) for v in versions] + [7])
        lookup = [{v.version: v for v in vs} for _t, vs in group]
        lines += ["", f"{platform}:", "release".ljust(first) + " | " + " ".join(h.center(width) for h in heads)]
        lines.append("-" * first + "-+-" + "-" * ((width + 1) * len(heads) - 1))
        for version in sorted(versions):
            label = str(version) + (" (yanked)" if versions[version].yanked else "")
            row = []
            for table in lookup:
                cell = table.get(version)
                row.append((_SYMBOL[cell.kind.value] if cell else " ").center(width))
            lines.append(label.ljust(first) + " | " + " ".join(row))
    lines.append("")
    lines.append("W wheel   s builds from source (sdist)   . nothing installs   (yanked) every file yanked")
    lines.append(f"data as of {as_of}")
    return "\n".join(lines)
