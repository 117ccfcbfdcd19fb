"""The facts pass and its cache: one judging per page, reused exactly while nothing it depends on changes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import types
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest

from conftest import recorded_page
from indexserver import DATA_DIR, IndexServer
from generator import kb as kb_mod
from generator.index.client import IndexClient
from generator.index.page import PARSED
from generator.site import factcache, verify
from generator.site.factcache import FactCache, cache_key
from generator.site.facts import Claim, Questions, package_facts

ROOT = Path(__file__).resolve().parent.parent
TIKTOKEN = "tiktoken-cargo-read-only-filesystem"
LINUX = "manylinux_2_35_x86_64"


def _kb(tmp_path: Path, replace: Tuple[str, str] = ("", "")) -> Path:
    """The tiktoken guide alone (optionally with one edit), over the real environments."""
    kb = tmp_path / "kb"
    kb.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "kb" / "environments.yaml", kb / "environments.yaml")
    text = (ROOT / "kb" / f"{TIKTOKEN}.yaml").read_text(encoding="utf-8").replace("related: [python-h-missing]", "related: []")
    old, new = replace
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    (kb / f"{TIKTOKEN}.yaml").write_text(text, encoding="utf-8")
    return kb


class Build:
    """One facts pass over the KB, counting the index JSON it decodes."""

    def __init__(self, server: IndexServer, cache_dir: Path) -> None:
        self.server = server
        self.cache_dir = cache_dir

    def __call__(self, kb: Path, *, max_age: int = 3600, offline: bool = False) -> Tuple[verify.SiteFacts, int]:
        client = IndexClient(self.server.index_url, cache_dir=self.cache_dir, max_age=timedelta(seconds=max_age), offline=offline, progress=False)
        before = PARSED.bytes
        found = verify.collect(kb_mod.load(kb), client, FactCache.beside(self.cache_dir))
        assert not found.problems, found.problems
        return found, PARSED.bytes - before


@pytest.fixture
def build(index_server: IndexServer, tmp_path: Path) -> Build:
    return Build(index_server, tmp_path / "cache")


def _report(kb: Path, found: verify.SiteFacts) -> verify.Report:
    return verify.extras(kb_mod.load(kb), found)


# -- a warm build reads facts, not pages -----------------------------------------------------


@pytest.mark.parametrize("offline", [False, True], ids=["fresh cache", "offline"])
def test_a_warm_build_decodes_no_index_json_and_says_the_same(build: Build, tmp_path: Path, offline: bool) -> None:
    kb = _kb(tmp_path)
    cold, cold_parsed = build(kb)
    warm, warm_parsed = build(kb, offline=offline)
    assert cold_parsed > 0
    assert warm_parsed == 0
    assert warm.packages == cold.packages
    assert _report(kb, warm).extras == _report(kb, cold).extras


def test_a_revalidated_page_that_did_not_change_keeps_its_facts(build: Build, tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    build(kb)
    requests_before = sum(build.server.conditional.values())
    found, parsed = build(kb, max_age=0)  # asks the index again: 304, same body
    assert sum(build.server.conditional.values()) > requests_before
    assert parsed == 0 and "tiktoken" in found.packages


# -- invalidation: exactly when an input changes ------------------------------------------


def test_a_new_upload_recomputes(build: Build, tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    before, _ = build(kb)
    page = json.loads((DATA_DIR / "tiktoken.json").read_text())
    newest = before.packages["tiktoken"].releases[-1]
    upload = "99.0.0"
    page["files"].append(
        {"filename": f"tiktoken-{upload}-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "url": "x.whl",
         "hashes": {}, "requires-python": ">=3.9", "upload-time": "2030-01-01T00:00:00Z", "yanked": False}
    )
    page["versions"].append(upload)
    build.server.set_page("tiktoken", page)
    after, parsed = build(kb, max_age=0)  # the new ETag gives a 200 with the new page
    assert parsed > 0
    assert after.packages["tiktoken"].releases[-2:] == (newest, upload)
    assert after.pages["tiktoken"].digest != before.pages["tiktoken"].digest
    again, parsed_again = build(kb)
    assert parsed_again == 0 and again.packages == after.packages


def test_an_engine_change_recomputes(build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = _kb(tmp_path)
    build(kb)
    monkeypatch.setattr(factcache, "ENGINE_VERSION", factcache.ENGINE_VERSION + 1)
    factcache.engine_version.cache_clear()
    try:
        _, parsed = build(kb)
    finally:
        factcache.engine_version.cache_clear()
    assert parsed > 0


def test_a_change_to_the_engine_source_changes_the_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "wheels.py"
    source.write_text("RULE = 1\n")
    monkeypatch.setattr(factcache, "_ENGINE_MODULES", (types.SimpleNamespace(__file__=str(source)),))
    factcache.engine_version.cache_clear()
    try:
        first = factcache.engine_version()
        source.write_text("RULE = 2\n")
        factcache.engine_version.cache_clear()
        assert factcache.engine_version() != first
    finally:
        factcache.engine_version.cache_clear()


@pytest.mark.parametrize(
    "edit",
    [
        # another platform for the guide's tables and upstream note
        ("platforms: [render", "platforms: [aws-lambda-python, render"),
        # a claim asks about other targets
        ('python: ["3.13"]', 'python: ["3.12", "3.13"]'),
    ],
    ids=["platforms", "claim targets"],
)
def test_a_different_target_set_recomputes(build: Build, tmp_path: Path, edit: Tuple[str, str]) -> None:
    build(_kb(tmp_path))
    other = _kb(tmp_path / "other", edit)
    found, parsed = build(other)
    assert parsed > 0
    fresh = verify.from_pages(kb_mod.load(other), {"tiktoken": recorded_page("tiktoken")})
    assert found.packages["tiktoken"].platforms.keys() == fresh.packages["tiktoken"].platforms.keys()
    assert found.packages["tiktoken"].claims == fresh.packages["tiktoken"].claims


def test_an_edit_that_asks_nothing_new_keeps_the_facts(build: Build, tmp_path: Path) -> None:
    build(_kb(tmp_path))
    _, parsed = build(_kb(tmp_path / "other", ("summary: >-\n", "summary: >-\n  Edited.\n")))
    assert parsed == 0


def test_the_key_covers_every_input() -> None:
    q = Questions((LINUX,), (Claim("tiktoken>=0.8.0", ("3.13",), (LINUX,)),))
    base = cache_key("tiktoken", "d1", q)
    assert cache_key("tiktoken", "d1", q) == base
    others = [
        cache_key("tiktokens", "d1", q),
        cache_key("tiktoken", "d2", q),
        cache_key("tiktoken", "d1", Questions((LINUX, "win_amd64"), q.claims)),
        cache_key("tiktoken", "d1", Questions((LINUX,))),
        cache_key("tiktoken", "d1", Questions((LINUX,), (Claim("tiktoken>=0.8.0", ("3.12",), (LINUX,)),))),
    ]
    assert len({base, *others}) == len(others) + 1


# -- facts read back are the facts written -------------------------------------------------


_SMALL = sorted(p.name[:-5] for p in DATA_DIR.glob("*.json") if not p.name.endswith(".headers.json") and p.stat().st_size < 600_000)


@pytest.mark.parametrize("name", _SMALL)
def test_stored_facts_read_back_equal(tmp_path: Path, name: str) -> None:
    page = recorded_page(name)
    claims = (Claim(f"{name}>=0", ("3.12", "3.13t"), (LINUX,)), Claim(f"{name}<0", ("3.9",), ("win_amd64",)))
    q = Questions((LINUX, "musllinux_1_2_x86_64", "win_amd64"), claims)
    found = package_facts(page, q)
    cache = FactCache(tmp_path)
    cache.store(cache_key(name, "d", q), found)
    assert cache.load(name, q, cache_key(name, "d", q)) == found
    assert cache.load(name, q, cache_key(name, "other", q)) is None


# -- a cache file that is not what was written is a miss, never an error ------------------------


def _entry(tmp_path: Path) -> Tuple[FactCache, Questions, str, Path]:
    q = Questions((LINUX,), (Claim("tiktoken>=0.8.0", ("3.13",), (LINUX,)),))
    cache = FactCache(tmp_path / "facts")
    key = cache_key("tiktoken", "d", q)
    cache.store(key, package_facts(recorded_page("tiktoken"), q))
    (path,) = list((tmp_path / "facts").glob("*.json"))
    return cache, q, key, path


def _resealed(change: Callable[[Dict[str, Any]], None], text: Tuple[bytes, bytes] = (b"", b"")) -> Callable[[bytes], bytes]:
    """A mutation of the facts that keeps the header's key and a valid checksum: only the content checks can catch it."""

    def apply(raw: bytes) -> bytes:
        head, _, body = raw.partition(b"\n")
        data = json.loads(body)
        change(data)
        new = json.dumps(data).encode().replace(*text)
        header = json.loads(head)
        header["sha256"] = hashlib.sha256(new).hexdigest()
        return json.dumps(header).encode() + b"\n" + new

    return apply


