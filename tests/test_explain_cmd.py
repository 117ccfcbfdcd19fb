"""Tests for ``wheelfix explain``: output, JSON contract, exit codes, start-up imports."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.logs.bundle import bundle_from_guides

LOGS = Path(__file__).parent / "data" / "logs"
ROOT = Path(__file__).parent.parent


def test_text_output_shows_guides_fix_lines_and_diagnosis(bundle: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WHEELFIX_SITE_URL", raising=False)
    assert main(["explain", str(LOGS / "cut-middle.log"), "--index", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert out.index("1. tiktoken: can't find Rust compiler") < out.index("2. can't find Rust compiler")
    assert "guide: https://wheelfix.onrender.com/guides/tiktoken-no-rust/" in out  # the published site by default
    assert "fix: Use a tiktoken release with a wheel" in out
    assert "5: error: can't find Rust compiler" in out
    assert "failed: tiktoken 0.6.0" in out


def test_site_url_option_overrides_and_empty_keeps_paths_relative(bundle: Path, capsys: Any) -> None:
    assert main(["explain", str(LOGS / "cut-middle.log"), "--index", str(bundle), "--site-url", ""]) == 0
    assert "guide: guides/tiktoken-no-rust/" in capsys.readouterr().out
    assert main(["explain", str(LOGS / "cut-middle.log"), "--index", str(bundle), "--site-url", "https://mirror.example/kb"]) == 0
    assert "guide: https://mirror.example/kb/guides/tiktoken-no-rust/" in capsys.readouterr().out


def test_json_is_exactly_the_documented_object(bundle: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHEELFIX_SITE_URL", "http://127.0.0.1:8000/")
    assert main(["explain", str(LOGS / "buildkit-crlf.log"), "--json", "--index", str(bundle)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "matches": [
            {
                "id": "cffi-ffi-h-missing",
                "title": "cffi: ffi.h: No such file or directory",
                "url": "http://127.0.0.1:8000/guides/cffi-ffi-h-missing/",
                "fix": "Install libffi headers",
                "lines": [
                    {"number": 2, "text": "Collecting cffi==1.16.0"},
                    {"number": 4, "text": "src/c/_cffi_backend.c:15:10: fatal error: ffi.h: No such file or directory"},
                ],
            }
        ],
        "diagnosis": {
            "built_from_source": ["cffi"], "failed": "cffi", "python": None, "platform": None, "nearest_wheel": None,
            "failed_version": "1.16.0", "failed_because": "stated", "source_archive": "cffi-1.16.0.tar.gz",
            "no_wheel_evidence": "Downloading cffi-1.16.0.tar.gz (512 kB)",
            "platform_proof": None, "nearest_wheel_note": "the log does not show the Python version",
        },
    }


def test_site_url_option_wins_over_env(bundle: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHEELFIX_SITE_URL", "http://127.0.0.1:1/")
    main(["explain", str(LOGS / "vercel.log"), "--json", "--index", str(bundle), "--site-url", "http://127.0.0.1:2/docs"])
    assert json.loads(capsys.readouterr().out)["matches"][0]["url"] == "http://127.0.0.1:2/docs/guides/numpy-old-abi/"


def test_stdin_and_no_match_exits_1(bundle: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"all good\n")))
    assert main(["explain", "-", "--index", str(bundle)]) == 1
    assert "No guide matches this log." in capsys.readouterr().out


@pytest.mark.parametrize("content", [b"", b"\n  \n\r\n", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("via_stdin", [False, True])
def test_empty_log_is_a_usage_error(bundle: Path, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch,
                                    content: bytes, via_stdin: bool) -> None:
    log = tmp_path / "empty.log"
    log.write_bytes(content)
    if via_stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content)))
    assert main(["explain", "-" if via_stdin else str(log), "--index", str(bundle)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("wheelfix: error: the log (") and ("is empty" in captured.err or "only blank lines" in captured.err)
    assert "No guide matches" not in captured.err


def test_default_shows_best_three_and_all_shows_every_one(tmp_path: Path, capsys: Any) -> None:
    guides = [{"id": f"g{i}", "title": f"G{i}", "url": f"guides/g{i}/", "fix": "f", "signatures": [{"match": [{"text": "boom!"}]}]} for i in range(5)]
    index = tmp_path / "b.json"
    index.write_text(json.dumps(bundle_from_guides(guides)), "utf-8")
    log = tmp_path / "x.log"
    log.write_text("boom!\n", "utf-8")
    main(["explain", str(log), "--index", str(index)])
    out = capsys.readouterr().out
    assert "3. G2" in out and "4. G3" not in out and "(2 more; use --all to see them)" in out
    main(["explain", str(log), "--index", str(index), "--all"])
    assert "5. G4" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/build.log"], "cannot read log /nonexistent/build.log"),  # missing file
        ([str(LOGS)], f"cannot read log {LOGS}"),  # a directory
    ],
)
def test_unreadable_log_is_one_line_exit_2(bundle: Path, capsys: Any, args: list, message: str) -> None:
    assert main(["explain", *args, "--index", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"wheelfix: error: {message}")
    assert "Traceback" not in err


def test_bad_bundle_exits_2(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "b.json"
    bad.write_text('{"format": 9, "guides": []}', "utf-8")
    assert main(["explain", str(LOGS / "vercel.log"), "--index", str(bad)]) == 2
    assert "format 9 is not supported" in capsys.readouterr().err


def test_binary_input_does_not_crash(bundle: Path, tmp_path: Path, capsys: Any) -> None:
    blob = tmp_path / "x.bin"
    blob.write_bytes(bytes(range(256)) * 100)
    assert main(["explain", str(blob), "--index", str(bundle), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["matches"] == []


def test_startup_imports_stay_light(bundle: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "generator", "explain", str(LOGS / "vercel.log"), "--index", str(bundle)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if line.startswith("import time:")}
    heavy = {"jinja2", "mkdocs", "yaml", "pydantic", "requests", "packaging", "urllib3", "cachecontrol", "tqdm"}
    assert not (imported & heavy), imported & heavy


# -- hostile or broken bundles: one line and a hint, exit 2, never a traceback or a hang


def _bundle_with_program(program: Any) -> str:
    good = bundle_from_guides([{"id": "g", "title": "G", "url": "guides/g/", "fix": "f", "signatures": [{"match": [{"regex": "boom\\d"}]}]}])
    good["guides"][0]["signatures"][0]["match"][0]["program"] = program
    return json.dumps(good)


def _huge(path: Path) -> None:
    from generator.logs.bundle import MAX_BUNDLE_BYTES

    with path.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(MAX_BUNDLE_BYTES + 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: Path("/dev/zero"), "/dev/zero: is a character device, not a regular file"),  # endless: would never finish reading
        (lambda p: (os.mkfifo(p / "fifo"), p / "fifo")[1], "fifo: is a named pipe (FIFO), not a regular file"),  # opening it would wait for a writer
        (lambda p: p, ": is a directory, not a regular file"),
        (lambda p: (_huge(p / "big.json"), p / "big.json")[1], "is larger than 64 MiB (67108865 bytes)"),
        (lambda p: _write(p, b"[" * 100000 + b"]" * 100000), "nested too deeply"),
        (lambda p: _write(p, b'{"format": 2, "guides": ' + b"[" * 100000 + b"]" * 100000 + b"}"), "nested too deeply"),
        (lambda p: _write(p, b"\xff\xfe{}"), "not UTF-8"),
        (lambda p: _write(p, b"{nope"), "not JSON"),
        (lambda p: _write(p, b'{"format": 1, "guides": []}'), "format 1 is not supported (expected 2)"),
        (lambda p: _write(p, b'{"format": 2, "guides": "x"}'), "'guides' must be a list"),
        (lambda p: _write(p, b'{"format": 2, "guides": [{"id": 1}]}'), "guides[0].id: must be a string, got 1"),
        (lambda p: _write(p, b'{"format": 2, "guides": [{"id": "' + b"x" * 10**6 + b'"}]}'), "guides[0].title: must be a string"),
        (lambda p: _write(p, _bundle_with_program([["jump", 7], ["match"]]).encode()), "match[0].program: instruction 0: jumps go to instructions 0 to 1"),
        (lambda p: _write(p, _bundle_with_program([["set", 97, 97]]).encode()), "program: instruction 0: set may not be the last instruction"),
        (lambda p: _write(p, _bundle_with_program("boom").encode()), "program: must be a non-empty list of instructions"),
        (lambda p: _write(p, _bundle_with_program([["match"]] * 5000).encode()), "program: has 5000 instructions, more than 1000"),
        (lambda p: _write(p, _bundle_with_program(None).encode()), "program: must be a non-empty list"),
    ],
    ids=["dev-zero", "fifo", "directory", "huge", "nested", "nested-guides", "not-utf8", "not-json", "old-format",
         "guides-type", "id-type", "long-value", "jump-out-of-range", "set-last", "program-type", "program-too-long", "program-null"],
)
def test_hostile_bundle_is_one_line_exit_2(tmp_path: Path, capsys: Any, make: Any, message: str) -> None:
    index = make(tmp_path)
    assert main(["explain", str(LOGS / "vercel.log"), "--index", str(index)]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.startswith("wheelfix: error: ") and message in err.splitlines()[0], err[:500]
    assert "Traceback" not in err and captured.out == ""
    assert len(err.splitlines()) <= 2 and len(err) < 1000  # the message and a hint, cut short


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "b.json"
    path.write_bytes(data)
    return path
