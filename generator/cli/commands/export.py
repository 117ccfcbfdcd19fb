"""``wheelfix export DIR``: the generated pages as plain Markdown files.

The same files the MkDocs plugin adds, written to a folder, so that any
MkDocs-compatible generator can build the site from ``docs/`` plus ``DIR``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from generator.cli.commands import _common
from generator.errors import WheelfixError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR", help="the folder to write into (created if missing)")
    _common.add_kb_option(parser)
    parser.add_argument("--no-index", dest="index", action="store_false", help="skip index data: no wheel tables, claims unchecked")
    parser.add_argument("--no-strict", dest="strict", action="store_false", help="report false claims and missing index data as warnings")
    parser.add_argument("--previous-claims", metavar="FILE", type=Path, default=None,
                        help="the claims.json of the previous build: also write changes.json, the claims that flipped since")
    _common.add_index_options(parser)


def run(args: argparse.Namespace) -> int:
    try:
        from generator.site.build import BuildOptions, build_files
    except ImportError as exc:  # Markdown and nh3 come with the site extra
        raise WheelfixError(
            f"wheelfix export needs the site extra ({exc.name or exc} is not installed)",
            hint="pip install 'wheelfix[site]'",
        ) from None

    options = BuildOptions(
        kb_dir=Path(args.kb), index=args.index, index_url=args.index_url,
        offline=args.offline, max_age=args.max_age, strict=args.strict, previous_claims=args.previous_claims,
    )
    files = build_files(options)
    out = Path(args.dir)
    for rel, content in sorted(files.items()):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        _write_atomic(target, data)
    print(f"wheelfix: wrote {len(files)} file(s) to {out}", file=sys.stderr)
    return 0


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
