"""Lock files are untrusted: every field of the wrong TOML type is an error naming file, line and field.

One case per field each reader looks at; before, ``wheels = 5`` or
``resolution-markers = 5`` was a TypeError traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.audit.run import AuditError, load_guides
from generator.audit.pinfiles import PinFileError, parse_file

PYLOCK = 'lock-version = "1.0"\n\n[[packages]]\nname = "a"\nversion = "1.0"\n'
UV = 'version = 1\n\n[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "https://example.invalid/simple" }\n'
POETRY = '[[package]]\nname = "a"\nversion = "1.0"\n\n[metadata]\ncontent-hash = "x"\n'


def _with(base: str, after: str, line: str) -> str:
    """``base`` with ``line`` added after the line starting with ``after``."""
    lines = base.splitlines(keepends=True)
    i = next(n for n, text in enumerate(lines) if text.startswith(after))
    return "".join(lines[: i + 1] + [line + "\n"] + lines[i + 1:])


CASES = [
    # pylock.toml
    ("pylock.toml", PYLOCK.replace('lock-version = "1.0"', 'lock-version = "1.0"\nrequires-python = 3'),
     "pylock.toml: 'requires-python' must be a string, not an integer (3)"),
    ("pylock.toml", 'lock-version = "1.0"\npackages = 5\n', "pylock.toml: 'packages' must be an array of tables, not an integer (5)"),
    ("pylock.toml", 'lock-version = "1.0"\npackages = [1, 2]\n', "pylock.toml: 'packages' must be an array of tables, not an array"),
    ("pylock.toml", PYLOCK.replace('name = "a"', "name = 5"), "pylock.toml:3: packages[0]: 'name' must be a string, not an integer (5)"),
    ("pylock.toml", PYLOCK.replace('version = "1.0"', "version = 1.0"), "pylock.toml:3: a: 'version' must be a string, not a float (1.0)"),
    ("pylock.toml", _with(PYLOCK, "version", "marker = true"), "pylock.toml:3: a: 'marker' must be a string, not a boolean (True)"),
    ("pylock.toml", _with(PYLOCK, "version", "wheels = 5"), "pylock.toml:3: a: 'wheels' must be an array of tables, not an integer (5)"),
    ("pylock.toml", _with(PYLOCK, "version", 'wheels = ["a.whl"]'), "pylock.toml:3: a: 'wheels' must be an array of tables, not an array"),
    ("pylock.toml", _with(PYLOCK, "version", 'sdist = "a.tar.gz"'), "pylock.toml:3: a: 'sdist' must be a table, not a string ('a.tar.gz')"),
    ("pylock.toml", _with(PYLOCK, "version", "wheels = [{ hashes = 5 }]"), "pylock.toml:3: a: file 1: 'hashes' must be a table, not an integer (5)"),
    ("pylock.toml", _with(PYLOCK, "version", "wheels = [{ hashes = { sha256 = 5 } }]"),
     "pylock.toml:3: a: file 1: 'hashes' must be a table of strings, not a table"),
    ("pylock.toml", _with(PYLOCK, "version", "sdist = { hash = 5 }"), "pylock.toml:3: a: file 1: 'hash' must be a string, not an integer (5)"),
    ("pylock.toml", _with(PYLOCK, "version", "upload-time = 1979-05-27T07:32:00Z\nmarker = 1979-05-27"),
     "pylock.toml:3: a: 'marker' must be a string, not a date or time (1979-05-27)"),
    # uv.lock
    ("uv.lock", _with(UV, "version = \"1.0\"", "resolution-markers = 5"), "uv.lock:3: a: 'resolution-markers' must be an array of strings, not an integer (5)"),
    ("uv.lock", _with(UV, "version = \"1.0\"", "resolution-markers = [5]"), "uv.lock:3: a: 'resolution-markers' must be an array of strings, not an array"),
    ("uv.lock", UV.replace('source = { registry = "https://example.invalid/simple" }', 'source = "pypi"'),
     "uv.lock:3: a: 'source' must be a table, not a string ('pypi')"),
    ("uv.lock", _with(UV, "source", "wheels = [5]"), "uv.lock:3: a: 'wheels' must be an array of tables, not an array"),
    ("uv.lock", _with(UV, "source", "sdist = []"), "uv.lock:3: a: 'sdist' must be a table, not an array"),
    ("uv.lock", _with(UV, "source", 'wheels = [{ url = "x", hash = ["sha256:0"] }]'), "uv.lock:3: a: file 1: 'hash' must be a string, not an array"),
    ("uv.lock", 'version = 1\npackage = { name = "a" }\n', "uv.lock: 'package' must be an array of tables, not a table"),
    # poetry.lock
    ("poetry.lock", 'metadata = 5\n[[package]]\nname = "a"\nversion = "1.0"\n', "poetry.lock: 'metadata' must be a table, not an integer (5)"),
    ("poetry.lock", POETRY + 'python-versions = 3\n', "poetry.lock: metadata: 'python-versions' must be a string, not an integer (3)"),
    ("poetry.lock", POETRY + "files = 5\n", "poetry.lock: metadata: 'files' must be a table, not an integer (5)"),
    ("poetry.lock", POETRY + "[metadata.files]\na = 5\n", "poetry.lock: metadata.files: 'a' must be an array of tables, not an integer (5)"),
    ("poetry.lock", _with(POETRY, "version", "files = 5"), "poetry.lock:1: a: 'files' must be an array of tables, not an integer (5)"),
    ("poetry.lock", _with(POETRY, "version", "markers = 5"), "poetry.lock:1: a: 'markers' must be a string, not an integer (5)"),
    ("poetry.lock", _with(POETRY, "version", "markers = { main = 5 }"), "poetry.lock:1: a: 'markers' must be a table of strings, not a table"),
    ("poetry.lock", _with(POETRY, "version", "source = 5"), "poetry.lock:1: a: 'source' must be a table, not an integer (5)"),
    ("poetry.lock", _with(POETRY, "version", "source = { type = 5 }"), "poetry.lock:1: a: source: 'type' must be a string, not an integer (5)"),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[f"{n}-{i}" for i, (n, _t, _m) in enumerate(CASES)])
def test_wrong_types_name_file_line_and_field(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PinFileError) as info:
        parse_file(path)
    assert str(info.value) == f"{tmp_path}/{message}"


@pytest.mark.parametrize("base", [PYLOCK, UV, POETRY], ids=["pylock", "uv", "poetry"])
def test_the_bases_are_valid(tmp_path: Path, base: str) -> None:
    name = {PYLOCK: "pylock.toml", UV: "uv.lock", POETRY: "poetry.lock"}[base]
    path = tmp_path / name
    path.write_text(base, encoding="utf-8")
    assert [p.name for p in parse_file(path).pins] == ["a"]


DEEP = 100_000


@pytest.mark.parametrize("name", ["pylock.toml", "uv.lock", "poetry.lock", "deps.lock"])
@pytest.mark.parametrize("shape", ["array", "table"])
def test_deeply_nested_toml(tmp_path: Path, name: str, shape: str) -> None:
    value = "[" * DEEP + "]" * DEEP if shape == "array" else "{a = " * DEEP + "1" + "}" * DEEP
    path = tmp_path / name
    path.write_text(f"x = {value}\n", encoding="utf-8")
    with pytest.raises(PinFileError, match=f"^{tmp_path}/{name}: TOML nested too deeply to read$"):
        parse_file(path)


def test_deeply_nested_guides_json(tmp_path: Path) -> None:
    path = tmp_path / "guides.json"
    path.write_text("[" * DEEP + "]" * DEEP, encoding="utf-8")
    with pytest.raises(AuditError, match="JSON nested too deeply"):
        load_guides(path)
    path.write_text(json.dumps({"format": 1, "guides": []}), encoding="utf-8")
    assert load_guides(path) == ([], None)