def _set(path: List[Any], value: Any) -> Callable[[Dict[str, Any]], None]:
    def change(data: Dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


_TAG = LINUX
_CORRUPTIONS: Dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda raw: b"",
    "garbage": lambda raw: os.urandom(4096),
    "truncated": lambda raw: raw[: len(raw) // 2],
    "header only": lambda raw: raw.partition(b"\n")[0],
    "flipped byte": lambda raw: raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:],
    "invalid UTF-8": lambda raw: raw.partition(b"\n")[0] + b"\n\xff\xfe" + raw.partition(b"\n")[2],
    "deep JSON": lambda raw: raw.partition(b"\n")[0] + b"\n" + b"[" * 200_000 + b"]" * 200_000,
    "header not an object": lambda raw: b"[1]\n" + raw.partition(b"\n")[2],
    "other format": lambda raw: raw.replace(b'"format": 1', b'"format": 2', 1),
    "not an object": _resealed(lambda d: d.clear()),
    "another package": _resealed(_set(["name"], "numpy")),
    "a state letter unknown": _resealed(lambda d: d["platforms"][_TAG]["states"].__setitem__(0, "<" * len(d["columns"]))),
    "a row too short": _resealed(lambda d: d["platforms"][_TAG]["files"].__setitem__(0, [])),
    "a file not a string": _resealed(lambda d: d["platforms"][_TAG]["files"][0].__setitem__(0, 7)),
    "a release date missing": _resealed(lambda d: d["released"].pop()),
    "a platform missing": _resealed(lambda d: d["platforms"].clear()),
    "a claim missing": _resealed(_set(["claims"], [])),
    "a claim of another shape": _resealed(lambda d: d["claims"][0].pop()),
    "a version that is not one": _resealed(lambda d: d["platforms"][_TAG]["upstream"].__setitem__(0, ["not a version", None, False])),
    "a naive time": _resealed(lambda d: d["platforms"][_TAG]["upstream"].__setitem__(0, ["1.0", "2024-01-01T00:00:00", False])),
    "a huge integer": _resealed(_set(["serial"], "HUGE"), (b'"HUGE"', b"9" * 5000)),
    "a serial not an integer": _resealed(_set(["serial"], True)),
    "minors not integers": _resealed(_set(["minors"], ["3.13"])),
    "summaries not strings": _resealed(lambda d: d["platforms"][_TAG].__setitem__("summaries", [None])),
}


