"""Read the files users and repositories name, without being led anywhere.

Records, ``kb/environments.yaml``, requirements and lock files (and the files
they include) are untrusted: a contributor can commit a symbolic link, and a
requirements file can ``-r`` any path.  Every such read goes through
:func:`read_bytes` or :func:`read_text`, which hold these rules:

* Only regular files are read.  A FIFO would block the read forever, a device
  such as ``/dev/zero`` never ends, a directory is no text.  The kind is checked
  with ``stat``, which does not open (so cannot block on) the file, and checked
  again on the opened descriptor, which was opened non-blocking.
* With ``root``, the file's real path (links resolved) must lie inside ``root``:
  a link out of ``kb/`` is refused, not followed.
* The size is checked before reading, and the read stops one byte past the
  limit (files in ``/proc`` report a size of 0).
* A refusal names the file and the rule it broke; it never shows the content.

Logs are the exception: ``explain`` streams them with flat memory, so any size
is fine, and a pipe or FIFO is a legitimate log (``explain <(make)``); only
what can never be a log (a device that is not a terminal, a directory) is
refused, by :func:`check_log_stream`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional, Union

from generator.errors import WheelfixError, printable

PathLike = Union[str, "os.PathLike[str]"]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(WheelfixError):
    """A file that is not read: missing, not a regular file, too large, outside its root, not text.

    ``display`` names the file, ``reason`` says why; ``line`` is set when the
    problem has one (bad UTF-8).  The message is ``display[:line]: reason``.
    """

    def __init__(self, display: str, reason: str, *, line: Optional[int] = None, hint: Optional[str] = None) -> None:
        self.display, self.reason, self.line = display, reason, line
        where = f"{display}:{line}" if line is not None else display
        super().__init__(f"{where}: {reason}", hint=hint)


def shown(path: PathLike) -> str:
    """A path as messages print it: characters a terminal would act on are escaped."""
    return printable(os.fspath(path))


def kind_of(mode: int) -> str:
    """``"a directory"``, ``"a named pipe (FIFO)"`` ... for a ``st_mode``; ``"a regular file"`` otherwise."""
    return next((name for test, name in _KINDS if test(mode)), "a regular file")


def size_text(n: int) -> str:
    """``16 MiB``, ``512 KiB`` or ``1000 bytes``: the largest unit that divides ``n``."""
    for unit, name in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= unit and n % unit == 0:
            return f"{n // unit} {name}"
    return f"{n} bytes"


def is_inside(path: PathLike, root: PathLike) -> bool:
    """Whether ``path``, with every link resolved, lies inside ``root`` (also resolved)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def check_file(path: PathLike, *, limit: int, root: Optional[PathLike] = None, display: Optional[str] = None) -> None:
    """Raise :class:`UnreadableFile` unless ``path`` is a regular file of at most ``limit`` bytes (inside ``root``).

    Never opens the file.
    """
    name = display if display is not None else shown(path)
    if root is not None and not is_inside(path, root):
        raise UnreadableFile(
            name,
            f"leads outside {shown(root)} (through a symbolic link or '..'); it is not read",
            hint=f"keep the file inside {shown(root)} as a regular file, not a link",
        )
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableFile(name, f"cannot be read ({exc.strerror or exc})") from None
    _check_info(info, limit, name)


def _check_info(info: os.stat_result, limit: int, name: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(name, f"is {kind_of(info.st_mode)}, not a regular file; it is not read")
    if info.st_size > limit:
        raise UnreadableFile(name, _too_large(info.st_size, limit))


def read_bytes(path: PathLike, *, limit: int, root: Optional[PathLike] = None, display: Optional[str] = None) -> bytes:
    """The content of the regular file ``path``, at most ``limit`` bytes; raise :class:`UnreadableFile` otherwise."""
    name = display if display is not None else shown(path)
    check_file(path, limit=limit, root=root, display=name)
    try:
        # Non-blocking: if a FIFO replaced the file since the stat, open must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnreadableFile(name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        _check_info(os.fstat(fd), limit, name)
        chunks = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise UnreadableFile(name, f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if total > limit:
        raise UnreadableFile(name, _too_large(None, limit))
    return b"".join(chunks)


def _too_large(size: Optional[int], limit: int) -> str:
    actual = f" ({size} bytes)" if size is not None else ""
    return f"is larger than {size_text(limit)}{actual}; it is not read"


def decode_utf8(raw: bytes, display: str, *, bom: bool = True) -> str:
    """``raw`` as UTF-8 text (a leading byte-order mark dropped when ``bom``); bad bytes name their line."""
    try:
        return raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UnreadableFile(display, "is not UTF-8 text; save it as UTF-8", line=line) from None


def read_text(path: PathLike, *, limit: int, root: Optional[PathLike] = None, display: Optional[str] = None) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a byte-order mark dropped)."""
    name = display if display is not None else shown(path)
    return decode_utf8(read_bytes(path, limit=limit, root=root, display=name), name)


def log_path_problem(path: PathLike) -> Optional[str]:
    """Why ``path`` can never be a log (a device, a directory, a socket), found without opening it; else None.

    Regular files and FIFOs are logs (a FIFO is read until its writer closes
    it, as ``cat`` would).  A path that cannot be looked at is left for the
    opening to report.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    return f"{kind_of(mode)} is not a log"


def log_stream_problem(fd: int) -> Optional[str]:
    """Why the open descriptor ``fd`` can never be a log (a device that is not a terminal, a directory); else None.

    Regular files, pipes, FIFOs, sockets and terminals are streams a log can come from.
    """
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if stat.S_ISDIR(mode) or stat.S_ISBLK(mode) or (stat.S_ISCHR(mode) and not os.isatty(fd)):
        return f"{kind_of(mode)} is not a log"
    return None


def repository_root(path: PathLike) -> Path:
    """The nearest folder above ``path`` that holds ``.git``; the file's own folder when there is none."""
    start = Path(os.path.realpath(path)).parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start
