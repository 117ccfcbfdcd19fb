"""`wheelfix new --from-log`: a record and its sample drafted from a failing log.

Properties over every sample log in kb/samples (each is a real failure):
the drafted signature matches its own log, it is no general guide's message
unless the command says so, the guide it reports is the one `wheelfix explain`
shows, the package and Python version are the ones explain's diagnosis finds,
and the record passes `wheelfix check` once its TODOs are filled in.  Then
hostile logs (huge, binary, control characters, YAML syntax, index hosts).
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from generator.cli import main
from generator.cli.commands._fromlog import SAMPLE_LIMIT
from generator.index.config import index_hosts
from generator.kb.modeline import MODELINE
from generator.logs import scaffold
from generator.logs.bundle import bundle_data, bundle_from_guides, load_bundle
from generator.logs.redact import redact
from generator.logs.text import iter_lines

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "kb" / "samples").glob("*/*.log"))
GID = "demo-draft"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """An empty KB (its environments only), so a drafted record is checked alone."""
    target = tmp_path / "kb"
    target.mkdir()
    shutil.copy(ROOT / "kb" / "environments.yaml", target)
    return target


def _new(capsys: pytest.CaptureFixture[str], kb: Path, log: str, gid: str = GID) -> Tuple[int, List[str], str]:
    code = main(["new", "--from-log", log, "--kb", str(kb), gid])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out.splitlines(), err


def _explain(capsys: pytest.CaptureFixture[str], log: Path) -> Dict[str, Any]:
    main(["explain", "--json", str(log)])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _matches(signature: Dict[str, Any], data: bytes) -> bool:
    guide = {"id": "x", "title": "x", "url": "", "fix": "", "signatures": [signature]}
    return bool(load_bundle(bundle_from_guides([guide])).match_stream(io.BytesIO(data)))


def fill_todos(text: str) -> str:
    """What a contributor does: every TODO replaced by real text."""
    return text.replace("TODO: ", "").replace('"TODO"', '"https://example.org/the-source"')


@pytest.fixture(scope="module")
def general() -> Any:
    return scaffold.general_matcher(bundle_data())


@pytest.mark.parametrize("log", SAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in SAMPLES])
def test_draft_from_every_sample(log: Path, kb: Path, general: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _new(capsys, kb, str(log))
    assert code == 0, err
    record, sample = kb / f"{GID}.yaml", kb / "samples" / GID / log.name
    assert out == [str(record), str(sample)]
    data = sample.read_bytes()
    text = record.read_text(encoding="utf-8")
    assert text.startswith(MODELINE + "\n")
    drafted = yaml.safe_load(text)

    # The signature matches its own log (the sample, and the log it was copied from).
    signature = drafted["signatures"][0]
    literal = signature["match"][0]["text"]
    assert not literal.startswith("TODO"), err
    assert _matches(signature, data) and _matches(signature, log.read_bytes())
    # ... and is no general guide's message, unless the command said so.
    lines = [line for _n, line in iter_lines(io.BytesIO(data))]
    owners = {m.id for line in lines if literal in line for m in general.match([line])}
    assert not owners or "every decisive line is a general guide's message" in err, owners

    # The guide it reports, the failed package and the Python version are explain's.
    said = re.findall(r"already matched by the guide (\S+) ", err)
    explained = _explain(capsys, log)
    assert said == [m["id"] for m in explained["matches"][:1]]
    diagnosis = explained["diagnosis"]
    assert drafted["packages"] == ([diagnosis["failed"]] if diagnosis["failed"] else [])
    if signature.get("package"):
        assert signature["package"] == diagnosis["failed"]
    python = re.match(r"[0-9]+\.[0-9]+", diagnosis["python"] or "")
    assert drafted["affects"]["python"] == (f"=={python.group()}.*" if python else "")
    version = diagnosis["failed_version"]
    assert drafted["affects"]["packages"] == ({diagnosis["failed"]: f"=={version}"} if diagnosis["failed"] and version else {})
    # Symptoms are lines of the log, as it shows them.
    assert drafted["symptoms"] and all(s in lines for s in drafted["symptoms"])

    # Filled in, the record passes `wheelfix check`.
    assert main(["check", "--kb", str(kb)]) == 1
    record.write_text(fill_todos(text), encoding="utf-8")
    assert main(["check", "--kb", str(kb)]) == 0, capsys.readouterr().out
    assert "TODO" in (kb / "samples" / GID / "SOURCES.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("existing", ["record", "sample folder", "sample folder as a dangling link"])
def test_never_overwrites(existing: str, kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = SAMPLES[0]
    if existing == "record":
        (kb / f"{GID}.yaml").write_text("mine\n", encoding="utf-8")
    elif existing == "sample folder":
        (kb / "samples" / GID).mkdir(parents=True)
        (kb / "samples" / GID / "x.log").write_text("mine\n", encoding="utf-8")
    else:
        (kb / "samples").mkdir()
        (kb / "samples" / GID).symlink_to(tmp_path / "nowhere")
    before = sorted((str(p), p.read_bytes() if p.is_file() else b"") for p in kb.rglob("*"))
    code, out, err = _new(capsys, kb, str(log))
    assert code == 2 and out == []
    assert "already exists; nothing was written" in err and "hint:" in err
    assert sorted((str(p), p.read_bytes() if p.is_file() else b"") for p in kb.rglob("*")) == before


def test_an_unwritable_samples_folder_is_an_input_error(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "samples").write_text("not a folder\n", encoding="utf-8")
    code, out, err = _new(capsys, kb, str(SAMPLES[0]))
    assert code == 2 and out == [] and "cannot write" in err and not (kb / f"{GID}.yaml").exists()


def test_without_from_log_it_works_as_before(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", GID, "--package", "demopkg", "--kb", str(kb)]) == 0
    assert "packages: [demopkg]" in (kb / f"{GID}.yaml").read_text(encoding="utf-8")
    assert not (kb / "samples").exists()


_FAILURE = [
    "Collecting demopkg==1.0",
    "Building wheels for collected packages: demopkg",
    "  Building wheel for demopkg (pyproject.toml): started",
    "  error: subprocess-exited-with-error",
    "      src/demo.c:1:10: fatal error: demo_private_header.h: No such file or directory",
    "  note: This error originates from a subprocess, and is likely not a problem with pip.",
    "  ERROR: Failed building wheel for demopkg",
    "Failed to build demopkg",
]
_LITERAL = "fatal error: demo_private_header.h: No such file or directory"


def _log(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _hostile_host_log() -> bytes:
    hosts = index_hosts()
    urls = [f"  Downloading https://{h}/packages/ab/cd/demopkg-1.0.tar.gz (10 kB)" for h in hosts]
    return _log(
        "Looking in indexes: https://user:s3cret-token@mirror.corp.example/simple",
        *urls, *(f"  WARNING: Retrying after connection broken by {h}: timed out" for h in hosts),
        "  Downloading https://mirror.corp.example/packages/ab/cd/demopkg-1.0.tar.gz", *_FAILURE,
    )


HOSTILE: List[Any] = [
    pytest.param(lambda: b"compiling demo/file.c\n" * (3 * 1024 * 1024 // 22) + _log(*_FAILURE), id="huge"),
    pytest.param(lambda: _log(*_FAILURE) + bytes(random.Random(0).getrandbits(8) for _ in range(200_000)), id="binary-after"),
    pytest.param(lambda: bytes(random.Random(1).getrandbits(8) for _ in range(100_000)) + b"\n" + _log(*_FAILURE), id="binary-before"),
    pytest.param(lambda: _log(*(f"\x1b[31m{line}\x1b[0m\x07\x00" for line in _FAILURE)), id="ansi-and-controls"),
    pytest.param(lambda: _log(*_FAILURE).replace(b"No such file", "No\u2028such\u202efile".encode()), id="unicode-separators"),
    pytest.param(lambda: _log(*_FAILURE).replace(b"\n", b"\r\n"), id="crlf"),
    pytest.param(lambda: "\n".join(_FAILURE).encode("utf-16"), id="utf-16"),
    pytest.param(_hostile_host_log, id="index-hosts-and-credentials"),
    pytest.param(lambda: _log(*_FAILURE, '      src/demo.c: error: bad "quote" \\ back: slash # {{ x }} &anchor *alias !tag | > %'), id="yaml-syntax"),
]


@pytest.mark.parametrize("make", HOSTILE)
def test_hostile_logs(make: Any, kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://user:s3cret-token@mirror.corp.example/simple")
    raw = make()
    log = tmp_path / "Build Log (1).txt"
    log.write_bytes(raw)
    code, out, err = _new(capsys, kb, str(log))
    assert code == 0, err
    sample = kb / "samples" / GID / "Build-Log-1.log"
    data = sample.read_bytes()
    assert len(data) <= SAMPLE_LIMIT + 1024
    text = data.decode("utf-8")
    assert not _CONTROL.search(text)
    for secret in [*index_hosts(), "mirror.corp.example", "s3cret-token"]:
        assert secret not in text and secret not in (kb / f"{GID}.yaml").read_text(encoding="utf-8")
    if len(raw) > SAMPLE_LIMIT:
        assert "the sample keeps its last part" in err
    drafted = yaml.safe_load((kb / f"{GID}.yaml").read_text(encoding="utf-8"))
    signature = drafted["signatures"][0]
    assert _matches(signature, data)
    assert all(s.isprintable() for s in drafted["symptoms"])
    lines = [line for _n, line in iter_lines(io.BytesIO(data))]
    assert all(s in lines for s in drafted["symptoms"] if s != "TODO: an error line exactly as the log shows it")
    if b"No such file" in raw or b"No such file" in raw.decode("utf-16", "replace").encode():
        assert signature == {"package": "demopkg", "match": [{"text": _LITERAL}]}
    (kb / f"{GID}.yaml").write_text(fill_todos((kb / f"{GID}.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["check", "--kb", str(kb)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\n \n\t\n", "holds only blank lines"),
])
def test_logs_with_nothing_in_them_are_refused(content: bytes, message: str, kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "build.log"
    log.write_bytes(content)
    code, _out, err = _new(capsys, kb, str(log))
    assert code == 2 and message in err
    assert not (kb / f"{GID}.yaml").exists() and not (kb / "samples" / GID / "build.log").exists()


@pytest.mark.parametrize("path, message", [
    ("/dev/zero", "is not a log"),
    ("/nonexistent/build.log", "No such file"),
    (".", "is not a log"),
])
def test_unreadable_logs_exit_2_and_write_nothing(path: str, message: str, kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _new(capsys, kb, path)
    assert code == 2 and out == [] and message in err
    assert sorted(p.name for p in kb.iterdir()) == ["environments.yaml"]


def test_reads_standard_input(kb: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(_log(*_FAILURE))))
    code, out, _err = _new(capsys, kb, "-")
    assert code == 0 and out[1].endswith("build.log")
    assert _LITERAL in (kb / f"{GID}.yaml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- redaction


@pytest.mark.parametrize("text, hosts, expected", [
    ("Looking in indexes: https://idx.example/simple", [], "Looking in indexes: <index>/simple"),
    ("Looking in indexes: https://u:p@idx.example/simple, http://127.0.0.1:8080/simple", [],
     "Looking in indexes: <index>/simple, http://127.0.0.1:8080/simple"),
    ("  Downloading https://files.example/packages/a/b/x-1.tar.gz (3 kB)", [], "  Downloading <index>/packages/a/b/x-1.tar.gz (3 kB)"),
    ("GET https://idx.example/simple/x/ and http://localhost:3141/simple/x/", [], "GET <index>/simple/x/ and http://localhost:3141/simple/x/"),
    ("https://tok3n@git.example/org/repo.git", [], "https://git.example/org/repo.git"),
    ("connection to idx.example timed out", ["idx.example"], "connection to <index-host> timed out"),
    ("IDX.EXAMPLE:443 refused", ["idx.example"], "<index-host>:443 refused"),
    ("sub.idx.example and idx.example.org and myidx.example stay", ["idx.example"], "sub.idx.example and idx.example.org and myidx.example stay"),
    ("(idx.example) 'idx.example'.", ["idx.example"], "(<index-host>) '<index-host>'."),
    ("nothing to do here", ["", " "], "nothing to do here"),
])
def test_redact(text: str, hosts: List[str], expected: str) -> None:
    assert redact(text, hosts) == expected
    assert redact(expected, hosts) == expected  # idempotent


def test_the_samples_name_no_index_host() -> None:
    hosts = index_hosts()
    assert hosts, "pip's default index hosts should be known"
    for log in SAMPLES:
        text = log.read_text(encoding="utf-8", errors="replace")
        assert redact(text, hosts) == text or not any(h in text for h in hosts), log


def test_a_device_on_standard_input_is_refused(kb: Path) -> None:
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([sys.executable, "-m", "generator", "new", "--from-log", "-", "--kb", str(kb), GID],
                              stdin=zero, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "cannot read standard input" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in kb.iterdir()) == ["environments.yaml"]


@pytest.mark.parametrize(
    ("lines", "decisive"),
    [
        # optparse's usage error, as pip prints it for an option it dropped
        (["Usage:   ", "  pip install [options] <requirement specifier> ...", "no such option: --install-option"],
         ["no such option: --install-option"]),
        (["usage: prog [-h]", "prog: error: unrecognized arguments: --frobnicate"], ["prog: error: unrecognized arguments: --frobnicate"]),
        # a log with no error: its warnings decide, pip's and Python's own categories
        (["running install", "DEPRECATION: six is being installed using the legacy 'setup.py install' method", "running build"],
         ["DEPRECATION: six is being installed using the legacy 'setup.py install' method"]),
        (["/x/setuptools/cmd.py:90: SetuptoolsDeprecationWarning: setup.py install is deprecated.", "running build"],
         ["/x/setuptools/cmd.py:90: SetuptoolsDeprecationWarning: setup.py install is deprecated."]),
        # with an error, the warnings around it are only wrapping
        (["WARNING: Retrying after connection broken", "error: command 'gcc' failed: No such file or directory"],
         ["error: command 'gcc' failed: No such file or directory"]),
    ],
)
def test_decisive_lines(lines: list, decisive: list) -> None:  # type: ignore[type-arg]
    from generator.logs.scaffold import decisive_lines

    assert [text for _n, text in decisive_lines(list(enumerate(lines, 1)))] == decisive
