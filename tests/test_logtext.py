"""Tests for generator.logs.text: normalisation rules and streaming line splitting."""

from __future__ import annotations

import io
from pathlib import Path
from typing import List, Tuple

import pytest

from generator.logs import text as logtext
from generator.logs.text import LineSplitter, iter_lines, normalise, normalise_line

LOGS = Path(__file__).parent / "data" / "logs"


def _lines(data: bytes, chunk_size: int = 1 << 20) -> List[Tuple[int, str]]:
    return list(iter_lines(io.BytesIO(data), chunk_size))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # pip legacy: indentation only
        ("      error: can't find Rust compiler", "error: can't find Rust compiler"),
        # pip rich: the cross, the margin and the arrow of the error box
        ("  × Building wheel for x (pyproject.toml) did not run successfully.", "Building wheel for x (pyproject.toml) did not run successfully."),
        ("  │ exit code: 1", "exit code: 1"),
        ("  ╰─> [37 lines of output]", "[37 lines of output]"),
        ("  │", ""),
        # uv (miette): branches with a filled arrow
        ("  ├─▶ The build backend returned an error", "The build backend returned an error"),
        ("  ╰─▶ Call to `setuptools.build_meta.build_wheel` failed", "Call to `setuptools.build_meta.build_wheel` failed"),
        # "note:" lines keep their text
        ("  note: This error originates from a subprocess", "note: This error originates from a subprocess"),
        # GitHub Actions timestamp and annotation
        ("2024-06-03T10:15:04.1234567Z ##[error]Process completed", "Process completed"),
        ("2024-06-03T10:15:04.1234567Z       fatal error: Python.h", "fatal error: Python.h"),
        # GitLab timestamp with stream tag, and a continuation
        ("2024-06-03T10:15:09.123456Z 01E+NumPy 2.0.2 as it may crash", "NumPy 2.0.2 as it may crash"),
        ("2024-06-03T10:15:09.123456Z 01E A module that", "A module that"),
        # Render: 12-hour clock with two spaces, and ISO with an offset
        ("Nov 28 05:12:34 PM    Building wheel for x", "Building wheel for x"),
        ("2024-11-28 17:12:34+00:00 Collecting x", "Collecting x"),
        # Vercel, bracketed or not
        ("[12:34:56.789] Running build", "Running build"),
        ("12:35:10.555    RuntimeError: boom", "RuntimeError: boom"),
        # Docker BuildKit, step header and timed line; then pip's margin inside
        ("#9 [builder 4/6] RUN pip install x", "[builder 4/6] RUN pip install x"),
        ("#12 104.3       │ exit code: 1", "exit code: 1"),
        # a C preprocessor line is not a BuildKit prefix
        ("#include <Python.h>", "#include <Python.h>"),
        # git push output
        ("remote:        error: command 'gcc' failed", "error: command 'gcc' failed"),
        # trailing blanks go, inner ones stay
        ("a  b \t ", "a  b"),
    ],
)
def test_normalise_line(raw: str, expected: str) -> None:
    assert normalise_line(logtext.normalise_block(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # colours and bold around words
        ("\x1b[1;31merror\x1b[0m: \x1b[1mboom\x1b[0m", "error: boom"),
        # erase-line and OSC hyperlinks
        ("\x1b[0Kdone \x1b]8;;http://127.0.0.1/x\x07link\x1b]8;;\x07", "done link"),
        # other control characters vanish, tabs stay
        ("a\x00b\x08c\td", "abc\td"),
        # Windows paths: single and doubled backslashes become slashes
        ("C:\\Users\\me\\x.c(9): fatal error", "C:/Users/me/x.c(9): fatal error"),
        ("'C:\\\\Program Files\\\\cl.exe'", "'C:/Program Files/cl.exe'"),
        # a backslash not between path characters stays (regexes, escapes)
        ("match \\(os error 30\\)", "match \\(os error 30\\)"),
    ],
)
def test_normalise_block(raw: str, expected: str) -> None:
    assert logtext.normalise_block(raw) == expected


