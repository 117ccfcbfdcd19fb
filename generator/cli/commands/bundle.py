"""``wheelfix bundle``: regenerate the files generated from kb/ and committed.

``wheelfix explain`` and ``wheelfix run`` work offline from
``generator/data/signatures.json``, and ``wheelfix audit --env`` reads
``generator/data/environments.yaml`` outside a KB checkout.  Both are
generated from kb/ and committed, and so is the records' JSON Schema that
editors read (``schema/incident.json`` next to kb/, see
:mod:`generator.kb.modeline`); a test fails when any is stale, naming this command.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.cli.commands import _common

DATA = Path(__file__).resolve().parents[2] / "data"
BUNDLED = DATA / "signatures.json"
ENVIRONMENTS = DATA / "environments.yaml"


def configure(parser: argparse.ArgumentParser) -> None:
    _common.add_kb_option(parser)
    parser.add_argument("--check", action="store_true", help="exit 1 if the bundled file is out of date, without writing")


def bundled_text(kb_dir: Path) -> str:
    """The bundled file's content as kb/ would produce it."""
    from generator.site import api
    from generator import kb as kb_mod
    from generator.logs.bundle import bundle_json

    return bundle_json(api.signatures_payload(kb_mod.load(kb_dir)))


def bundled_files(kb_dir: Path) -> dict[Path, str]:
    """Every bundled file and the content kb/ gives it."""
    from generator.kb import environments
    from generator import safefile
    from generator.kb import ENVIRONMENTS_FILE, modeline

    signatures = bundled_text(kb_dir)  # loads and checks the whole KB first
    envs = safefile.read_text(kb_dir / ENVIRONMENTS_FILE, limit=environments.MAX_BYTES, root=kb_dir)
    return {BUNDLED: signatures, ENVIRONMENTS: envs, modeline.schema_file(kb_dir): modeline.schema_text()}


def run(args: argparse.Namespace) -> int:
    files = bundled_files(Path(args.kb))
    stale = [path for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"wheelfix: {path} is out of date; run `wheelfix bundle`", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(files[path], encoding="utf-8")
        tmp.replace(path)
    print(f"wheelfix: {BUNDLED.name} holds {len(json.loads(files[BUNDLED]).get('guides', []))} guide(s)", file=sys.stderr)
    return 0
