"""``wheelfix bundle``: regenerate the signatures shipped inside the package.

``wheelfix explain`` and ``wheelfix run`` work offline from
``generator/data/signatures.json``.  It is generated from kb/ and committed;
a test fails when it is stale, naming this command.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.commands import _common

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "signatures.json"


def configure(parser: argparse.ArgumentParser) -> None:
    _common.add_kb_option(parser)
    parser.add_argument("--check", action="store_true", help="exit 1 if the bundled file is out of date, without writing")


def bundled_text(kb_dir: Path) -> str:
    """The bundled file's content as kb/ would produce it."""
    from generator import api
    from generator import kb as kb_mod

    return json.dumps(api.signatures_payload(kb_mod.load(kb_dir)), indent=1, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    text = bundled_text(Path(args.kb))
    current = BUNDLED.read_text(encoding="utf-8") if BUNDLED.exists() else ""
    if args.check:
        if text != current:
            print(f"wheelfix: {BUNDLED} is out of date; run `wheelfix bundle`", file=sys.stderr)
            return 1
        return 0
    if text != current:
        BUNDLED.parent.mkdir(parents=True, exist_ok=True)
        tmp = BUNDLED.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(BUNDLED)
    print(f"wheelfix: {BUNDLED.name} holds {len(json.loads(text).get('guides', []))} guide(s)", file=sys.stderr)
    return 0
