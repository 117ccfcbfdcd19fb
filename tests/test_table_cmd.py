"""`wheelfix table` end to end against the local index."""

from __future__ import annotations

import json
from typing import Any

import pytest

from indexserver import IndexServer

from generator.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], server: IndexServer, *argv: str) -> dict[str, Any]:
    code, out, err = _run(capsys, "table", *argv, "--json", "--index-url", server.index_url)
    assert code == 0, err
    return json.loads(out)  # exactly one object, nothing else on stdout


def _releases(doc: dict[str, Any], python: str, platform: str) -> dict[str, dict[str, Any]]:
    cell = next(c for c in doc["cells"] if c["python"] == python and c["platform"] == platform)
    return {r["version"]: r for r in cell["releases"]}


def test_json_shape_and_done_when(index_server: IndexServer, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, index_server, "tiktoken", "--python", "3.13", "--platform", "manylinux_2_35_x86_64")
    assert set(doc) == {"package", "index_serial", "fetched_at", "cells"}
    assert doc["package"] == "tiktoken" and doc["index_serial"] == 12345
    rel = _releases(doc, "3.13", "manylinux_2_35_x86_64")
    assert set(rel["0.7.0"]) == {"version", "kind", "file", "yanked", "upload_time"}
    assert rel["0.7.0"]["kind"] == "sdist" and rel["0.7.0"]["file"] == "tiktoken-0.7.0.tar.gz"
    assert rel["0.8.0"]["kind"] == "wheel" and rel["0.8.0"]["file"].startswith("tiktoken-0.8.0-cp313-cp313-manylinux")
    assert rel["0.8.0"]["upload_time"].startswith("2024-10-03")
    assert len(rel) == 20  # every release the index knows


def test_manylinux_2_28_only_releases_build_from_source_on_2_26(index_server: IndexServer, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, index_server, "tiktoken", "--python", "3.13", "--platform", "manylinux_2_26_x86_64")
    rel = _releases(doc, "3.13", "manylinux_2_26_x86_64")
    doc35 = _json(capsys, index_server, "tiktoken", "--python", "3.13", "--platform", "manylinux_2_35_x86_64")
    rel35 = _releases(doc35, "3.13", "manylinux_2_35_x86_64")
    only_228 = [v for v, r in rel35.items() if r["kind"] == "wheel" and "manylinux_2_28" in r["file"]]
    assert only_228  # the recorded data has such releases (0.12.0 on)
    for v in only_228:
        assert rel[v]["kind"] == "sdist", v
    assert rel["0.8.0"]["kind"] == "wheel"  # manylinux2014 wheels still serve glibc 2.26


def test_release_filter_and_free_threaded(index_server: IndexServer, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, index_server, "numpy", "--python", "3.13t", "--python", "3.13",
                "--platform", "macosx_14_0_arm64", "--platform", "win_amd64", "--release", "==2.1.0")
    assert [c["python"] for c in doc["cells"]] == ["3.13t", "3.13t", "3.13", "3.13"]
    assert _releases(doc, "3.13t", "macosx_14_0_arm64")["2.1.0"]["file"] == "numpy-2.1.0-cp313-cp313t-macosx_14_0_arm64.whl"
    # numpy 2.1.0 shipped no free-threaded Windows wheel
    assert _releases(doc, "3.13t", "win_amd64")["2.1.0"]["kind"] == "sdist"
    assert _releases(doc, "3.13", "win_amd64")["2.1.0"]["file"] == "numpy-2.1.0-cp313-cp313-win_amd64.whl"
    assert all(len(c["releases"]) == 1 for c in doc["cells"])


def test_default_matrix(index_server: IndexServer, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(capsys, index_server, "tiktoken")
    pythons = sorted({c["python"] for c in doc["cells"]}, key=lambda p: int(p.split(".")[1]))
    platforms = {c["platform"] for c in doc["cells"]}
    assert pythons[0] == "3.9"
    assert platforms == {"manylinux_2_35_x86_64", "musllinux_1_2_x86_64", "macosx_14_0_arm64", "win_amd64"}


def test_human_table(index_server: IndexServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "table", "tiktoken", "--python", "3.12", "--python", "3.13",
                           "--platform", "win_amd64", "--index-url", index_server.index_url)
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("0.7.0 "))
    assert row.split("|")[1].split() == ["W", "s"]
    assert "data as of " in out and "UTC" in out and "W wheel" in out


@pytest.mark.parametrize(
    "argv, text",
    [
        (["tiktokn"], "no project named 'tiktokn' on the index"),  # unknown project
        (["tiktoken", "--python", "3.x"], "not of the form X.Y"),  # bad python
        (["tiktoken", "--platform", "linux"], "not a platform tag"),  # bad platform
        (["tiktoken", "--release", ">>1"], "not a version specifier"),  # bad specifier
        (["tiktoken", "--max-age", "-1"], "negative"),  # bad window
        (["tiktoken", "--offline"], "no cached copy"),  # nothing cached yet
    ],
)
def test_bad_input_exits_2_without_traceback(index_server: IndexServer, capsys: pytest.CaptureFixture[str], argv: list[str], text: str) -> None:
    code, out, err = _run(capsys, "table", *argv, "--index-url", index_server.index_url)
    assert code == 2
    assert text in err and "Traceback" not in err and out == ""


def test_offline_after_fetch(index_server: IndexServer, capsys: pytest.CaptureFixture[str]) -> None:
    _json(capsys, index_server, "six", "--python", "3.13", "--platform", "win_amd64")
    index_server.reset_counts()
    doc = _json(capsys, index_server, "six", "--python", "3.13", "--platform", "win_amd64", "--offline")
    assert doc["package"] == "six" and index_server.total_requests() == 0
