"""Shared fixtures: the local index server and the ``--live`` opt-in."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from indexserver import DATA_DIR, IndexServer  # noqa: E402

from generator.index.page import ProjectPage, parse_project_page  # noqa: E402

RECORDED_AT = datetime(2026, 11, 28, tzinfo=timezone.utc)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true", default=False, help="run tests that talk to the real package index")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--live") or os.environ.get("WHEELFIX_LIVE") == "1":
        return
    skip = pytest.mark.skip(reason="talks to the real index; run with --live")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def index_server() -> Iterator[IndexServer]:
    """A local index serving tests/data/index, with faults and request counters."""
    with IndexServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # No test may read or write the user's real cache, nor be steered by their pip settings.
    monkeypatch.setenv("WHEELFIX_CACHE_DIR", str(tmp_path_factory.mktemp("wheelfix-cache")))


_PAGES: dict[str, ProjectPage] = {}


def recorded_page(name: str) -> ProjectPage:
    """A recorded project page, parsed (memoised: some are megabytes)."""
    if name not in _PAGES:
        payload = json.loads((DATA_DIR / f"{name}.json").read_text())
        _PAGES[name] = parse_project_page(name, payload, fetched_at=RECORDED_AT)
    return _PAGES[name]


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A signatures bundle built from tests/data/logs/guides.json (small, hand-written guides)."""
    from generator.logs.bundle import bundle_from_guides

    guides = json.loads((Path(__file__).parent / "data" / "logs" / "guides.json").read_text("utf-8"))
    path = tmp_path / "signatures.json"
    path.write_text(json.dumps(bundle_from_guides(guides)), "utf-8")
    return path