@pytest.mark.parametrize("corruption", list(_CORRUPTIONS), ids=list(_CORRUPTIONS))
def test_a_corrupt_entry_is_a_miss(tmp_path: Path, corruption: str) -> None:
    cache, q, key, path = _entry(tmp_path)
    assert cache.load("tiktoken", q, key) is not None
    path.write_bytes(_CORRUPTIONS[corruption](path.read_bytes()))
    assert cache.load("tiktoken", q, key) is None


@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink to a device", "dangling symlink", "oversized"])
def test_an_entry_that_is_not_a_small_regular_file_is_a_miss(tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, q, key, path = _entry(tmp_path)
    if kind == "oversized":
        monkeypatch.setattr(factcache, "MAX_ENTRY_BYTES", path.stat().st_size - 1)
    else:
        path.unlink()
        if kind == "directory":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "symlink to a device":
            path.symlink_to("/dev/zero")
        else:
            path.symlink_to(tmp_path / "nowhere")
    assert cache.load("tiktoken", q, key) is None


def test_a_build_over_a_corrupt_cache_recomputes_and_repairs_it(build: Build, tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    cold, _ = build(kb)
    for entry in (build.cache_dir / "facts").glob("*.json"):
        entry.write_bytes(b"\x00" * 100)
    again, parsed = build(kb)
    assert parsed > 0 and again.packages == cold.packages
    _, parsed = build(kb)
    assert parsed == 0


def test_an_unwritable_cache_warns_once_and_the_build_goes_on(build: Build, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (build.cache_dir).mkdir(parents=True)
    (build.cache_dir / "facts").write_text("a file where the directory should be")
    kb = _kb(tmp_path)
    found, _ = build(kb)
    assert "tiktoken" in found.packages
    assert sum("cannot write the facts cache" in r.getMessage() for r in caplog.records) == 1
