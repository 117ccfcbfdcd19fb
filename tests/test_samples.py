"""Every sample log in kb/samples/<id>/ routes to its own record <id>, and no other
record claims it with a higher or equal score.

Samples are mandatory: with none, or with records that do not load, this fails.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Dict, List

import pytest

from generator.logs.bundle import bundle_from_guides, load_bundle

ROOT = Path(__file__).parent.parent
SAMPLES = sorted((ROOT / "kb" / "samples").glob("*/*.log"))


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


@pytest.fixture(scope="module")
def matcher() -> Any:
    return load_bundle(bundle_from_guides(guides_from_kb()))


def test_there_are_samples() -> None:
    assert SAMPLES, "kb/samples/<id>/*.log is empty: every record needs at least one real log"


@pytest.mark.parametrize("path", SAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in SAMPLES])
def test_sample_routes_to_its_record(matcher: Any, path: Path) -> None:
    record = path.parent.name
    matches = matcher.match_stream(io.BytesIO(path.read_bytes()))
    ids = [m.id for m in matches]
    assert ids, f"{path.name}: no record matches; expected {record}"
    assert ids[0] == record, f"{path.name}: routed to {ids[0]}, expected {record} (all: {ids})"
    own = matches[0].score
    rivals = [(m.id, m.score) for m in matches[1:] if m.score >= own]
    assert not rivals, f"{path.name}: {rivals} score as high as {record} ({own})"
