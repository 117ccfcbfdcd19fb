"""The index client against the local fault-injecting server."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from indexserver import IndexServer

from generator.index.cache import PageCache
from generator.index.client import (
    USER_AGENT,
    IndexClient,
    IndexClientError,
    IndexDataError,
    IndexUnavailable,
    ProjectNotFound,
    configured_index_url,
    default_cache_dir,
    project_url,
)

SIX = "/simple/six/"


def _client(server: IndexServer, tmp_path: Path, **kw: object) -> IndexClient:
    opts: dict = {"cache_dir": tmp_path / "cache", "timeout": 2.0, "backoff_factor": 0.0, "progress": False}  # type: ignore[type-arg]
    opts.update(kw)
    return IndexClient(server.index_url, **opts)


def test_fetch_parses_and_normalises(index_server: IndexServer, tmp_path: Path) -> None:
    page = _client(index_server, tmp_path).fetch("Six")
    assert page.name == "six" and "1.17.0" in page.versions
    assert page.last_serial == 12345  # from the X-PyPI-Last-Serial header
    assert page.files[0].url.startswith(index_server.url + "/packages/")
    assert index_server.counts[SIX] == 1


def test_user_agent_and_accept(index_server: IndexServer, tmp_path: Path) -> None:
    session = _client(index_server, tmp_path)._session()
    assert session.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("wheelfix/0.") and "(+https://" in USER_AGENT
    assert session.headers["Accept"] == "application/vnd.pypi.simple.v1+json"


def test_zero_requests_inside_freshness_window(index_server: IndexServer, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch("six")
    again = _client(index_server, tmp_path)  # a new process, same cache dir
    page = again.fetch("six")
    assert page.name == "six"
    assert index_server.counts[SIX] == 1
    assert again.stats.requests == 0 and again.stats.cache_hits == 1


def test_only_conditional_requests_after_window(index_server: IndexServer, tmp_path: Path) -> None:
    first = _client(index_server, tmp_path).fetch("six")  # stored under a 1 h window
    time.sleep(1.1)  # the window is measured in whole seconds of the Date header
    client = _client(index_server, tmp_path, max_age=timedelta(0))
    page = client.fetch("six")
    assert index_server.counts[SIX] == 2 and index_server.conditional[SIX] == 1
    assert client.stats.conditional_requests == 1 and client.stats.bytes == 0
    assert page.files == first.files
    assert page.fetched_at > first.fetched_at  # a 304 counts as confirmation


def test_404_is_project_not_found(index_server: IndexServer, tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFound, match="no project named 'tiktokn' on the index"):
        _client(index_server, tmp_path).fetch("tiktokn")


@pytest.mark.parametrize("name", ["../etc", "a b", "", "-x"])  # not PEP 508 names: never sent
def test_invalid_names(index_server: IndexServer, tmp_path: Path, name: str) -> None:
    with pytest.raises(IndexClientError, match="not a valid project name"):
        _client(index_server, tmp_path).fetch(name)
    assert index_server.total_requests() == 0


def test_retries_500_then_succeeds(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "status", code=500, times=2)
    assert _client(index_server, tmp_path).fetch("six").name == "six"
    assert index_server.counts[SIX] == 3


def test_429_honours_retry_after(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "status", code=429, headers={"Retry-After": "1"})
    started = time.monotonic()
    assert _client(index_server, tmp_path).fetch("six").name == "six"
    assert time.monotonic() - started >= 1.0  # waited as told, not the zero backoff
    assert index_server.counts[SIX] == 2


def test_persistent_500_without_cache_is_unavailable(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "status", code=503, times=10)
    with pytest.raises(IndexUnavailable, match="'six'.*HTTP 503") as info:
        _client(index_server, tmp_path, retries=1).fetch("six")
    assert "PIP_INDEX_URL" in (info.value.hint or "")


def test_timeout_without_cache_is_unavailable(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "timeout", seconds=1.0, times=5)
    with pytest.raises(IndexUnavailable, match="timed out"):
        _client(index_server, tmp_path, timeout=0.2, retries=1).fetch("six")


def test_failure_falls_back_to_stale_cache_with_warning(index_server: IndexServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = _client(index_server, tmp_path, max_age=timedelta(0)).fetch("six")
    index_server.add_fault(SIX, "status", code=500, times=10)
    caplog.set_level(logging.WARNING, logger="wheelfix")
    client = _client(index_server, tmp_path, max_age=timedelta(0), retries=1)
    page = client.fetch("six")
    assert page.files == good.files and page.fetched_at == good.fetched_at
    assert client.stats.stale_uses == 1
    assert any("six" in r.getMessage() and "ago" in r.getMessage() for r in caplog.records)


def test_offline_uses_cache_of_any_age_and_sends_nothing(index_server: IndexServer, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch("six")
    index_server.reset_counts()
    page = _client(index_server, tmp_path, offline=True, max_age=timedelta(0)).fetch("six")
    assert page.name == "six" and index_server.total_requests() == 0
    with pytest.raises(IndexUnavailable, match="'tiktoken'.*offline"):
        _client(index_server, tmp_path, offline=True).fetch("tiktoken")


def test_truncated_body_is_an_error_not_empty_data(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "truncate", times=10)
    with pytest.raises(IndexClientError) as info:
        _client(index_server, tmp_path, retries=0).fetch("six")
    assert "six" in str(info.value)


def test_invalid_json_is_a_clear_error_and_not_cached(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "invalid_json")
    with pytest.raises(IndexDataError, match="'six' is not valid JSON"):
        _client(index_server, tmp_path).fetch("six")
    assert _client(index_server, tmp_path).fetch("six").name == "six"  # the bad body was not cached
    assert index_server.counts[SIX] == 2


def test_wrong_content_type(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add_fault(SIX, "status", code=200, headers={"Content-Type": "text/html"})
    with pytest.raises(IndexDataError, match="text/html"):
        _client(index_server, tmp_path).fetch("six")


def test_corrupt_cache_entry_is_a_miss(index_server: IndexServer, tmp_path: Path) -> None:
    _client(index_server, tmp_path).fetch("six")
    entries = [p for p in (tmp_path / "cache" / "http").rglob("*") if p.is_file() and not p.name.endswith(".lock") and not p.name.startswith(".")]
    assert len(entries) == 1
    entries[0].write_bytes(entries[0].read_bytes()[:100])  # as if a disk went bad
    assert _client(index_server, tmp_path).fetch("six").name == "six"
    assert index_server.counts[SIX] == 2


def test_cache_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = PageCache(tmp_path)
    cache.set("k", b"first")
    def boom(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # killed between writing and renaming
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        cache.set("k", b"second")
    monkeypatch.undo()
    assert cache.get("k") == b"first"
    assert not [p for p in tmp_path.rglob("*.part")]


def test_fetch_many_mixes_pages_and_errors(index_server: IndexServer, tmp_path: Path) -> None:
    client = _client(index_server, tmp_path, max_workers=4)
    results = client.fetch_many(["six", "tiktoken", "nope-not-here", "six"])
    assert list(results) == ["six", "tiktoken", "nope-not-here"]
    assert results["six"].name == "six"  # type: ignore[union-attr]
    assert isinstance(results["nope-not-here"], ProjectNotFound)
    assert index_server.counts[SIX] == 1


def test_project_url() -> None:
    assert project_url("http://127.0.0.1:1/simple", "Typing_Extensions") == "http://127.0.0.1:1/simple/typing-extensions/"
    assert project_url("http://127.0.0.1:1/simple/", "six") == "http://127.0.0.1:1/simple/six/"


def test_configured_index_url_prefers_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")
    assert configured_index_url() == "http://127.0.0.1:9/simple/"


def test_configured_index_url_reads_pip_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = http://127.0.0.1:8/simple/\n")
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    assert configured_index_url() == "http://127.0.0.1:8/simple/"


def test_configured_index_url_default_is_pips(monkeypatch: pytest.MonkeyPatch) -> None:
    from pip._internal.models.index import PyPI

    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    assert configured_index_url() == PyPI.simple_url


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WHEELFIX_CACHE_DIR", str(tmp_path / "a"))
    assert default_cache_dir() == tmp_path / "a"
    monkeypatch.delenv("WHEELFIX_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x" / "wheelfix"


@pytest.mark.live
def test_live_fetch(tmp_path: Path) -> None:
    page = IndexClient(cache_dir=tmp_path, progress=False).fetch("six")
    assert "1.16.0" in page.versions
