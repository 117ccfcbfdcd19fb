"""The editor's schema: the committed JSON Schema, the modeline naming it, and `check --fix-modeline`."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any, Callable, Dict, List

import jsonschema
import pytest
import yaml

from generator.cli import main
from generator.kb import modeline
from generator.kb.records import record_paths

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "kb"
VALID = Path(__file__).parent / "data" / "kb_valid"
RECORDS = record_paths(KB) + record_paths(VALID)


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(modeline.schema_file(KB).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_committed_schema_is_generated_from_the_declaration() -> None:
    committed = modeline.schema_file(KB)
    assert committed.read_text(encoding="utf-8") == modeline.schema_text(), f"{committed} is stale: run `wheelfix bundle`"


@pytest.mark.parametrize("path", RECORDS, ids=[p.name for p in RECORDS])
def test_every_record_names_the_schema_and_validates_against_it(path: Path, validator: Any) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == modeline.MODELINE
    # The modeline's relative path leads to the committed schema.
    target = modeline.MODELINE.split("$schema=", 1)[1]
    assert (path.parent / target).resolve() == modeline.schema_file(KB).resolve() or path.parent == VALID
    errors = sorted(validator.iter_errors(yaml.safe_load(text)), key=str)
    assert not errors, [e.message for e in errors]


def _drop(key: str) -> Callable[[Dict[str, Any]], None]:
    return lambda r: r.pop(key)


def _set(*path: Any, value: Any) -> Callable[[Dict[str, Any]], None]:
    def edit(record: Dict[str, Any]) -> None:
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


# Broken records the editor must flag: each edit breaks one rule the schema states.
BROKEN = [
    pytest.param(_drop("summary"), id="missing-required-field"),
    pytest.param(_set("sumary", value="a misspelt field name here"), id="unknown-field"),
    pytest.param(_set("id", value="Not A Slug"), id="id-not-a-slug"),
    pytest.param(_set("title", value="short"), id="title-too-short"),
    pytest.param(_set("symptoms", value=[]), id="no-symptoms"),
    pytest.param(_set("symptoms", value="one string, not a list"), id="symptoms-not-a-list"),
    pytest.param(_set("signatures", 0, "match", value=[]), id="signature-without-conditions"),
    pytest.param(_set("signatures", 0, "match", 0, "txt", value="a misspelt key"), id="condition-unknown-key"),
    pytest.param(_set("fixes", 0, "claim", value={"requirement": "x>=1", "python": [], "platforms": ["win_amd64"]}), id="claim-without-python"),
    pytest.param(_set("affects", "platforms", value="linux-x86_64"), id="platforms-not-a-list"),
    pytest.param(_set("references", value=[{"title": "no url given"}]), id="reference-without-url"),
    pytest.param(_set("affects", "python", value=3.13), id="python-as-a-number"),
]


@pytest.mark.parametrize("edit", BROKEN)
@pytest.mark.parametrize("path", RECORDS[:3] + record_paths(VALID), ids=lambda p: getattr(p, "name", None))
def test_the_schema_rejects_broken_records(path: Path, edit: Callable[[Dict[str, Any]], None], validator: Any) -> None:
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    broken = copy.deepcopy(record)
    edit(broken)
    assert list(validator.iter_errors(record)) == []
    assert list(validator.iter_errors(broken)), "the schema accepts a broken record"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(VALID, target)
    return target


FIRST_LINES = [
    pytest.param("", "the first line must be the editor's schema modeline", id="missing"),
    pytest.param("# yaml-language-server: $schema=https://example.org/old.json\n", "the schema modeline is", id="wrong-target"),
    pytest.param("# yaml-language-server: $schema=../schema/incident.json \n", "the schema modeline is", id="trailing-blank"),
    pytest.param("#yaml-language-server : $schema=../schema/incident.json\n", "the schema modeline is", id="spacing"),
    pytest.param("# yaml-language-server-x: $schema=../schema/incident.json\n", "the first line must be", id="another-comment"),
]


@pytest.mark.parametrize("first, message", FIRST_LINES)
def test_check_reports_the_modeline_at_line_1_and_fix_writes_only_line_1(
    kb: Path, first: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = kb / "demo-rust-build.yaml"
    body = path.read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text(first + body, encoding="utf-8")
    assert main(["check", "--kb", str(kb)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("kb/demo-rust-build.yaml:1:1: " + message), out
    assert "--fix-modeline" in out[0]

    assert main(["check", "--fix-modeline", "--kb", str(kb)]) == 0
    assert "wrote the schema modeline into" in capsys.readouterr().err
    kept = first if message.startswith("the first line") else ""  # a line that is no modeline stays, below it
    assert path.read_text(encoding="utf-8") == modeline.MODELINE + "\n" + kept + body
    before = {p: p.read_bytes() for p in kb.iterdir()}
    assert main(["check", "--fix-modeline", "--kb", str(kb)]) == 0  # nothing left to fix
    assert {p: p.read_bytes() for p in kb.iterdir()} == before


def test_fix_keeps_crlf_line_ends_and_a_record_with_other_problems(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = kb / "demo-c-headers.yaml"
    body = path.read_text(encoding="utf-8").split("\n", 1)[1].replace("\n", "\r\n").replace("summary:", "sumary:")
    path.write_bytes(body.encode("utf-8"))
    assert modeline.fix(kb) == [path]
    assert path.read_bytes() == (modeline.MODELINE + "\r\n" + body).encode("utf-8")
    assert main(["check", "--kb", str(kb)]) == 1
    out = capsys.readouterr().out
    assert "sumary" in out and ":1:1: the first line" not in out


def test_unreadable_records_are_left_to_the_record_checks(kb: Path) -> None:
    (kb / "bad.yaml").write_bytes(b"\xff\xfe not utf-8")
    assert modeline.check(kb) == [] or all(e.file != "kb/bad.yaml" for e in modeline.check(kb))
    assert modeline.fix(kb) == []
    assert (kb / "bad.yaml").read_bytes() == b"\xff\xfe not utf-8"


@pytest.mark.parametrize("text, expected", [
    ("id: x\n", modeline.MODELINE + "\nid: x\n"),
    ("# yaml-language-server: $schema=old.json\nid: x\n", modeline.MODELINE + "\nid: x\n"),
    ("# yaml-language-server: $schema=old.json", modeline.MODELINE + "\n"),
    ("", modeline.MODELINE + "\n"),
    ("# a comment\nid: x\n", modeline.MODELINE + "\n# a comment\nid: x\n"),
    ("id: x\r\nx: 1\r\n", modeline.MODELINE + "\r\nid: x\r\nx: 1\r\n"),
    ("# yaml-language-server: $schema=old.json\r\nid: x\r\n", modeline.MODELINE + "\r\nid: x\r\n"),
])
def test_with_modeline(text: str, expected: str) -> None:
    assert modeline.with_modeline(text) == expected
    assert modeline.problem(expected, "f") is None
    assert modeline.with_modeline(expected) == expected


def test_new_records_start_with_the_modeline(kb: Path) -> None:
    assert main(["new", "demo-fresh", "--kb", str(kb)]) == 0
    lines: List[str] = (kb / "demo-fresh.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[0] == modeline.MODELINE
