"""Numbers too long for Python's int(): refused in records and lock files, skipped in index pages, never a crash.

A 5,000-digit version used to pass ``check`` and then crash ``export``,
``build`` and ``audit`` with Python's "Exceeds the limit (4300 digits)"
ValueError, raised far from the file that held it.
"""

from __future__ import annotations

import io
import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement
from packaging.specifiers import InvalidSpecifier
from packaging.version import InvalidVersion, Version

from generator import pep440
from generator.site.build import BuildOptions, build_files
from generator.logs.diagnose import Diagnoser
from generator.index.page import parse_project_page
from generator.kb import InvalidKnowledgeBase
from generator.audit.pinfiles import PinFileError, parse_file
from generator.kb.records import parse_record
from generator.logs.bundle import load_bundle_file
from generator.truth.wheels import Target, release_verdicts

HUGE = "1" * 5000
LIMIT = "9" * pep440.MAX_DIGITS
DATA = Path(__file__).parent / "data"
BASE = (DATA / "kb_valid" / "demo-rust-build.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("parse", "good", "bad", "error"),
    [
        (pep440.version, f"1.{LIMIT}", f"1.{HUGE}", InvalidVersion),
        (pep440.version, "1.0+" + "a" * 200, "1.0+" + "a" * 300, InvalidVersion),  # a version's length is bounded too
        (pep440.specifier_set, f">=1.{LIMIT},<2", f"<{HUGE}", InvalidSpecifier),
        (pep440.requirement, f"a>={LIMIT}", f"a>={HUGE}", InvalidRequirement),
        (pep440.requirement, "a; python_version < '3.13'", f"a; python_version < '{HUGE}'", InvalidRequirement),
        (pep440.marker, "python_version < '3.13'", f"python_version < '3.{HUGE}'", InvalidMarker),
    ],
)
def test_bounded_parsers(parse: Callable[[str], Any], good: str, bad: str, error: type) -> None:
    parse(good)
    with pytest.raises(error) as info:
        parse(bad)
    message = str(info.value)
    assert "digits" in message or "characters long" in message
    assert len(message) < 300  # the input is clipped, not echoed whole


def test_python_itself_fails_on_these() -> None:
    # What the helpers stand between: a bare ValueError, not InvalidVersion.
    with pytest.raises(ValueError) as info:
        Version(f"1.{HUGE}")
    assert not isinstance(info.value, InvalidVersion)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('demopkg: "<2.0"', f'demopkg: "<{HUGE}"', "10:14: affects.packages.demopkg"),
        ('python: ">=3.13"', f'python: ">=3.{HUGE}"', "8:11: affects.python"),
        ('requirement: "demopkg>=2.0"', f'requirement: "demopkg>={HUGE}"', "29:20: fixes[0].claim.requirement"),
        ("platforms: [manylinux_2_35_x86_64]", "platforms: [manylinux_2_35999_x86_64]", "31:19: fixes[0].claim.platforms[0]"),
    ],
)
def test_records_refuse_them_with_file_line_and_field(old: str, new: str, where: str) -> None:
    assert old in BASE
    incident, errors = parse_record(BASE.replace(old, new), "kb/demo-rust-build.yaml", "demo-rust-build")
    assert incident is None
    [message] = [e.format() for e in errors]
    assert message.startswith(f"kb/demo-rust-build.yaml:{where}: ")
    assert "digits" in message and len(message) < 300


def test_export_of_such_a_kb_stops_at_the_check(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(DATA / "kb_valid", kb)
    record = kb / "demo-rust-build.yaml"
    record.write_text(BASE.replace('demopkg: "<2.0"', f'demopkg: "<{HUGE}"'), encoding="utf-8")
    with pytest.raises(InvalidKnowledgeBase, match="affects.packages.demopkg: .* 5000 digits"):
        build_files(BuildOptions(kb_dir=kb, index=False))


def _file(name: str, requires_python: Any = None) -> dict[str, Any]:
    return {"filename": name, "url": f"https://files.example/{name}", "hashes": {}, "requires-python": requires_python}


def test_index_pages_skip_them_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    payload = {
        "meta": {"api-version": "1.1"},
        "name": "demo",
        "versions": ["1.0", HUGE, f"2.{HUGE}"],
        "files": [
            _file("demo-1.0.tar.gz"),
            _file("demo-1.0-py3-none-any.whl"),
            _file(f"demo-{HUGE}.tar.gz"),
            _file(f"demo-1.0-{HUGE}-py3-none-any.whl"),  # a build tag is an int too
            _file("demo-1.0-1-py3-none-any.whl", requires_python=f">=3.{HUGE}"),
        ],
    }
    with caplog.at_level(logging.WARNING, logger="wheelfix.indexdata"):
        page = parse_project_page("demo", payload, fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert page.versions == ("1.0",)
    assert [f.filename for f in page.files] == ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]
    assert len(caplog.records) == 5 and all("5000 digits" in r.getMessage() for r in caplog.records)
    assert all(len(r.getMessage()) < 300 for r in caplog.records)
    verdicts = release_verdicts(page, Target.parse("3.12", "manylinux_2_35_x86_64"))
    assert [str(v.version) for v in verdicts] == ["1.0"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("uv.lock", f'version = 1\n[[package]]\nname = "a"\nversion = "{HUGE}"\nsource = {{ registry = "x" }}\n',
         r"uv\.lock:2: a has version '1111.*, which is not a PEP 440 version \(it holds a number of 5000 digits"),
        ("pylock.toml", f'lock-version = "1.0"\nrequires-python = ">={HUGE}"\n[[packages]]\nname = "a"\nversion = "1"\n',
         r"pylock\.toml: requires-python '>=111.* is not a version specifier"),
        ("pylock.toml", f'lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\nmarker = "python_version < \'{HUGE}\'"\n',
         r"pylock\.toml:2: a has an invalid marker .*5000 digits"),
        ("requirements.txt", f"ok==1\na=={HUGE}\n", r"requirements\.txt:2: 'a==111.* is not a valid requirement .*5000 digits"),
        ("requirements.txt", f"a; python_version < '{HUGE}'\n", r"requirements\.txt:1: .* is not a valid requirement"),
    ],
)
def test_pin_files_refuse_them(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PinFileError, match=message) as info:
        parse_file(path)
    assert len(str(info.value)) < 400


def test_logs_with_them_are_explained(tmp_path: Path) -> None:
    log = (
        f"Collecting demo=={HUGE}\n"
        f"  Downloading demo-{HUGE}-cp312-cp312-manylinux_{HUGE}_17_x86_64.whl\n"
        f"Using cached x-1.0-cp312-cp312-musllinux_1_{HUGE}_x86_64.whl\n"
        f"building 'x' extension build/temp.macosx-{HUGE}.0-arm64-cpython-312\n"
        "ERROR: Failed building wheel for demo\n"
    ).encode()
    diagnoser = Diagnoser()
    load_bundle_file(None).match_stream(io.BytesIO(log), diagnoser)
    result = diagnoser.result()
    assert result.failed == "demo"
