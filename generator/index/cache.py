"""The on-disk cache of index responses, written only with pages already checked.

CacheControl decides what to store and when a stored page is fresh; this
module decides what reaches the disk:

- Writes are *held*: inside :meth:`PageCache.holding`, CacheControl's ``set``
  only records the entry, and the client writes it with :meth:`PageCache.commit`
  once the page it carries passed every check.  A captive portal's HTML or a
  page naming another project is never stored, so it cannot replace a good
  entry.
- Nothing is ever deleted: CacheControl purges entries it considers stale,
  but when the index then fails, that old entry is exactly what the client
  falls back to.  An entry is only ever replaced by a checked one.
- Entries are checksummed and replaced atomically (a temporary file, then
  ``os.replace``), under a per-entry file lock so two builds sharing the cache
  do not interleave writes.  A writer killed mid-way leaves a ``.tmp-*.part``
  file; :meth:`PageCache.sweep` removes those older than :data:`PART_MAX_AGE`,
  old enough that no live writer can still own them.
- A cache directory that cannot be written (or read) turns the cache off for
  the rest of the run with one warning, instead of failing each fetch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from cachecontrol.cache import BaseCache
from filelock import FileLock

__all__ = ["PART_MAX_AGE", "PageCache"]

logger = logging.getLogger("wheelfix.index")

#: A ``.tmp-*.part`` file older than this (seconds) has no live writer: writing
#: one entry takes milliseconds, and a writer stalled this long has lost its lock anyway.
PART_MAX_AGE = 15 * 60
_SWEEP_EVERY = 3600  # seconds between sweeps of the whole cache (a marker file's mtime)
# A writer holds an entry's lock for milliseconds; one stopped while holding it
# (kill -STOP) must not hang every other run: past this, writing is given up.
_LOCK_TIMEOUT = 30.0
_SWEEP_MARKER = ".swept"
_PART_PREFIX, _PART_SUFFIX = ".tmp-", ".part"

# Directories already warned about, so that a run warns once even with several clients.
_warned: set[Path] = set()
_warned_lock = threading.Lock()


class PageCache(BaseCache):
    """A CacheControl cache of checksummed files whose writes wait for the client's verdict."""

    _MAGIC = b"WFC1"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._local = threading.local()
        self._distrusted: set[str] = set()
        self._lock = threading.Lock()
        self._readable = True
        self._writable = True
        self._swept = False

    # -- what CacheControl calls -------------------------------------------

    def get(self, key: str) -> Optional[bytes]:
        if key in self._distrusted:
            return None
        return self.read(key)

    def read(self, key: str) -> Optional[bytes]:
        """The stored entry, distrusted or not (the client checks it again), or None."""
        if not self._readable:
            return None
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._give_up("read", exc)
            return None
        head = len(self._MAGIC) + 32
        if len(raw) < head or raw[: len(self._MAGIC)] != self._MAGIC or hashlib.sha256(raw[head:]).digest() != raw[len(self._MAGIC) : head]:
            logger.warning("cache entry %s is corrupt; treating it as missing", path)
            return None
        return raw[head:]

    def set(self, key: str, value: bytes, expires: Union[int, datetime, None] = None) -> None:
        held: Optional[dict[str, bytes]] = getattr(self._local, "held", None)
        if held is not None:
            held[key] = bytes(value)
        else:
            self.write(key, value)

    def delete(self, key: str) -> None:
        # Deliberately nothing: see the module docstring.
        logger.debug("keeping cache entry %s that CacheControl would purge", key)

    # -- what the client calls ---------------------------------------------

    @contextmanager
    def holding(self) -> Iterator[dict[str, bytes]]:
        """Hold this thread's writes in the yielded dict until :meth:`commit` (or drop them)."""
        held: dict[str, bytes] = {}
        self._local.held = held
        try:
            yield held
        finally:
            self._local.held = None

    def commit(self, held: dict[str, bytes], key: str, also: Iterable[str] = ()) -> None:
        """Write the held entry for ``key`` (the checked response) under ``key`` and the ``also`` keys."""
        value = held.get(key)
        if value is None:
            return  # served from the cache unchanged: nothing to write
        for k in dict.fromkeys([key, *also]):
            self.write(k, value)
            self._distrusted.discard(k)

    def distrust(self, key: str) -> None:
        """Ignore the stored entry for ``key`` in this run (it failed the checks) until replaced."""
        self._distrusted.add(key)

    def write(self, key: str, value: bytes) -> None:
        """Store an entry atomically; on an unwritable directory, warn once and stop caching."""
        if not self._writable:
            return
        path = self._path(key)
        blob = self._MAGIC + hashlib.sha256(value).digest() + value
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._sweep_once()
            with FileLock(str(path) + ".lock", timeout=_LOCK_TIMEOUT):
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_PART_PREFIX, suffix=_PART_SUFFIX)
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(blob)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(tmp, path)
                except BaseException:
                    try:
                        os.unlink(tmp)
                    except OSError:
                        pass
                    raise
        except OSError as exc:
            self._give_up("write", exc)

    def sweep(self, now: Optional[float] = None) -> int:
        """Remove ``.tmp-*.part`` files older than :data:`PART_MAX_AGE`; return how many."""
        cutoff = (time.time() if now is None else now) - PART_MAX_AGE
        removed = 0
        for path in _parts(self.directory):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:  # gone already, or not ours to remove: leave it
                continue
        if removed:
            logger.info("removed %d unfinished cache write(s) left by killed runs in %s", removed, self.directory)
        return removed

    # -- internals -----------------------------------------------------------

    def _path(self, key: str) -> Path:
        digest = hashlib.sha224(key.encode("utf-8")).hexdigest()
        return self.directory / digest[:2] / digest[2:4] / digest

    def _sweep_once(self) -> None:
        # Only writers sweep, and at most every _SWEEP_EVERY across processes.
        with self._lock:
            if self._swept:
                return
            self._swept = True
        marker = self.directory / _SWEEP_MARKER
        try:
            if time.time() - marker.stat().st_mtime < _SWEEP_EVERY:
                return
        except FileNotFoundError:
            pass
        self.sweep()
        marker.touch()

    def _give_up(self, what: str, exc: OSError) -> None:
        # A directory that cannot be written may still be read (a read-only cache
        # still serves --offline); one that cannot be read is off for both.
        self._writable = False
        if what == "read":
            self._readable = False
        with _warned_lock:
            first = self.directory not in _warned
            _warned.add(self.directory)
        log = logger.warning if first else logger.debug
        log("cannot %s the index cache in %s (%s); continuing without %s", what, self.directory,
            exc.strerror or exc, "a cache" if what == "read" else "saving to it")


def _parts(directory: Path) -> Iterator[Path]:
    """The temporary files under the cache's two levels of fan-out directories."""
    stack = [(directory, 0)]
    while stack:
        current, depth = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if depth < 2 and entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), depth + 1))
            elif entry.name.startswith(_PART_PREFIX) and entry.name.endswith(_PART_SUFFIX) and entry.is_file(follow_symlinks=False):
                yield Path(entry.path)
