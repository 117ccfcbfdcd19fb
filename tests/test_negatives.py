"""Real failures that no guide fixes route nowhere.

tests/data/logs/negatives/<name>/ holds captured logs of failures outside the knowledge
base (an unreachable index, an index that never answers, a full disk, conflicting pins, a
failing test, a circular import), each with the reproduce.sh that made it and a NOTES.md
naming its decisive lines.  Some end
with the same lines as real guide material ("Could not find a version that satisfies the
requirement", "No solution found when resolving dependencies"), which is what makes them
worth keeping: a signature that fires on such generic lines alone fails here.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from generator.logs.bundle import bundle_from_guides, load_bundle
from test_samples import guides_from_kb

NEGATIVES = Path(__file__).parent / "data" / "logs" / "negatives"
LOGS = sorted(NEGATIVES.glob("*/*.log"))


@pytest.fixture(scope="module")
def matcher() -> Any:
    return load_bundle(bundle_from_guides(guides_from_kb()))


def test_there_are_negatives() -> None:
    # The parametrized test below would pass vacuously on an empty list.
    assert len({p.parent.name for p in LOGS}) >= 5, f"too few negative families in {NEGATIVES}"


@pytest.mark.parametrize("path", LOGS, ids=[f"{p.parent.name}/{p.name}" for p in LOGS])
def test_negative_routes_nowhere(matcher: Any, path: Path) -> None:
    matches = matcher.match_stream(io.BytesIO(path.read_bytes()))
    assert not matches, f"{path.parent.name}/{path.name} belongs to no guide but matched {[(m.id, m.lines) for m in matches]}"


@pytest.mark.parametrize("family", sorted({p.parent for p in LOGS}), ids=lambda p: p.name)
def test_negative_says_how_it_was_made(family: Path) -> None:
    assert (family / "reproduce.sh").is_file(), f"{family.name}: no reproduce.sh"
    assert (family / "NOTES.md").is_file(), f"{family.name}: no NOTES.md"
