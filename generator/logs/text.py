"""Turn raw build-log bytes into normalised lines, whatever the input.

Logs arrive from pip (legacy and rich output), uv, poetry, Docker BuildKit and
CI platforms (GitHub Actions, GitLab, Render, Vercel, Heroku) with timestamps,
ANSI colours, CR progress bars, Windows paths, broken encodings and lines
megabytes long.  Signatures are matched against the *normalised* text, so the
rules here are a public contract: ``docs/assets/javascripts/paste.js`` applies
exactly the same ones in the browser (the regular expressions below are written
in the subset where Python and JavaScript agree, and ``tests/test_paste_js.py``
checks both agree line by line).

Two layers, so that a 100 MB log can be scanned block-wise by C code:

* :func:`normalise_block` (block level): control characters and ANSI escapes
  removed, backslashes in Windows paths turned into ``/``.  It never joins or
  splits lines, so it can run on many lines at once.
* :func:`normalise_line` (line level): the platform prefixes (timestamps,
  BuildKit step numbers, ``remote:``, the ``│ × ╰─>`` margins of rich output,
  indentation) stripped and trailing blanks removed.  The result is always a
  substring of its input, which is what lets a matcher look for literals in a
  whole block before normalising the few lines that contain one.

Line breaks are ``\\r\\n``, ``\\n`` and a lone ``\\r`` (as in editors); every
break starts a new numbered line.  A line longer than :data:`MAX_LINE` characters
is truncated; input is read in binary chunks so memory stays flat for any size.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO, Iterable, Iterator, List, Optional, Tuple

from generator.errors import WheelfixError

class LogError(WheelfixError):
    """A log that cannot be read at all (missing, a directory, no permission)."""


#: Longest line kept, in characters; the rest of a longer line is dropped.
MAX_LINE = 64 * 1024

#: Bytes read from a stream at a time.
CHUNK_SIZE = 1 << 20

# The JavaScript twin of every pattern below lives in paste.js under the same
# name; keep them identical.  No \s, \d or \w: their meaning differs between
# the two engines for non-ASCII text.
_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"
_ANSI = (
    "\\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase line
    "|\\x1b\\][^\\x07\\x1b\\n]*(?:\\x07|\\x1b\\\\)?"  # OSC: titles, hyperlinks
    "|\\x1b[@-Z\\\\-_]"  # two-byte escapes
)
ANSI_PATTERN = _ANSI + "|" + _CONTROL
# A backslash (or a doubled one from a repr) between path characters is a path
# separator: "C:\\Users\\me\\x.c" and "numpy\\core\\include".  Leaving other
# backslashes alone keeps regexes and escapes quoted in logs readable.
WINPATH_PATTERN = "(?<=[A-Za-z0-9_.:~$-])\\\\+(?=[A-Za-z0-9_.~$-])"

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_ISO = (
    "\\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}"
    "(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2}| ?UTC)?\\]?"
)
_TIMESTAMP = (
    "(?:" + _ISO + "(?: [0-9]{2}[OE]\\+?)?"  # GitHub Actions, GitLab (stream tag), Render, logging
    "|(?:" + _MONTHS + ") [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(?: [AP]M)?"  # Render, syslog
    "|\\[?[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}\\]?"  # Vercel
    ")[ \\t]*"
)
PREFIX_PATTERN = (
    "^[ \\t]*(?:" + _TIMESTAMP + ")?"
    "(?:##\\[(?:error|warning|notice|debug|group|endgroup)\\])?"  # GitHub Actions annotations
    "(?:#[0-9]+ (?:[0-9]+\\.[0-9]+ )?)?"  # Docker BuildKit "#9 12.3 "
    "(?:remote: )?"  # git push output (Heroku and friends)
    "[ \\t]*(?:(?:[│┃║]|[×✗]|[╰├]─+(?:>|▶)?)(?: |$))?"  # rich / miette boxes of pip and uv
    "[ \\t]*"
)
TRAILING_PATTERN = "[ \\t]+$"

_ansi_re = re.compile(ANSI_PATTERN)
_winpath_re = re.compile(WINPATH_PATTERN)
_prefix_re = re.compile(PREFIX_PATTERN)
_trailing_re = re.compile(TRAILING_PATTERN)
# Every byte ANSI_PATTERN needs: the ESC of an escape, or a control character.
# Deleting them with bytes.translate runs near memory speed, while the regex
# search for a character class costs several nanoseconds a character, so a
# block without any (most of them) skips the regex altogether.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def normalise_block(text: str) -> str:
    """Apply the block-level rules to ``text`` (one or more lines, ``\\n``-separated)."""
    text = _ansi_re.sub("", text)
    if "\\" in text:
        text = _winpath_re.sub("/", text)
    return text


def normalise_line(line: str) -> str:
    """Apply the line-level rules to one line already passed through :func:`normalise_block`.

    The result is a substring of ``line``.
    """
    if len(line) > MAX_LINE:
        line = line[:MAX_LINE]
    m = _prefix_re.match(line)
    if m is not None and m.end():
        line = line[m.end():]
    if line.endswith((" ", "\t")):
        line = _trailing_re.sub("", line)
    return line


def normalise(raw: str) -> List[str]:
    """Normalise a whole log given as text; returns its lines (the convenience API)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    return [normalise_line(x) for x in normalise_block(text).split("\n")]


