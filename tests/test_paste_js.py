"""paste.js (the browser matcher) agrees with Python: same patterns, same
normalised lines, same top guide for every sample and tricky log."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

from generator.logs import diagnose
from generator.logs import text as logtext
from generator.logs import mentions
from generator.logs.bundle import bundle_from_guides, load_bundle

ROOT = Path(__file__).parent.parent
PASTE_JS = ROOT / "docs" / "assets" / "javascripts" / "paste.js"
LOGS = Path(__file__).parent / "data" / "logs"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

_RUNNER = r"""
const fs = require("fs");
const paste = require(process.argv[1]);
const job = JSON.parse(fs.readFileSync(0, "utf8"));
const matcher = new paste.Matcher(job.bundle);
const out = {constants: {}, logs: {}};
for (const k of ["MAX_LINE", "ANSI_PATTERN", "WINPATH_PATTERN", "PREFIX_PATTERN", "TRAILING_PATTERN", "MENTION_PATTERNS", "ITEM_PATTERN"]) out.constants[k] = paste[k];
for (const path of job.logs) {
  const text = fs.readFileSync(path, "utf8");
  out.logs[path] = {lines: paste.normalise(text), matches: matcher.match(text).map(m => [m.id, m.score, m.lines])};
}
process.stdout.write(JSON.stringify(out));
"""


def _kb_bundle() -> Dict[str, Any]:
    from routing import guides_from_kb

    return bundle_from_guides(guides_from_kb())


def _run_node(bundle: Dict[str, Any], logs: List[Path]) -> Dict[str, Any]:
    assert NODE is not None
    proc = subprocess.run(
        [NODE, "-e", _RUNNER, str(PASTE_JS)],
        input=json.dumps({"bundle": bundle, "logs": [str(p) for p in logs]}),
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_constants_equal_python() -> None:
    consts = _run_node(bundle_from_guides([]), [])["constants"]
    assert consts["MAX_LINE"] == logtext.MAX_LINE
    assert consts["ANSI_PATTERN"] == logtext.ANSI_PATTERN
    assert consts["WINPATH_PATTERN"] == logtext.WINPATH_PATTERN
    assert consts["PREFIX_PATTERN"] == logtext.PREFIX_PATTERN
    assert consts["TRAILING_PATTERN"] == logtext.TRAILING_PATTERN
    assert [tuple(x) for x in consts["MENTION_PATTERNS"]] == list(diagnose.MENTION_PATTERNS)
    assert consts["ITEM_PATTERN"] == mentions._item_re.pattern


def _python_view(matcher: Any, path: Path) -> Dict[str, Any]:
    raw = path.read_bytes()
    matches = matcher.match_stream(io.BytesIO(raw))
    return {
        "lines": [t for _, t in logtext.iter_lines(io.BytesIO(raw))],
        "matches": [[m.id, m.score, [list(x) for x in m.lines]] for m in matches],
    }


def _compare(bundle: Dict[str, Any], logs: List[Path]) -> None:
    matcher = load_bundle(bundle)
    js = _run_node(bundle, logs)["logs"]
    for path in logs:
        py = _python_view(matcher, path)
        got = js[str(path)]
        assert got["lines"] == py["lines"], f"{path.name}: normalised lines differ"
        # The top guide is the contract; the whole ranking agrees as well.
        assert (got["matches"][0][0] if got["matches"] else None) == (py["matches"][0][0] if py["matches"] else None), path.name
        assert got["matches"] == py["matches"], path.name


def test_tricky_logs_agree() -> None:
    bundle = bundle_from_guides(json.loads((LOGS / "guides.json").read_text("utf-8")))
    logs = sorted(LOGS.rglob("*.log"))  # the .bin ones are not text a browser would get
    assert logs
    _compare(bundle, logs)


def test_samples_agree_with_kb_bundle() -> None:
    samples = sorted((ROOT / "kb" / "samples").glob("*/*.log"))
    assert samples, "no samples in kb/samples"
    _compare(_kb_bundle(), samples)
