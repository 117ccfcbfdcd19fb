"""Tests for generator.safefile: what is read, what is refused, and that a refusal never blocks or shows content."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

import pytest

from generator import safefile
from generator.safefile import UnreadableFile

SECRET = "TOP-SECRET-CONTENT"


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO nobody writes to: opening it for reading would block forever."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "fifo"
    os.mkfifo(path)
    yield path


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n")
    return secret


def _make(case: str, root: Path, tmp: Path) -> Path:
    """A path under ``root`` that must be refused, built for ``case``."""
    path = root / ("".join(c if c.isalnum() else "-" for c in case) + ".yaml")
    if case == "directory":
        path.mkdir()
    elif case == "link out of root":
        path.symlink_to(_outside(tmp))
    elif case == "dotdot out of root":
        _outside(tmp)
        path = root / ".." / "outside" / "secret.txt"
    elif case == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif case == "dangling link":
        path.symlink_to(root / "nowhere")
    elif case == "too large":
        path.write_bytes(b"x" * 1025)
    return path


# What each refusal must say.
_REFUSED = {
    "directory": "a directory, not a regular file",
    "link out of root": "leads outside",
    "dotdot out of root": "leads outside",
    "link to /dev/zero": "leads outside",
    "dangling link": "cannot be read",
    "too large": "larger than 1 KiB",
}


@pytest.mark.parametrize("case", sorted(_REFUSED))
def test_refusals_name_the_file_and_rule_never_the_content(tmp_path: Path, case: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    path = _make(case, root, tmp_path)
    with pytest.raises(UnreadableFile) as info:
        safefile.read_text(path, limit=1024, root=root)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and _REFUSED[case] in message
    assert SECRET not in message and "\n" not in message


def test_fifo_is_refused_without_opening_it(fifo: Path) -> None:
    # No writer ever opens the FIFO: an open() for reading would block this test forever.
    with pytest.raises(UnreadableFile, match=r"fifo: is a named pipe \(FIFO\), not a regular file"):
        safefile.read_bytes(fifo, limit=1024)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_device_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="/dev/zero: is a character device"):
        safefile.read_bytes("/dev/zero", limit=1024)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc")
def test_a_file_that_says_it_is_empty_is_still_read_only_to_the_limit() -> None:
    assert os.stat("/proc/self/status").st_size == 0  # what makes a size check alone insufficient
    with pytest.raises(UnreadableFile, match="larger than 16 bytes; it is not read"):
        safefile.read_bytes("/proc/self/status", limit=16)


def test_links_inside_the_root_and_plain_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes("\ufeffé: 1\n".encode("utf-8"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "link.yaml").symlink_to(tmp_path / "a.yaml")
    assert safefile.read_text(tmp_path / "sub" / "link.yaml", limit=64, root=tmp_path) == "é: 1\n"
    assert safefile.read_bytes(tmp_path / "a.yaml", limit=len("\ufeffé: 1\n".encode())) == "\ufeffé: 1\n".encode()


def test_bad_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"ok\nok\ncaf\xe9\n")
    with pytest.raises(UnreadableFile) as info:
        safefile.read_text(path, limit=64)
    assert info.value.line == 3 and str(info.value) == f"{path}:3: is not UTF-8 text; save it as UTF-8"


def test_shown_escapes_what_a_terminal_would_act_on() -> None:
    assert safefile.shown("kb/\x1b[31mred\u202e.yaml") == "kb/\\x1b[31mred\\u202e.yaml"
    assert safefile.shown("kb/café.yaml") == "kb/café.yaml"


def test_repository_root(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    assert safefile.repository_root(tmp_path / "repo" / "a" / "b" / "r.txt") == (tmp_path / "repo").resolve()
    (tmp_path / "loose").mkdir()
    assert safefile.repository_root(tmp_path / "loose" / "r.txt") == (tmp_path / "loose").resolve()


# -- logs: streamed, so size is no reason to refuse; only what never ends or is no text


def test_log_paths(tmp_path: Path, fifo: Path) -> None:
    (tmp_path / "log.txt").write_text("x\n")
    assert safefile.log_path_problem(tmp_path / "log.txt") is None
    assert safefile.log_path_problem(fifo) is None  # read like a pipe, until its writer closes it
    assert safefile.log_path_problem(tmp_path / "missing.log") is None  # left for open() to report
    assert safefile.log_path_problem(tmp_path) == "a directory is not a log"
    if Path("/dev/zero").exists():
        assert safefile.log_path_problem("/dev/zero") == "a character device is not a log"


def test_log_streams(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    try:
        assert safefile.log_stream_problem(read_end) is None
    finally:
        os.close(read_end)
        os.close(write_end)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        assert safefile.log_stream_problem(fd) == "a directory is not a log"
    finally:
        os.close(fd)
    if Path("/dev/zero").exists():
        fd = os.open("/dev/zero", os.O_RDONLY)
        try:
            assert stat.S_ISCHR(os.fstat(fd).st_mode) and not os.isatty(fd)
            assert safefile.log_stream_problem(fd) == "a character device is not a log"
        finally:
            os.close(fd)