class LineSplitter:
    """Cut a byte stream into blocks of whole lines, with flat memory.

    :meth:`feed` takes bytes as they come and returns the complete lines seen so
    far as one ``bytes`` block (line breaks unified to ``\\n``, no trailing
    break; ``b""`` is one empty line), or ``None`` when no line is complete yet.
    A line longer than :data:`MAX_LINE` bytes with no break in sight is cut there
    and the rest of it skipped.  UTF-16 input (with a byte-order mark, as
    PowerShell writes it) is transcoded to UTF-8; a UTF-8 byte-order mark is
    dropped.  ``sniff=False`` takes the bytes as UTF-8 from the start (for a
    stream that starts mid-file, where such bytes are no byte-order mark).
    """

    def __init__(self, max_line: int = MAX_LINE, sniff: bool = True) -> None:
        self._max = max_line
        self._carry = b""
        self._skipping = False
        self._pending_cr = False  # the last break was a "\r" at the end of a read
        self._head: Optional[bytes] = b"" if sniff else None  # bytes kept until a BOM can be recognised
        self._utf16: Optional[codecs.IncrementalDecoder] = None

    def feed(self, data: bytes) -> Optional[bytes]:
        """Add ``data``; return the block of lines it completed, if any."""
        if self._head is not None:
            data = self._head + data
            if len(data) < 3:
                self._head = data
                return None
            self._head = None
            data = self._sniff(data)
        if self._utf16 is not None:
            data = self._utf16.decode(data).encode("utf-8", "surrogatepass")
        return self._split(data)

    def close(self) -> Optional[bytes]:
        """Flush: return the last, unterminated line, if there is one."""
        if self._head is not None:
            data, self._head = self._sniff(self._head), None
        else:
            data = b""
        if self._utf16 is not None:
            data = self._utf16.decode(data, final=True).encode("utf-8", "surrogatepass")
        block = self._split(data)
        tail, self._carry = self._carry, b""
        if self._skipping or not tail:
            return block
        tail = _unify_breaks(tail)
        return tail if block is None else block + b"\n" + tail

    def _sniff(self, data: bytes) -> bytes:
        if data.startswith(codecs.BOM_UTF8):
            return data[3:]
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._utf16 = codecs.getincrementaldecoder("utf-16")(errors="replace")
        return data

    def _split(self, data: bytes) -> Optional[bytes]:
        if self._pending_cr and data:
            self._pending_cr = False
            if data.startswith(b"\n"):
                data = data[1:]
        buf = self._carry + data if self._carry else data
        self._carry = b""
        if self._skipping:
            cut = first_break(buf)
            if cut < 0:
                return None
            self._skipping = False
            end = cut + 2 if buf[cut:cut + 2] == b"\r\n" else cut + 1
            self._pending_cr = end == len(buf) and buf.endswith(b"\r")
            buf = buf[end:]
        cut = max(buf.rfind(b"\n"), buf.rfind(b"\r"))
        if cut < 0:
            if len(buf) > self._max:
                self._skipping = True
                return buf[: self._max]
            self._carry = buf
            return None
        block, rest = buf[:cut], buf[cut + 1:]
        if buf[cut] == 0x0A and block.endswith(b"\r"):
            block = block[:-1]
        self._pending_cr = buf[cut] == 0x0D and not rest
        if len(rest) > self._max:
            # The start of a line already longer than allowed: emit it cut.
            block = _unify_breaks(block) + b"\n" + rest[: self._max]
            self._skipping = True
            return block
        self._carry = rest
        return _unify_breaks(block)


