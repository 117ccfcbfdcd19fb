"""PEP 691 JSON pages to dataclasses."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from indexserver import DATA_DIR

from generator.errors import WheelfixError
from generator.index.page import (
    IndexClientError,
    IndexDataError,
    index_label,
    load_project_page,
    parse_project_page,
    parse_timestamp,
)

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _file(**over: Any) -> dict[str, Any]:
    base = {"filename": "demo-1.0-py3-none-any.whl", "url": "/packages/demo-1.0-py3-none-any.whl",
            "hashes": {"sha256": "ab" * 32}, "requires-python": ">=3.8", "yanked": False,
            "upload-time": "2024-10-03T16:08:02.123456Z", "size": 10}
    base.update(over)
    return base


def _page(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"meta": {"api-version": "1.1", "_last-serial": 7}, "name": "Demo_Pkg", "files": [_file()], "versions": ["1.0"]}
    base.update(over)
    return base


def test_recorded_page_parses() -> None:
    payload = json.loads((DATA_DIR / "tiktoken.json").read_text())
    page = parse_project_page("tiktoken", payload, fetched_at=NOW)
    assert page.name == "tiktoken"
    assert "0.8.0" in page.versions
    assert len(page.files) == len(payload["files"]) > 100
    f = next(f for f in page.files if f.filename == "tiktoken-0.8.0.tar.gz")
    assert f.upload_time is not None and f.upload_time.tzinfo is not None
    assert f.sha256 and len(f.sha256) == 64 and f.size and f.size > 0
    assert f.url.startswith("/packages/")


def test_fields() -> None:
    page = parse_project_page("demo-pkg", _page(), fetched_at=NOW)
    assert page.name == "demo-pkg" and page.last_serial == 7 and page.fetched_at == NOW
    f = page.files[0]
    assert f.requires_python == ">=3.8" and f.yanked is False and not f.is_yanked
    assert f.upload_time == datetime(2024, 10, 3, 16, 8, 2, 123456, tzinfo=timezone.utc)


def test_header_serial_wins_and_relative_urls_resolve() -> None:
    page = parse_project_page("demo-pkg", _page(), fetched_at=NOW, last_serial=99, base_url="http://127.0.0.1:1/simple/demo-pkg/")
    assert page.last_serial == 99
    assert page.files[0].url == "http://127.0.0.1:1/packages/demo-1.0-py3-none-any.whl"


@pytest.mark.parametrize(
    "yanked, is_yanked",
    [(False, False), (True, True), ("broken build", True), ("", True)],  # PEP 592/691 forms
)
def test_yanked_forms(yanked: Any, is_yanked: bool) -> None:
    page = parse_project_page("demo-pkg", _page(files=[_file(yanked=yanked)]), fetched_at=NOW)
    assert page.files[0].yanked == yanked and page.files[0].is_yanked is is_yanked


def test_versions_derived_when_missing() -> None:
    payload = _page(files=[_file(), _file(filename="demo_pkg-2.0.tar.gz", url="/p/demo_pkg-2.0.tar.gz")])
    del payload["versions"]
    assert parse_project_page("demo-pkg", payload, fetched_at=NOW).versions == ("1.0", "2.0")


@pytest.mark.parametrize(
    "timestamp, expected",
    [
        ("2024-10-03T16:08:02Z", datetime(2024, 10, 3, 16, 8, 2, tzinfo=timezone.utc)),  # no fraction
        ("2024-10-03T16:08:02.1Z", datetime(2024, 10, 3, 16, 8, 2, 100000, tzinfo=timezone.utc)),  # 1 digit
        ("2024-10-03T18:08:02+02:00", datetime(2024, 10, 3, 16, 8, 2, tzinfo=timezone.utc)),  # offset
    ],
)
def test_timestamps(timestamp: str, expected: datetime) -> None:
    assert parse_timestamp(timestamp) == expected


@pytest.mark.parametrize(
    "payload, text",
    [
        ([], "must be a JSON object"),  # not an object
        (_page(files={"a": 1}), "files is {'a': 1}, but it must be a list"),  # files not a list
        (_page(files=[_file(filename=None)]), "filename is None"),  # missing filename
        (_page(files=[_file(yanked=1)]), "yanked is 1"),  # wrong yanked type
        (_page(files=[_file(**{"upload-time": "yesterday"})]), "upload-time is 'yesterday'"),  # bad time
        (_page(files=[_file(size=-1)]), "size is -1"),  # negative size
        (_page(files=[_file(hashes=[])]), "hashes is []"),  # hashes not a mapping
        (_page(name="other"), "name is 'other'"),  # page for another project
        (_page(meta={"api-version": "2.0"}), "api-version is '2.0'"),  # future major API
        (_page(versions=[1]), "versions is [1]"),  # versions not strings
        ({k: v for k, v in _page().items() if k != "meta"}, "meta is None"),  # PEP 691 requires meta
        (_page(meta={}), "api-version is None"),  # ... with the api-version
        (_page(meta={"api-version": "1.1\n"}), "api-version is '1.1\\n'"),  # exactly 1.N
        ({k: v for k, v in _page().items() if k != "name"}, "name is None"),  # and the name
        (_page(files=[{k: v for k, v in _file().items() if k != "hashes"}]), "hashes is None"),  # hashes, even empty
        (_page(files=[_file(hashes={"sha256": 5})]), "hashes is {'sha256': 5}"),  # digests are hex strings
        (_page(files=[{k: v for k, v in _file().items() if k != "url"}]), "url is None"),
    ],
)
def test_malformed(payload: Any, text: str) -> None:
    with pytest.raises(IndexDataError) as info:
        parse_project_page("demo-pkg", payload, fetched_at=NOW)
    assert text in str(info.value)
    assert isinstance(info.value, IndexClientError) and isinstance(info.value, WheelfixError)
    assert info.value.hint


_BODY = json.dumps(_page()).encode()


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.pypi.simple.v1+json",
        "application/vnd.pypi.simple.v1+json; charset=utf-8",
        "Application/VND.pypi.simple.V1+JSON",  # media types are case-insensitive
    ],
)
def test_accepted_content_types(content_type: str) -> None:
    page = load_project_page("demo-pkg", _BODY, content_type=content_type, fetched_at=NOW)
    assert page.name == "demo-pkg"


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=utf-8",  # a captive portal, a proxy's error page, a PEP 503 page
        "application/json",  # does not say it is the simple API, nor which version
        "application/vnd.pypi.simple.latest+json",  # a request alias; answers name the version
        "application/vnd.pypi.simple.v2+json",
        "",
    ],
)
def test_refused_content_types(content_type: str) -> None:
    with pytest.raises(IndexDataError, match="project page for 'demo-pkg' came as") as info:
        load_project_page("demo-pkg", _BODY, content_type=content_type, fetched_at=NOW)
    assert "captive portal" in (info.value.hint or "")


@pytest.mark.parametrize(
    "body, text",
    [
        (b"\xff\xfe{}", "is not valid JSON"),  # not UTF-8
        (b'{"name": ', "is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "is JSON nested more than 32 levels deep"),
    ],
)
def test_bodies_that_are_not_json_pages(body: bytes, text: str) -> None:
    with pytest.raises(IndexDataError, match=text):
        load_project_page("demo-pkg", body, content_type="application/vnd.pypi.simple.v1+json", fetched_at=NOW)


def test_every_recorded_page_loads_from_its_bytes() -> None:
    for path in sorted(DATA_DIR.glob("*.json")):
        if path.name.endswith(".headers.json"):
            continue
        headers = json.loads(path.with_name(path.name[: -len(".json")] + ".headers.json").read_text())
        page = load_project_page(path.name[: -len(".json")], path.read_bytes(), content_type=headers["content-type"], fetched_at=NOW)
        assert page.files and page.versions


@pytest.mark.parametrize(
    "url, label",
    [
        ("https://example.org/simple/", "example.org/simple"),
        ("http://127.0.0.1:8080/simple", "127.0.0.1:8080/simple"),
        ("https://user:s3cret@example.org/pypi/simple/?token=abc#x", "example.org/pypi/simple"),  # no credentials
        ("https://[::1]:3141/root/pypi/+simple/", "[::1]:3141/root/pypi/+simple"),
        ("https://example.org/a b/<script>/", "example.org/a%20b/%3Cscript%3E"),
        ("https://exa<mple.org/simple/", "the configured index"),
        ("https://example.org:99999/simple/", "the configured index"),  # not a port
    ],
)
def test_index_label(url: str, label: str) -> None:
    assert index_label(url) == label
