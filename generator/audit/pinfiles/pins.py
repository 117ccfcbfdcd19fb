"""What a requirements or lock file pins: the records every pin-file reader returns.

The readers live in :mod:`generator.audit.pinfiles` (requirements, ``pip freeze``)
and :mod:`generator.audit.pinfiles.lockfiles` (pylock.toml, uv.lock, poetry.lock); both read
files through :func:`read_pin_text` and fail with :class:`PinFileError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from generator import safefile
from generator.errors import WheelfixError

#: A pin file larger than this is not read; the largest real lock files are a
#: few MiB.  It also bounds a requirements file with everything it includes.
MAX_BYTES = 16 * 1024 * 1024


class PinFileError(WheelfixError):
    """A requirements or lock file that cannot be read; the message names file:line."""


@dataclass(frozen=True)
class Pin:
    """One requirement or locked package.

    ``version`` is set when the line pins one exact release (``==1.2``,
    ``===1.2`` or any lock entry); loose requirements keep only ``specifier``.
    ``hashes`` are ``algo:hex`` strings from ``--hash`` options or the lock.
    ``constraint`` is true for lines read through ``-c``: they narrow versions
    but do not ask for a package to be installed.
    """

    name: str
    raw_name: str
    file: Path
    line: int
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    version: Optional[Version] = None
    extras: Tuple[str, ...] = ()
    marker: Optional[Marker] = None
    hashes: Tuple[str, ...] = ()
    constraint: bool = False

    @property
    def where(self) -> str:
        """``file:line``, as editors and CI annotations understand it."""
        return f"{self.file}:{self.line}"

    def requirement_line(self) -> str:
        """The requirement as pip reads it, without marker, hashes or options."""
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        return f"{self.raw_name}{extras}{self.specifier}"


@dataclass(frozen=True)
class Unauditable:
    """A line naming something the index cannot tell us about (editable, URL, path)."""

    file: Path
    line: int
    text: str
    reason: str

    @property
    def where(self) -> str:
        """``file:line`` of the line."""
        return f"{self.file}:{self.line}"


@dataclass
class PinFile:
    """What one file (and, for requirements, the files it includes) pins."""

    path: Path
    format: str
    pins: List[Pin] = field(default_factory=list)
    unauditable: List[Unauditable] = field(default_factory=list)
    #: ``requires-python`` of a lock file, when it records one.
    requires_python: Optional[SpecifierSet] = None

    @property
    def requirements(self) -> List[Pin]:
        """Pins that ask for a package (not ``-c`` constraints)."""
        return [p for p in self.pins if not p.constraint]

    @property
    def constraints(self) -> List[Pin]:
        """Pins read through ``-c`` files."""
        return [p for p in self.pins if p.constraint]


def read_pin_text(path: Path) -> str:
    """A pin file's text (UTF-8, a byte-order mark dropped) through :mod:`generator.safefile`."""
    try:
        return safefile.read_text(path, limit=MAX_BYTES)
    except safefile.UnreadableFile as exc:
        raise PinFileError(str(exc), hint=exc.hint or "audit a requirements or lock file") from None


def first_line(exc: Exception) -> str:
    """The first line of an exception's message.

    packaging's messages draw a caret under the error on extra lines; the CLI
    shows one line, and the message already quotes the input.
    """
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