def first_break(buf: bytes) -> int:
    """The index of the first ``\\n`` or ``\\r`` in ``buf``, or -1."""
    n, r = buf.find(b"\n"), buf.find(b"\r")
    if n < 0:
        return r
    if r < 0:
        return n
    return min(n, r)


_CR_TO_LF = bytes.maketrans(b"\r", b"\n")


def _unify_breaks(block: bytes) -> bytes:
    # Lone CRs become LFs through a translation table, which costs the same for any
    # number of them; a regex substitution (or bytes.replace) pays for each match and
    # made lone-CR logs 20 times slower than LF ones.  Only a block holding an LF can
    # hold a CRLF, and looking for one byte is fast where looking for two is not.
    if b"\r" not in block:
        return block
    if b"\n" in block:
        block = block.replace(b"\r\n", b"\n")
    return block.translate(_CR_TO_LF)


def decode_block(block: bytes) -> str:
    """Decode a block from :class:`LineSplitter` and apply :func:`normalise_block`."""
    text = block.decode("utf-8", "replace")
    # Decoding maps ASCII bytes to the same characters and everything else to
    # non-ASCII ones, so a block without control bytes decodes to text the
    # ANSI/control rule leaves unchanged.
    if not _no_controls(block):
        text = _ansi_re.sub("", text)
    if "\\" in text:
        text = _winpath_re.sub("/", text)
    return text


def _no_controls(block: bytes) -> bool:
    return len(block.translate(None, _CONTROL_BYTES)) == len(block)


def is_plain(block: bytes) -> bool:
    """True if :func:`decode_block` only decodes ``block`` (UTF-8, errors replaced).

    Then any run of its whole lines decodes alone to the same text as within
    the block: a line break is ASCII, and the decoder never takes an ASCII
    byte into an invalid sequence.
    """
    return b"\\" not in block and _no_controls(block)


def iter_blocks(
    stream: BinaryIO, chunk_size: int = CHUNK_SIZE, first: int = 1, sniff: bool = True
) -> Iterator[Tuple[int, str]]:
    """Yield ``(number_of_first_line, block)`` for a binary stream.

    Each block holds whole lines separated by ``\\n``, already passed through
    :func:`normalise_block` but not :func:`normalise_line`.  Lines are numbered
    from ``first``; ``sniff`` as for :class:`LineSplitter`.
    """
    number = first
    for text in iter_texts(stream, chunk_size, sniff):
        yield number, text
        number += text.count("\n") + 1


def iter_texts(stream: BinaryIO, chunk_size: int = CHUNK_SIZE, sniff: bool = True) -> Iterator[str]:
    """The blocks of :func:`iter_blocks` without their line numbers.

    For a reader that counts the lines of each block anyway: counting them
    again here costs as much as a tenth of reading a compiler-heavy log.
    """
    for block in iter_raw_blocks(stream, chunk_size, sniff):
        yield decode_block(block)


def iter_raw_blocks(stream: BinaryIO, chunk_size: int = CHUNK_SIZE, sniff: bool = True) -> Iterator[bytes]:
    """The blocks of :func:`iter_texts` before :func:`decode_block`: UTF-8 (or other bytes), ``\\n`` breaks."""
    splitter = LineSplitter(sniff=sniff)
    while True:
        data = stream.read(chunk_size)
        block = splitter.feed(data) if data else splitter.close()
        if block is not None:
            yield block
        if not data:
            return


def iter_lines(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[Tuple[int, str]]:
    """Yield ``(line_number, normalised_line)`` for every line of a binary stream."""
    for first, block in iter_blocks(stream, chunk_size):
        for offset, line in enumerate(block.split("\n")):
            yield first + offset, normalise_line(line)


def lines_of(texts: Iterable[str]) -> Iterator[str]:
    """Normalise raw text lines, one item a line (a trailing break is ignored).

    An item holding inner breaks counts as several lines, as it would in a file.
    """
    for raw in texts:
        if raw.endswith("\n"):
            raw = raw[:-2] if raw.endswith("\r\n") else raw[:-1]
        elif raw.endswith("\r"):
            raw = raw[:-1]
        if "\n" in raw or "\r" in raw:
            yield from normalise(raw + "\n")
        else:
            yield normalise_line(normalise_block(raw))
