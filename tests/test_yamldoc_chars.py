"""Invisible characters in YAML documents (records, environments.yaml) are refused with file:line:col.

The rule (generator.kb.yamldoc.invisible_character): controls but tab and line
feed, invisible formatting characters, line and paragraph separators,
private-use characters, surrogates and noncharacters.  Raw in the file they
are found before parsing (PyYAML's reader would raise on some of them);
written as YAML escapes they are found in every decoded string and key.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from generator import kb as kb_mod
from generator.kb.records import parse_record
from generator.kb.yamldoc import invisible_character, load_document

ROOT = Path(__file__).parent.parent
RECORD = ROOT / "kb" / "python-h-missing.yaml"
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def _refused(c: str) -> bool:
    """The rule, stated from the Unicode categories."""
    code = ord(c)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
    return c not in "\t\n" and (noncharacter or unicodedata.category(c) in _REFUSED_CATEGORIES)


_BLOCKS = [range(start, start + 0x10000) for start in range(0, 0x110000, 0x10000)]
# Planes 4-13 are unassigned and 15-16 private use: their first and last 4,096 code points stand for them.
_CHECKED = _BLOCKS[:4] + [_BLOCKS[14]] + [r for p in _BLOCKS[4:14] + _BLOCKS[15:] for r in (p[:4096], p[-4096:])]


@pytest.mark.parametrize("plane", _CHECKED, ids=lambda r: f"U+{r.start:04X}")
def test_the_rule_over_every_code_point(plane: range) -> None:
    assert [c for c in plane if invisible_character(chr(c)) is not None] == [c for c in plane if _refused(chr(c))]


# Characters and the YAML escape that produces each (None: no escape needed, \xNN works).
_SAMPLES = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f",
    "\u00ad", "\u061c", "\u200b", "\u200d", "\u200e", "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff",
    "\ufdd0", "\ufffe", "\uffff", "\ue000", "\U0001fffe", "\U000e0001", "\U0010ffff",
]


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def _record_lines() -> list[str]:
    return RECORD.read_text(encoding="utf-8").splitlines(keepends=True)


def _title_line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith("title: "))


@pytest.mark.parametrize("char", _SAMPLES, ids=lambda c: f"U+{ord(c):04X}")
def test_raw_character_names_line_and_column(char: str) -> None:
    lines = _record_lines()
    i = _title_line(lines)
    col = len("title: Python") + 1
    lines[i] = lines[i][: col - 1] + char + lines[i][col - 1:]
    incident, errors = parse_record("".join(lines), "kb/x.yaml", "python-h-missing")
    assert incident is None and len(errors) == 1
    message = errors[0].format()
    assert message.startswith(f"kb/x.yaml:{i + 1}:{col}: U+{ord(char):04X}")
    assert "only visible characters, tabs and line breaks are allowed" in message
    assert message.isprintable()


@pytest.mark.parametrize("char", _SAMPLES, ids=lambda c: f"U+{ord(c):04X}")
def test_escaped_character_names_the_field(char: str) -> None:
    lines = _record_lines()
    i = _title_line(lines)
    lines[i] = f'title: "Python.h {_escape(char)} missing when building a C extension"\n'
    incident, errors = parse_record("".join(lines), "kb/x.yaml", "python-h-missing")
    assert incident is None
    messages = [e.format() for e in errors]
    assert f"kb/x.yaml:{i + 1}:8: title: U+{ord(char):04X}" in messages[0], messages
    assert "at character 10 (from an escape)" in messages[0] and messages[0].isprintable()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('a: 1\n"k\\x1bey": 2\n', "f.yaml:2:1: k\\x1bey: U+001B"),  # a key, shown escaped
        ("a:\n  - ok\n  - \"x\\u2028y\"\n", "f.yaml:3:5: a[1]: U+2028"),  # a list item
        ("a:\n  b: |\n    line\n    \"\\x1b\" stays literal in a block\n", None),  # no escapes in block scalars
        ("a: 'single \\x1b quotes do not escape'\n", None),
        ("a: \"tab\\tand\\nnewline are fine\"\n", None),
    ],
)
def test_escapes_anywhere(text: str, where: str) -> None:
    doc = load_document(text, "f.yaml")
    messages = [e.format() for e in doc.errors]
    if where is None:
        assert messages == []
    else:
        assert len(messages) == 1 and messages[0].startswith(where), messages


@pytest.mark.parametrize("plane", _BLOCKS[:3] + _BLOCKS[14:], ids=lambda r: f"plane-{r.start >> 16}")
def test_accepted_raw_text_always_loads(plane: range) -> None:
    # Every character the rule lets through, raw inside a quoted scalar: libyaml, and
    # the pure-Python reader behind the error messages, load it as it is.
    chars = "".join(chr(c) for c in plane if not _refused(chr(c)) and chr(c) not in '"\\\n')
    text = "t: \"" + chars + "\"\n"
    doc = load_document(text, "f.yaml")
    assert doc.errors == [] and doc.data == {"t": chars}


def test_a_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    text = "\ufeff" + RECORD.read_text(encoding="utf-8").replace("\n", "\r\n")
    incident, errors = parse_record(text, "kb/x.yaml", "python-h-missing")
    assert errors == [] and incident is not None


def test_a_lone_cr_is_refused() -> None:
    incident, errors = parse_record("id: x\rtitle: y\n", "kb/x.yaml", "x")
    assert incident is None and errors[0].format().startswith("kb/x.yaml:1:6: U+000D")


def test_environments_file_too(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "kb", kb, ignore=shutil.ignore_patterns("samples"))
    env = kb / "environments.yaml"
    text = env.read_text(encoding="utf-8")
    env.write_text(text.replace("title: ", "title: \x1b[2J", 1), encoding="utf-8")
    _kb, errors = kb_mod.check(kb)
    assert [e.format().split(": ", 1)[0] for e in errors] == [f"{env}:{_line_of(text, 'title: ')}:{_col_of(text, 'title: ') + 7}"]


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _col_of(text: str, needle: str) -> int:
    return text.index(needle) - text.rfind("\n", 0, text.index(needle))
