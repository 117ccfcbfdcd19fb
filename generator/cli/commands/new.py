"""``wheelfix new ID``: start a record from a template; ``--from-log LOG``: from a failing build's log.

The template does not validate until its placeholders are replaced, so
``wheelfix check`` walks the contributor through every field.  With
``--from-log`` the record is drafted from the log and the log becomes its
sample (see :mod:`generator.cli.commands._fromlog`).  Nothing existing is ever overwritten.
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
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the record id: lowercase words joined by hyphens")
    parser.add_argument("--package", default="TODO", help="the main package involved")
    parser.add_argument("--from-log", metavar="LOG", help="draft the record from this failing build's log (- for standard input) and copy it, redacted, to kb/samples/ID/")
    parser.add_argument("--index", metavar="FILE", help="with --from-log: the signatures.json to compare the log against (default: the bundled one, as `wheelfix explain`)")
    _common.add_kb_option(parser)


def run(args: argparse.Namespace) -> int:
    from generator.kb.modeline import MODELINE
    from generator.kb.records import SLUG_RE

    if not SLUG_RE.match(args.id):
        raise WheelfixError(f"{args.id!r} is not a valid id", hint="use lowercase letters, digits and single hyphens, e.g. numpy-abi-mismatch")
    if args.from_log is not None:
        return _from_log(args)
    path = Path(args.kb) / f"{args.id}.yaml"
    if path.exists():
        raise WheelfixError(f"{path} already exists", hint="ids are never reused; pick another id")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((_TEMPLATE + _common.TEMPLATE_TAIL).format(id=args.id, package=args.package, modeline=MODELINE), encoding="utf-8")
    print(path)
    print(f"wheelfix: wrote {path}; fill in the TODOs, then run `wheelfix check`", file=sys.stderr)
    return 0


def say(text: str) -> None:
    print(f"wheelfix: {text}", file=sys.stderr)


def _from_log(args: argparse.Namespace) -> int:
    from generator.cli.commands import _fromlog as fromlog
    from generator.index.config import index_hosts
    from generator.logs.bundle import guide_url

    if not Path(args.kb).is_dir():
        raise WheelfixError(f"no knowledge base folder at {args.kb}", hint="run from the repository root or pass --kb DIR")
    made = fromlog.make(args, index_hosts())
    print(made.record)
    print(made.sample)
    if made.truncated:
        say(f"the log is larger than {fromlog.SAMPLE_LIMIT // 1024} KiB; the sample keeps its last part (cut it to the failing section)")
    if made.existing:
        top = made.existing[0]
        say(f"already matched by the guide {top.id} ({guide_url(top.url, '')}): {top.title}")
        say("  extend that guide (a sample, a signature) instead of adding a duplicate, unless this failure is a different one")
    for number, owners in sorted(made.draft.general.items()):
        say(f"line {number} of the sample is the message of the general guide(s) {', '.join(owners)}")
    if not made.signature:
        say("no distinctive error line found: write the signature by hand")
    elif made.draft.literal_line is not None and made.draft.literal_line[0] in made.draft.general:
        say("every decisive line is a general guide's message: extend that guide rather than adding a record")
    elif made.draft.general:
        say("the drafted signature uses another line, so it does not duplicate a general guide")
    say(f"wrote {made.record} and {made.sample.parent}/; fill in the TODOs (and SOURCES.md), then run `wheelfix check`")
    return 0