def test_normalised_line_is_a_substring_of_its_input() -> None:
    # Matchers rely on it: a literal of the normalised line is in the raw line.
    for path in sorted(LOGS.glob("*.log")):
        for raw in logtext.normalise_block(path.read_text("utf-8")).splitlines():
            assert normalise_line(raw) in raw


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", []),  # empty input: no lines
        (b"a", [(1, "a")]),  # no final newline
        (b"a\n", [(1, "a")]),  # a final newline adds no line
        (b"a\n\n", [(1, "a"), (2, "")]),  # but an empty line is a line
        (b"a\r\nb\rc\n", [(1, "a"), (2, "b"), (3, "c")]),  # CRLF and lone CR
        (b"50%\r100%\rdone\n", [(1, "50%"), (2, "100%"), (3, "done")]),  # progress bars
        (b"\xef\xbb\xbfhello\n", [(1, "hello")]),  # UTF-8 byte-order mark
        (b"caf\xe9 \xff\n", [(1, "caf\ufffd \ufffd")]),  # not UTF-8: replaced, not fatal
        (b"\xff\xfeh\x00i\x00\r\x00\n\x00", [(1, "hi")]),  # UTF-16 with a BOM (PowerShell)
    ],
)
def test_iter_lines(data: bytes, expected: List[Tuple[int, str]]) -> None:
    assert _lines(data) == expected


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 64, 1 << 20])
def test_chunk_boundaries_do_not_change_lines(chunk_size: int) -> None:
    # CRLF split across reads, multibyte characters split across reads, UTF-16.
    data = b"a\r\n\r\nb\r\rc\xe2\x94\x82 d\n" + "│ ü\r\n".encode() * 3 + b"end"
    assert _lines(data, chunk_size) == _lines(data)
    for path in sorted(p for p in LOGS.iterdir() if p.is_file()):
        raw = path.read_bytes()
        assert _lines(raw, chunk_size) == _lines(raw), path.name


def test_long_line_without_newline_is_truncated_and_memory_bounded() -> None:
    class Endless(io.RawIOBase):
        """8 MiB of 'x' with no newline, then one real line."""

        def __init__(self) -> None:
            self.left = 8 << 20
            self.tail = b"\nERROR: after\n"

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            if self.left:
                n = min(len(b), self.left)
                b[:n] = b"x" * n
                self.left -= n
                return n
            n = min(len(b), len(self.tail))
            b[:n], self.tail = self.tail[:n], self.tail[n:]
            return n

    splitter = LineSplitter()
    stream = io.BufferedReader(Endless())
    biggest = 0
    blocks = []
    while True:
        data = stream.read(1 << 16)
        block = splitter.feed(data) if data else splitter.close()
        if block is not None:
            blocks.append(block)
            biggest = max(biggest, len(block))
        biggest = max(biggest, len(splitter._carry))
        if not data:
            break
    text = b"\n".join(blocks).split(b"\n")
    assert text == [b"x" * logtext.MAX_LINE, b"ERROR: after"]
    assert biggest <= logtext.MAX_LINE + (1 << 16)


def test_long_line_inside_a_block_is_cut_at_max_line() -> None:
    lines = _lines(b"short\n" + b"y" * (logtext.MAX_LINE + 10) + b"\nlast\n")
    assert [n for n, _ in lines] == [1, 2, 3]
    assert lines[1][1] == "y" * logtext.MAX_LINE


def test_normalise_convenience_agrees_with_streaming() -> None:
    for path in sorted(LOGS.glob("*.log")):
        raw = path.read_bytes()
        assert [t for _, t in _lines(raw)] == normalise(raw.decode("utf-8")), path.name


def test_lines_of_treats_items_as_lines() -> None:
    assert list(logtext.lines_of(["a\n", "b\r\n", "", "c\rd"])) == ["a", "b", "", "c", "d"]


@pytest.mark.parametrize(
    "block",
    [
        b"plain ascii\nsecond line",  # no control byte: the regex pass is skipped
        b"\x1b[31merror:\x1b[0m red\n\x1b]0;title\x07after",  # CSI and OSC escapes
        b"bell\x07 and \x7f del and \x0b vt",  # lone control characters
        b"\xe2\x94\x82 box \xe2\x9c\x97 cross",  # UTF-8 multibyte, no control byte
        b"broken \xff\xfe\x1b[1m bytes \xc3",  # invalid UTF-8 next to an escape
        b"\xc3\x1b[0m",  # a truncated sequence right before ESC
        b"C:\\\\Users\\\\me\\\\x.c and a\\\\b",  # Windows paths, no control byte
        b"\x1b",  # a lone ESC
        b"",  # one empty line
    ],
)
def test_decode_block_fast_path_agrees_with_the_rules(block: bytes) -> None:
    # decode_block skips the ANSI regex when no control byte is present; the
    # result must be what the rules give on the decoded text.
    assert logtext.decode_block(block) == logtext.normalise_block(block.decode("utf-8", "replace"))


def test_decode_block_agrees_on_every_byte() -> None:
    # Every byte value, alone and around an escape, so no control byte is
    # missing from the fast path's list.
    for b in range(256):
        for block in (bytes([b]), b"a" + bytes([b]) + b"[1mz", bytes([b]) + b"\x1b[0m" + bytes([b])):
            assert logtext.decode_block(block) == logtext.normalise_block(block.decode("utf-8", "replace")), block
