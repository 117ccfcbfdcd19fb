"""The routing table: every real log the project keeps, and the guide it must route to.

Shared by tests/test_routing.py (one case per row) and bench/route_report.py (precision
and recall per guide).  The table is derived from the folders, so it grows by itself:

- ``kb/samples/<id>/*.log``: a real failure of record ``<id>``; it must route to ``<id>``;
- ``tests/data/logs/negatives/<name>/*.log``: a real failure no guide fixes; it must route nowhere;
- ``tests/data/logs/longtail/*.log``: real builds captured for the diagnosis of the long tail;
  they route nowhere unless ``tests/data/logs/routes.json`` names the guide that now covers them.

``routes.json`` holds explicit exceptions only (path relative to the project root -> guide id
or null); an entry for a log that does not exist, or that restates the default, is an error,
so the file cannot go stale.

A row is routed right when its expected guide ranks first and no other guide scores as high
(the ranking breaks ties by guide id, which says nothing about the log).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).parent.parent
SAMPLES_DIR = ROOT / "kb" / "samples"
NEGATIVES_DIR = ROOT / "tests" / "data" / "logs" / "negatives"
LONGTAIL_DIR = ROOT / "tests" / "data" / "logs" / "longtail"
EXCEPTIONS_FILE = ROOT / "tests" / "data" / "logs" / "routes.json"


def guides_from_kb() -> List[Dict[str, Any]]:
    """The bundle input built from the records through the records loader."""
    from generator.kb.records import load_kb  # fails loudly if records cannot load

    guides = []
    for inc in load_kb(ROOT / "kb"):
        guides.append({
            "id": inc.id,
            "title": inc.title,
            "url": f"guides/{inc.id}/",
            "fix": inc.fixes[0].title,
            "signatures": [
                {"package": s.package, "match": [{"text": c.text} if c.text is not None else {"regex": c.regex} for c in s.match]}
                for s in inc.signatures
            ],
        })
    return guides


def kb_matcher() -> Any:
    """The matcher of the records in kb/, as explain and the site load it."""
    from generator.logs.bundle import bundle_from_guides, load_bundle

    return load_bundle(bundle_from_guides(guides_from_kb()))


@dataclass(frozen=True)
class Row:
    path: str  # relative to ROOT
    kind: str  # "sample", "negative" or "longtail"
    expected: Optional[str]  # the guide id, or None: routes nowhere


@dataclass(frozen=True)
class Routed:
    row: Row
    got: Optional[str]  # the first guide, or None
    rivals: Tuple[Tuple[str, int], ...]  # other guides scoring as high as the first
    ranking: Tuple[Tuple[str, int], ...]  # every guide that matched, best first

    @property
    def right(self) -> bool:
        return self.got == self.row.expected and not self.rivals

    def why(self) -> str:
        want = self.row.expected or "no guide"
        if self.got is None:
            return f"{self.row.path}: routed nowhere, expected {want}"
        if self.got == self.row.expected:
            return f"{self.row.path}: {list(self.rivals)} score as high as {self.got} (all: {list(self.ranking)})"
        return f"{self.row.path}: routed to {self.got}, expected {want} (all: {list(self.ranking)})"


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def load_exceptions() -> Dict[str, Optional[str]]:
    if not EXCEPTIONS_FILE.is_file():
        return {}
    data = json.loads(EXCEPTIONS_FILE.read_text("utf-8"))
    if not isinstance(data, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()):
        raise ValueError(f"{_rel(EXCEPTIONS_FILE)}: must map log paths to a guide id or null")
    return data


def routing_table() -> List[Row]:
    """Every row, sorted by path; raises ValueError on a stale or redundant exception."""
    rows = [Row(_rel(p), "sample", p.parent.name) for p in SAMPLES_DIR.glob("*/*.log")]
    rows += [Row(_rel(p), "negative", None) for p in NEGATIVES_DIR.glob("*/*.log")]
    rows += [Row(_rel(p), "longtail", None) for p in LONGTAIL_DIR.glob("*.log")]
    by_path = {r.path: r for r in rows}
    for path, guide in load_exceptions().items():
        if path not in by_path:
            raise ValueError(f"{_rel(EXCEPTIONS_FILE)}: {path} is not a log of the routing table")
        if by_path[path].expected == guide:
            raise ValueError(f"{_rel(EXCEPTIONS_FILE)}: {path} -> {guide} is the default, not an exception")
        by_path[path] = Row(path, by_path[path].kind, guide)
    return sorted(by_path.values(), key=lambda r: r.path)


def route(matcher: Any, row: Row) -> Routed:
    matches = matcher.match_stream(io.BytesIO((ROOT / row.path).read_bytes()))
    ranking = tuple((m.id, m.score) for m in matches)
    if not matches:
        return Routed(row, None, (), ranking)
    own = matches[0].score
    return Routed(row, matches[0].id, tuple((m.id, m.score) for m in matches[1:] if m.score >= own), ranking)
