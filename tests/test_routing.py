"""The routing table (tests/routing.py): every real log routes to the guide it must.

- every sample log in kb/samples/<id>/ routes to its own record <id>, and no other record
  claims it with a higher or equal score (samples are mandatory: with none, or with records
  that do not load, this fails);
- every negative in tests/data/logs/negatives/<name>/ (a real failure outside the knowledge
  base: an unreachable index, a full disk, conflicting pins, a failing test, a circular
  import), routes nowhere.  Some end with the same lines as real guide material ("Could not
  find a version that satisfies the requirement", "No solution found when resolving
  dependencies"), which is what makes them worth keeping: a signature that fires on such
  generic lines alone fails here.  Each comes with the reproduce.sh that made it and a
  NOTES.md naming its decisive lines;
- every long-tail log in tests/data/logs/longtail routes nowhere, or to the guide
  tests/data/logs/routes.json names for it.

bench/route_report.py prints precision and recall over the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routing import NEGATIVES_DIR, ROOT, Row, kb_matcher, load_exceptions, route, routing_table

ROWS = routing_table()


@pytest.fixture(scope="module")
def matcher() -> Any:
    return kb_matcher()


def test_the_table_is_not_empty() -> None:
    kinds = {r.kind for r in ROWS}
    assert kinds == {"sample", "negative", "longtail"}, kinds
    # The parametrized test below would pass vacuously on an empty list.
    assert any(r.kind == "sample" for r in ROWS), "kb/samples/<id>/*.log is empty: every record needs at least one real log"
    assert len({Path(r.path).parent.name for r in ROWS if r.kind == "negative"}) >= 5, f"too few negative families in {NEGATIVES_DIR}"


def test_every_record_has_a_sample() -> None:
    from generator.kb.records import load_kb

    sampled = {r.expected for r in ROWS if r.kind == "sample"}
    assert {inc.id for inc in load_kb(ROOT / "kb")} <= sampled


@pytest.mark.parametrize("row", ROWS, ids=[r.path for r in ROWS])
def test_row_routes_to_its_guide(matcher: Any, row: Row) -> None:
    got = route(matcher, row)
    assert got.right, got.why()


def test_exceptions_are_explicit_and_current() -> None:
    # routing_table() rejects stale and redundant entries; here: only long-tail logs have
    # exceptions (a sample's guide is its folder, a negative's is none by definition),
    # and each names a guide that exists.
    exceptions = load_exceptions()
    kinds = {r.path: r.kind for r in ROWS}
    assert all(kinds[p] == "longtail" for p in exceptions), exceptions
    guides = {r.expected for r in ROWS if r.kind == "sample"}
    assert all(g is None or g in guides for g in exceptions.values()), exceptions


@pytest.mark.parametrize("family", sorted({(ROOT / r.path).parent for r in ROWS if r.kind == "negative"}), ids=lambda p: p.name)
def test_negative_says_how_it_was_made(family: Path) -> None:
    assert (family / "reproduce.sh").is_file(), f"{family.name}: no reproduce.sh"
    assert (family / "NOTES.md").is_file(), f"{family.name}: no NOTES.md"


# A specific guide and the general guide of its family: every sample of the specific one
# also matches the general one, which ranks strictly below (a reader whose log lacks what
# makes it specific still lands on the family's guide).
SPECIFIC_OVER_GENERAL = {
    "pyyaml-cython3-cython-sources": "cython3-old-sdist-compile-error",
    "pillow-keyerror-version-python-313": "setup-py-exec-locals-keyerror-python-313",
}
_SPECIFIC_ROWS = [r for r in ROWS if r.expected in SPECIFIC_OVER_GENERAL]


def test_specific_guides_have_samples() -> None:
    assert {r.expected for r in _SPECIFIC_ROWS} == set(SPECIFIC_OVER_GENERAL)


@pytest.mark.parametrize("row", _SPECIFIC_ROWS, ids=[r.path for r in _SPECIFIC_ROWS])
def test_the_general_guide_ranks_below_the_specific_one(matcher: Any, row: Row) -> None:
    got = route(matcher, row)
    scores = dict(got.ranking)
    general = SPECIFIC_OVER_GENERAL[row.expected or ""]
    assert general in scores, f"{row.path}: the general guide {general} does not match ({got.ranking})"
    assert scores[row.expected or ""] > scores[general]


def _report_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("route_report", ROOT / "bench" / "route_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_report_counts_and_lists_every_miss() -> None:
    from routing import Routed

    rows = [
        Routed(Row("a.log", "sample", "g1"), "g1", (), (("g1", 300),)),  # right
        Routed(Row("b.log", "sample", "g1"), "g2", (), (("g2", 300), ("g1", 200))),  # wrong
        Routed(Row("c.log", "sample", "g1"), None, (), ()),  # nowhere
        Routed(Row("d.log", "sample", "g2"), "g2", (("g1", 300),), (("g2", 300), ("g1", 300))),  # a tie
        Routed(Row("e.log", "negative", None), "g2", (), (("g2", 150),)),  # a false alarm
        Routed(Row("f.log", "negative", None), None, (), ()),  # right
    ]
    out = _report_module().report(rows)
    g1 = next(line for line in out if line.startswith("g1 "))
    g2 = next(line for line in out if line.startswith("g2 "))
    none = next(line for line in out if line.startswith("(none)"))
    # samples right wrong nowhere taken precision recall
    assert g1.split() == ["g1", "3", "1", "1", "1", "0", "100.0%", "33.3%"]
    assert g2.split() == ["g2", "1", "0", "1", "0", "2", "0.0%", "0.0%"]
    assert none.split() == ["(none)", "2", "1", "1", "0", "0", "-", "50.0%"]
    assert "precision 25.0% (1 of 4 routed logs), recall 25.0% (1 of 4)" in out
    misses = out[out.index("misses: 4") + 1:]
    assert [m.split(":")[0].strip() for m in misses] == ["b.log", "c.log", "d.log", "e.log"]
