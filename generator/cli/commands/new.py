"""``wheelfix new ID``: start a record from a template.

The template does not validate until its placeholders are replaced, so
``wheelfix check`` walks the contributor through every field.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli.commands import _common
from generator.errors import WheelfixError

_TEMPLATE = """\
{modeline}
# A new wheelfix record. Replace every TODO, then run `wheelfix check`.
# Every fact needs a public source under `references`; add a real log excerpt
# under kb/samples/{id}/ (see docs/contributing.md).
id: {id}
title: "TODO: the problem as a user would search for it"
summary: "TODO: one or two sentences: what fails, why, and the fix."
packages: [{package}]
affects:
  python: ""            # e.g. ">=3.13"
  packages: {{}}          # e.g. {{{package}: "<0.8.0"}}
  platforms: []         # names from kb/environments.yaml
  tags: []
symptoms:
  - "TODO: an error line exactly as the log shows it"
signatures:
  - package: {package}
    match:
      - text: "TODO: literal text from the log"
cause: |
  TODO: why it happens, in Markdown.
fixes:
  - title: "TODO: the fix to try first"
    when: "TODO: when it applies"
    steps: |
      TODO: the steps, in Markdown.
diagnostics: []
references:
  - title: "TODO: the public source"
    url: "TODO"
related: []
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the record id: lowercase words joined by hyphens")
    parser.add_argument("--package", default="TODO", help="the main package involved")
    _common.add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    from generator.kb.modeline import MODELINE
    from generator.kb.records import SLUG_RE

    if not SLUG_RE.match(args.id):
        raise WheelfixError(f"{args.id!r} is not a valid id", hint="use lowercase letters, digits and single hyphens, e.g. numpy-abi-mismatch")
    path = Path(args.kb) / f"{args.id}.yaml"
    if path.exists():
        raise WheelfixError(f"{path} already exists", hint="ids are never reused; pick another id")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_TEMPLATE.format(id=args.id, package=args.package, modeline=MODELINE), encoding="utf-8")
    print(path)
    print(f"wheelfix: wrote {path}; fill in the TODOs, then run `wheelfix check`", file=sys.stderr)
    return 0
