"""Tests for generator.audit.pinfiles: one parser per format, file:line in every error."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from packaging.version import Version

from generator.audit.pinfiles import (
    PinFileError,
    detect_format,
    parse_file,
    parse_freeze,
    parse_poetry_lock,
    parse_pylock,
    parse_requirements,
    parse_uv_lock,
)

DATA = Path(__file__).parent / "data" / "audit"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_requirements() -> None:
    pf = parse_file(DATA / "seed-requirements.txt")
    assert pf.format == "requirements"
    assert [(p.name, str(p.version), p.line) for p in pf.pins] == [
        ("tiktoken", "0.6.0", 3),
        ("pydantic", "2.6.1", 4),
        ("pydantic-settings", "2.1.0", 5),
    ]


def test_requirements_with_includes_markers_extras_hashes() -> None:
    pf = parse_requirements(DATA / "includes" / "requirements.txt")
    by_name = {p.name: p for p in pf.pins}
    # -r base.txt: read relative to the including file, lines numbered in base.txt.
    assert by_name["six"].file.name == "base.txt" and by_name["six"].line == 1
    assert by_name["six"].version == Version("1.16.0")
    # === is an exact pin too.
    assert by_name["typing-extensions"].version == Version("4.12.2")
    # -c lines are constraints, not requirements.
    assert by_name["annotated-types"].constraint is False
    assert [p.name for p in pf.constraints] == ["annotated-types"]
    assert pf.constraints[0].version == Version("0.7.0")
    # extras sorted and kept; loose specifier has no exact version.
    req = by_name["requests"]
    assert req.extras == ("security", "socks") and req.version is None and str(req.specifier) == ">=2.31"
    assert str(req.marker) == 'python_version >= "3.8"'
    # The marker is kept for the audit to evaluate per target.
    assert str(by_name["colorama"].marker) == 'sys_platform == "win32"'
    # Continuation lines: reported at the first line, both --hash spellings read.
    tik = by_name["tiktoken"]
    assert tik.line == 8
    assert tik.hashes == ("sha256:" + "0" * 64, "sha256:" + "1" * 64)
    # -e, bare URLs and paths: not auditable, with their line.
    assert [(u.file.name, u.line) for u in pf.unauditable] == [
        ("requirements.txt", 11),
        ("requirements.txt", 12),
        ("requirements.txt", 13),
    ]
    assert "editable" in pf.unauditable[0].reason


def test_freeze_output() -> None:
    pf = parse_freeze(DATA / "freeze.txt")
    assert pf.format == "freeze"
    assert [(p.name, str(p.version)) for p in pf.pins] == [("six", "1.16.0"), ("tiktoken", "0.6.0")]
    # -e /srv/app and mylib @ file://... are reported, not crashed on.
    assert [u.line for u in pf.unauditable] == [2, 4]
    assert "mylib" in pf.unauditable[1].reason


def test_freeze_refuses_includes(tmp_path: Path) -> None:
    path = _write(tmp_path, "freeze.txt", "a==1\n-r other.txt\n")
    with pytest.raises(PinFileError, match=r"freeze\.txt:2: -r includes are not allowed"):
        parse_freeze(path)


def test_pylock() -> None:
    pf = parse_pylock(DATA / "pylock.toml")
    assert [(p.name, str(p.version), p.line) for p in pf.pins] == [("tiktoken", "0.6.0", 5), ("colorama", "0.4.6", 18)]
    # Hashes of the sdist and every wheel, normalised to algo:hex.
    assert len(pf.pins[0].hashes) == 2 and all(h.startswith("sha256:") for h in pf.pins[0].hashes)
    assert str(pf.pins[1].marker) == 'sys_platform == "win32"'
    assert [(u.text, u.line) for u in pf.unauditable] == [("myapp", 23)]
    assert str(pf.requires_python) == ">=3.9"


def test_uv_lock() -> None:
    pf = parse_uv_lock(DATA / "uv.lock")
    # The project itself (editable ".") is skipped; numpy locked twice with its markers.
    assert [(p.name, str(p.version)) for p in pf.pins] == [("tiktoken", "0.6.0"), ("numpy", "1.26.4"), ("numpy", "2.1.0")]
    assert pf.pins[0].line == 16
    assert "python_full_version < \"3.12\"" in str(pf.pins[1].marker)
    assert [u.text for u in pf.unauditable] == ["gitdep"]
    assert len(pf.pins[0].hashes) == 2


def test_poetry_lock() -> None:
    pf = parse_poetry_lock(DATA / "poetry.lock")
    assert [(p.name, p.raw_name, str(p.version)) for p in pf.pins] == [
        ("tiktoken", "tiktoken", "0.6.0"),
        ("colorama", "Colorama", "0.4.6"),
    ]
    assert [p.line for p in pf.pins] == [3, 13]
    assert [u.text for u in pf.unauditable] == ["localthing"]
    # ^3.10 is Poetry syntax, not PEP 440: ignored rather than fatal.
    assert pf.requires_python is None


def test_poetry_lock_old_metadata_files(tmp_path: Path) -> None:
    text = (
        '[[package]]\nname = "six"\nversion = "1.16.0"\n\n'
        '[metadata]\nlock-version = "1.1"\ncontent-hash = "x"\npython-versions = ">=3.8"\n\n'
        '[metadata.files]\nsix = [{file = "six-1.16.0.tar.gz", hash = "sha256:abc"}]\n'
    )
    pf = parse_poetry_lock(_write(tmp_path, "poetry.lock", text))
    assert pf.pins[0].hashes == ("sha256:abc",)
    assert str(pf.requires_python) == ">=3.8"


@pytest.mark.parametrize(
    "name, text, expected",
    [
        # by file name
        ("requirements-dev.txt", "", "requirements"),
        ("requirements.in", "", "requirements"),
        ("pip-freeze.txt", "", "freeze"),
        ("pylock.toml", "", "pylock"),
        ("pylock.dev.toml", "", "pylock"),
        ("uv.lock", "", "uv"),
        ("poetry.lock", "", "poetry"),
        # by content, for names that say nothing
        ("deps", "a==1\n", "requirements"),
        ("deps.lock", 'lock-version = "1.0"\n[[packages]]\nname = "a"\n', "pylock"),
        ("deps.lock", '[[package]]\nname = "a"\n[metadata]\ncontent-hash = "x"\n', "poetry"),
        ("deps.lock", 'version = 1\n[[package]]\nname = "a"\n', "uv"),
    ],
)
def test_detect_format(tmp_path: Path, name: str, text: str, expected: str) -> None:
    assert detect_format(_write(tmp_path, name, text)) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        # not a requirement at all
        ("ok==1\nthis is not valid!\n", r"req\.txt:2: 'this is not valid!' is not a valid requirement"),
        # option unknown to pip's requirements format
        ("--frobnicate\n", r"req\.txt:1: unknown option '--frobnicate'"),
        # --hash without algorithm
        ("a==1 --hash=abc\n", r"req\.txt:1: --hash 'abc' is not of the form algorithm:hexdigest"),
        # unknown per-requirement option
        ("a==1 --upgrade\n", r"req\.txt:1: unknown option '--upgrade' after a requirement"),
        # include that does not exist, named with the line that asks for it
        ("a==1\n\n-r missing.txt\n", r"req\.txt:3: cannot read included file missing\.txt"),
        # -r with no value
        ("-r\n", r"req\.txt:1: option -r needs a value"),
        # unbalanced quote in options
        ("a==1 --hash 'sha256:x\n", r"req\.txt:1: cannot split"),
    ],
)
def test_requirements_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PinFileError, match=message):
        parse_requirements(_write(tmp_path, "req.txt", text))


def test_circular_include(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "-r b.txt\n")
    _write(tmp_path, "b.txt", "x==1\n-r a.txt\n")
    with pytest.raises(PinFileError, match=r"b\.txt:2: a\.txt includes itself"):
        parse_requirements(tmp_path / "a.txt")


def test_comment_keeps_url_fragment_and_glued_short_option(tmp_path: Path) -> None:
    _write(tmp_path, "base.txt", "b==2\n")
    path = _write(tmp_path, "req.txt", "-rbase.txt\ngit+https://example.invalid/r.git#egg=x  # comment\n")
    pf = parse_requirements(path)
    assert [p.name for p in pf.pins] == ["b"]
    assert pf.unauditable[0].text == "git+https://example.invalid/r.git#egg=x"


def test_env_substitution_only_when_given(tmp_path: Path) -> None:
    path = _write(tmp_path, "req.txt", "-r ${DIR}/base.txt\n")
    _write(tmp_path, "base.txt", "b==2\n")
    assert [p.name for p in parse_requirements(path, env={"DIR": "."}).pins] == ["b"]
    with pytest.raises(PinFileError, match=r"cannot read included file \$\{DIR\}/base\.txt"):
        parse_requirements(path)


@pytest.mark.parametrize(
    "name, text, message",
    [
        # broken TOML reports the line
        ("uv.lock", "[[package]\nname='a'\n", r"uv\.lock:1: not valid TOML"),
        # version that is not PEP 440
        ("poetry.lock", '[[package]]\nname = "a"\nversion = "not a version"\n', r"poetry\.lock:1: a has version 'not a version'"),
        # entry without a name
        ("pylock.toml", 'lock-version = "1.0"\n\n[[packages]]\nversion = "1"\n', r"pylock\.toml:3: package entry has no name"),
        # invalid marker
        ("pylock.toml", '[[packages]]\nname = "a"\nversion = "1"\nmarker = "python_version >>> 3"\n', r"pylock\.toml:1: a has an invalid marker"),
    ],
)
def test_lock_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(PinFileError, match=message):
        parse_file(_write(tmp_path, name, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PinFileError, match="no such file"):
        parse_file(tmp_path / "nope.txt")


def test_unknown_toml(tmp_path: Path) -> None:
    with pytest.raises(PinFileError, match="neither pylock.toml, uv.lock nor poetry.lock"):
        parse_file(_write(tmp_path, "x.toml", "[tool]\na = 1\n"))


def test_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes("\ufefftiktoken==0.6.0\r\nsix==1.16.0\r\n".encode("utf-8"))
    assert [(p.name, p.line) for p in parse_file(path).pins] == [("tiktoken", 1), ("six", 2)]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"caf\xe9==1\n")
    with pytest.raises(PinFileError, match="not UTF-8 text"):
        parse_file(path)


# -- includes are bounded: depth, count, bytes, and where they may lead


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def test_a_deep_include_chain_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    for i in range(3000):
        _write(root, f"r{i}.txt", f"-r r{i + 1}.txt\n")
    _write(root, "r3000.txt", "a==1\n")
    with pytest.raises(PinFileError, match=r"r32\.txt:1: -r/-c includes nest more than 32 files deep"):
        parse_requirements(root / "r0.txt")


def test_a_chain_within_the_depth_is_read(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    for i in range(31):
        _write(root, f"r{i}.txt", f"-r r{i + 1}.txt\n")
    _write(root, "r31.txt", "a==1\n")
    assert [p.name for p in parse_requirements(root / "r0.txt").pins] == ["a"]


def test_an_include_doubling_at_every_level_is_bounded(tmp_path: Path) -> None:
    # Without a bound this reads 2**30 files.
    root = _repo(tmp_path)
    for i in range(30):
        _write(root, f"d{i}.txt", f"-r d{i + 1}.txt\n-c d{i + 1}.txt\n")
    _write(root, "d30.txt", "a==1\n")
    with pytest.raises(PinFileError, match=r"more than 1000 -r/-c includes in all"):
        parse_requirements(root / "d0.txt")


def test_includes_share_one_byte_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.audit import pinfiles

    monkeypatch.setattr(pinfiles, "MAX_BYTES", 1000)
    root = _repo(tmp_path)
    _write(root, "base.txt", "# padding\n" * 30 + "a==1\n")  # 305 bytes
    path = _write(root, "req.txt", "-r base.txt\n-r base.txt\n-r base.txt\n-r base.txt\n")
    with pytest.raises(PinFileError, match=r"req\.txt:4: with base\.txt, the file and its includes hold more than 1000 bytes$"):
        parse_requirements(path)


SECRET = "SECRET-LINE-FROM-OUTSIDE"


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "dev-zero", "fifo", "directory"])
def test_includes_stay_regular_files_inside_the_repository(tmp_path: Path, how: str) -> None:
    root = _repo(tmp_path)
    outside = _write(tmp_path, "outside.txt", SECRET + "\n")
    target = {
        "dotdot": "../outside.txt",
        "absolute": str(outside),
        "symlink": "link.txt",
        "dev-zero": "/dev/zero",
        "fifo": "fifo.txt",
        "directory": "folder",
    }[how]
    if how == "symlink":
        (root / "link.txt").symlink_to(outside)
    elif how == "fifo":
        os.mkfifo(root / "fifo.txt")  # nobody writes: opening it for reading would block
    elif how == "directory":
        (root / "folder").mkdir()
    path = _write(root, "requirements.txt", f"a==1\n-r {target}\n")
    with pytest.raises(PinFileError) as info:
        parse_requirements(path)
    message = str(info.value)
    assert message.startswith(f"{path}:2: cannot read included file {target} (")
    expected = {"fifo": "named pipe", "directory": "a directory"}.get(how, "leads outside")
    assert expected in message and SECRET not in message and "\n" not in message


def test_a_requirements_file_outside_any_repository_includes_from_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    _write(folder, "base.txt", "b==2\n")
    _write(tmp_path, "above.txt", "c==3\n")
    assert [p.name for p in parse_requirements(_write(folder, "req.txt", "-r base.txt\n")).pins] == ["b"]
    with pytest.raises(PinFileError, match="leads outside"):
        parse_requirements(_write(folder, "req2.txt", "-r ../above.txt\n"))


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory", "too-large"])
def test_the_named_file_itself_must_be_a_regular_file(tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.audit.pinfiles import pins

    path = tmp_path / "requirements.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:
        monkeypatch.setattr(pins, "MAX_BYTES", 10)
        path.write_text("a==1\n" * 3)
    words = {"fifo": "named pipe (FIFO)", "dev-zero": "character device", "directory": "a directory", "too-large": "larger than 10 bytes"}[kind]
    with pytest.raises(PinFileError, match=re.escape(words)):
        parse_file(path)
