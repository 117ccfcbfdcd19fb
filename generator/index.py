"""The package-index client: PEP 691 JSON pages over HTTP, cached on disk.

Which index: :func:`configured_index_url` reads it the way pip does
(``PIP_INDEX_URL``, then pip's ``global.index-url``, then pip's own default),
so wheelfix judges the same index the user's pip installs from.

Caching: ``requests`` + CacheControl with an on-disk cache whose entries are
written atomically and checksummed.  Inside ``max_age`` a page is served with
zero requests; after it, only a conditional request (``If-None-Match``) is
sent, and a 304 renews the entry.  When the index cannot be reached (or
``offline=True``), cached data of any age is used with a warning naming its
age; without cached data :class:`IndexUnavailable` is raised.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

import msgpack  # type: ignore[import-untyped]
import requests
from cachecontrol import CacheControlAdapter
from cachecontrol.cache import BaseCache
from cachecontrol.controller import CacheController
from cachecontrol.heuristics import BaseHeuristic
from cachecontrol.serialize import Serializer
from filelock import FileLock
from packaging.utils import canonicalize_name
from urllib3.util.retry import Retry

from generator import REPOSITORY_URL, __version__
from generator.cachedir import default_cache_dir, http_cache_dir
from generator.indexdata import (
    JSON_CONTENT_TYPE,
    IndexClientError,
    IndexDataError,
    ProjectPage,
    parse_project_page,
    parse_timestamp,
)

__all__ = [
    "IndexClient",
    "IndexClientError",
    "IndexDataError",
    "IndexUnavailable",
    "ProjectNotFound",
    "ClientStats",
    "configured_index_url",
    "default_cache_dir",
    "project_url",
]

logger = logging.getLogger("wheelfix.index")

USER_AGENT = f"wheelfix/{__version__} (+{REPOSITORY_URL})"
_ACCEPT = f"{JSON_CONTENT_TYPE}"
_FETCHED_HEADER = "X-Wheelfix-Fetched-At"
_KEEP_SECONDS = 10 * 365 * 86400
_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_HINT_NETWORK = (
    "check the network connection, any proxy settings (HTTPS_PROXY), and the index URL "
    "(PIP_INDEX_URL or pip's global.index-url); --offline uses cached data only"
)


class ProjectNotFound(IndexClientError):
    """The index has no project of that name (HTTP 404)."""


class IndexUnavailable(IndexClientError):
    """The index could not be reached or failed, and no cached data exists."""


def configured_index_url() -> str:
    """The index URL pip would use: PIP_INDEX_URL, pip's global.index-url, else pip's default."""
    env = os.environ.get("PIP_INDEX_URL", "").strip()
    if env:
        return env.split()[0]
    try:
        from pip._internal.configuration import Configuration

        config = Configuration(isolated=False)
        config.load()
        for key in ("global.index-url", ":env:.index-url", "install.index-url"):
            try:
                value = str(config.get_value(key)).strip()
            except Exception:  # pip raises ConfigurationError for a missing key
                continue
            if value:
                return value.split()[0]
    except Exception as exc:  # an unreadable pip config must not stop us; pip's default still applies
        logger.debug("could not read pip's configuration: %s", exc)
    try:
        from pip._internal.models.index import PyPI

        return str(PyPI.simple_url)
    except Exception as exc:
        raise IndexClientError(
            "no index URL configured and pip's default could not be read",
            hint=f"set PIP_INDEX_URL (pip import failed: {exc})",
        ) from None


def project_url(index_url: str, name: str) -> str:
    """The PEP 503/691 URL of a project page: index_url.rstrip('/') + '/' + name + '/'."""
    return index_url.rstrip("/") + "/" + canonicalize_name(name) + "/"


class _AtomicFileCache(BaseCache):
    """A CacheControl cache of checksummed files, replaced atomically.

    A writer killed mid-way leaves at most a stray temp file, never a partial
    entry; an entry that fails its checksum is treated as a miss.  A per-entry
    file lock keeps two builds sharing the cache from interleaving writes.
    """

    _MAGIC = b"WFC1"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        digest = hashlib.sha224(key.encode("utf-8")).hexdigest()
        return self.directory / digest[:2] / digest[2:4] / digest

    def get(self, key: str) -> Optional[bytes]:
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("cannot read cache entry %s: %s; treating it as missing", path, exc)
            return None
        head = len(self._MAGIC) + 32
        if len(raw) < head or raw[: len(self._MAGIC)] != self._MAGIC or hashlib.sha256(raw[head:]).digest() != raw[len(self._MAGIC) : head]:
            logger.warning("cache entry %s is corrupt; treating it as missing", path)
            return None
        return raw[head:]

    def set(self, key: str, value: bytes, expires: Union[int, datetime, None] = None) -> None:
        if not _body_is_json(value):
            # Keep the previous good entry rather than caching a broken page.
            logger.debug("not caching %s: body is not valid JSON", key)
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = self._MAGIC + hashlib.sha256(value).digest() + value
        with FileLock(str(path) + ".lock"):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
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

    def delete(self, key: str) -> None:
        path = self._path(key)
        with FileLock(str(path) + ".lock"):
            try:
                path.unlink()
            except FileNotFoundError:
                pass


def _body_is_json(serialized: bytes) -> bool:
    """True when a CacheControl entry's body parses as JSON (or it is not a JSON response)."""
    prefix = b"cc=4,"
    if not serialized.startswith(prefix):
        return True
    try:
        cached = msgpack.loads(serialized[len(prefix) :], raw=False)
        response = cached["response"]
        headers = {str(k).lower(): str(v) for k, v in response.get("headers", {}).items()}
        if "json" not in headers.get("content-type", "") or headers.get("content-encoding"):
            return True
        json.loads(response["body"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


class _Freshness(BaseHeuristic):
    """Keep every page (the index's own Cache-Control is ignored) and stamp its receipt.

    The freshness window is not stored: each client sends its own as a request
    ``Cache-Control: max-age``, which CacheControl lets override the stored one,
    so ``--max-age 0`` revalidates even entries stored by a client with a longer window.
    """

    def update_headers(self, response: Any) -> dict[str, str]:
        now = datetime.now(timezone.utc)
        # Also applied to a 304, whose headers CacheControl merges into the entry:
        # the date restarts the window and the stamp records the confirmation.
        return {
            "cache-control": f"max-age={_KEEP_SECONDS}",
            "date": format_datetime(now, usegmt=True),
            _FETCHED_HEADER.lower(): now.isoformat(),
        }

    def warning(self, response: Any) -> Optional[str]:
        return None


@dataclass
class ClientStats:
    """Counters for the benchmark and the tests."""

    requests: int = 0  # HTTP exchanges sent (full or conditional)
    conditional_requests: int = 0  # of which revalidations (If-None-Match / If-Modified-Since)
    bytes: int = 0  # body bytes received over the wire
    cache_hits: int = 0  # pages served from the cache without any request
    stale_uses: int = 0  # pages served from old cached data because the index failed or offline


class IndexClient:
    """Fetch project pages from a PEP 691 index, with an on-disk HTTP cache."""

    def __init__(
        self,
        index_url: Optional[str] = None,
        *,
        cache_dir: Optional[Path] = None,
        max_age: timedelta = timedelta(hours=1),
        timeout: float = 15.0,
        max_workers: int = 8,
        offline: bool = False,
        progress: bool = True,
        retries: int = 3,
        backoff_factor: float = 0.5,
    ) -> None:
        self.index_url = index_url or configured_index_url()
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", self.index_url):
            raise IndexClientError(
                f"index URL {self.index_url!r} is not an absolute URL",
                hint="give a URL such as https://example.invalid/simple/ (via --index-url or PIP_INDEX_URL)",
            )
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.max_age = max_age
        self.timeout = timeout
        self.max_workers = max(1, max_workers)
        self.offline = offline
        self.progress = progress
        self.stats = ClientStats()
        self._retries = retries
        self._backoff = backoff_factor
        self._cache = _AtomicFileCache(http_cache_dir(self.cache_dir))
        self._local = threading.local()
        self._stats_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------

    def _session(self) -> requests.Session:
        session: Optional[requests.Session] = getattr(self._local, "session", None)
        if session is None:
            retry = Retry(
                total=self._retries,
                connect=self._retries,
                read=self._retries,
                status=self._retries,
                backoff_factor=self._backoff,
                status_forcelist=(429, 500, 502, 503, 504),
                allowed_methods=frozenset({"GET"}),
                respect_retry_after_header=True,
                raise_on_status=False,
            )
            adapter = CacheControlAdapter(
                cache=self._cache,
                heuristic=_Freshness(),
                max_retries=retry,
                pool_maxsize=self.max_workers,
            )
            session = requests.Session()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update({
                "User-Agent": USER_AGENT,
                "Accept": _ACCEPT,
                "Cache-Control": f"max-age={max(0, int(self.max_age.total_seconds()))}",
            })
            self._local.session = session
        return session

    def _count(self, **deltas: int) -> None:
        with self._stats_lock:
            for key, value in deltas.items():
                setattr(self.stats, key, getattr(self.stats, key) + value)

    def _stale(self, url: str) -> Optional[tuple[bytes, Mapping[str, str]]]:
        data = self._cache.get(CacheController.cache_url(url))
        if data is None:
            return None
        request = requests.Request("GET", url, headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT}).prepare()
        try:
            response = Serializer().loads(request, data)
            if response is None:
                return None
            body = response.read(decode_content=True)
        except Exception as exc:  # a cached entry we cannot decode is a miss, not a crash
            logger.warning("cached data for %s is unreadable (%s); ignoring it", url, exc)
            return None
        return body, dict(response.headers)

    # -- public API -------------------------------------------------------

    def fetch(self, name: str) -> ProjectPage:
        """Fetch one project's page; raises ProjectNotFound, IndexUnavailable or IndexDataError."""
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise IndexClientError(
                f"{name!r} is not a valid project name",
                hint="project names are letters, digits, '.', '_' and '-', starting and ending with a letter or digit",
            )
        canonical = canonicalize_name(name)
        url = project_url(self.index_url, canonical)
        if self.offline:
            return self._from_stale(name, url, reason="offline mode")
        try:
            response = self._session().get(url, timeout=self.timeout)
            body = response.content
        except requests.RequestException as exc:
            return self._from_stale(name, url, reason=_describe(exc))
        sent_conditional = any(h in response.request.headers for h in ("If-None-Match", "If-Modified-Since"))
        if sent_conditional:
            self._count(requests=1, conditional_requests=1)
        elif getattr(response, "from_cache", False):
            self._count(cache_hits=1)
        else:
            self._count(requests=1, bytes=len(body))
        if response.status_code in (404, 410):
            raise ProjectNotFound(
                f"no project named {name!r} on the index",
                hint=f"check the spelling; the index asked was {self.index_url}",
            )
        if response.status_code != 200:
            return self._from_stale(name, url, reason=f"HTTP {response.status_code} {response.reason or ''}".strip())
        return self._page(name, url, body, response.headers)

    def _from_stale(self, name: str, url: str, *, reason: str) -> ProjectPage:
        stale = self._stale(url)
        if stale is None:
            raise IndexUnavailable(
                f"cannot get the project page of {name!r} ({reason}) and there is no cached copy",
                hint=_HINT_NETWORK,
            )
        body, headers = stale
        page = self._page(name, url, body, headers)
        age = datetime.now(timezone.utc) - page.fetched_at
        logger.warning("%s: using cached index data from %s ago (%s)", page.name, _human_age(age), reason)
        self._count(stale_uses=1)
        return page

    def _page(self, name: str, url: str, body: bytes, headers: Mapping[str, str]) -> ProjectPage:
        lower = {k.lower(): v for k, v in headers.items()}
        content_type = lower.get("content-type", "").split(";")[0].strip()
        if content_type != JSON_CONTENT_TYPE:
            raise IndexDataError(
                f"project page for {name!r} came as {content_type or 'no content type'!r}, not {JSON_CONTENT_TYPE!r}",
                hint="the index must support the PEP 691 JSON API; check the index URL",
            )
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise IndexDataError(
                f"project page for {name!r} is not valid JSON ({len(body)} bytes; {exc})",
                hint="the response was cut off or garbled; try again, or check a proxy in between",
            ) from None
        serial: Optional[int] = None
        raw_serial = lower.get("x-pypi-last-serial")
        if raw_serial and raw_serial.strip().isdigit():
            serial = int(raw_serial)
        return parse_project_page(name, payload, fetched_at=_fetched_at(lower), last_serial=serial, base_url=url)

    def fetch_many(self, names: Iterable[str]) -> dict[str, Union[ProjectPage, IndexClientError]]:
        """Fetch several pages concurrently; each name maps to its page or its error."""
        unique = list(dict.fromkeys(names))
        results: dict[str, Union[ProjectPage, IndexClientError]] = {}
        if not unique:
            return results
        from tqdm import tqdm  # type: ignore[import-untyped]

        disable = not self.progress or not sys.stderr.isatty()
        started = time.monotonic()
        with tqdm(total=len(unique), desc="index", unit="pkg", file=sys.stderr, disable=disable, leave=False, delay=_PROGRESS_DELAY) as bar:
            with ThreadPoolExecutor(max_workers=min(self.max_workers, len(unique))) as pool:
                pending = {pool.submit(self.fetch, n): n for n in unique}
                while pending:
                    # Wake at least every PROGRESS_DELAY so one slow fetch still shows what it waits for.
                    done, _ = wait(pending, timeout=_PROGRESS_DELAY, return_when=FIRST_COMPLETED)
                    for future in done:
                        name = pending.pop(future)
                        try:
                            results[name] = future.result()
                        except IndexClientError as exc:
                            results[name] = exc
                        bar.update(1)
                    if pending and time.monotonic() - started >= _PROGRESS_DELAY:
                        bar.set_postfix_str(_in_flight(sorted(pending.values())))
        return {n: results[n] for n in unique}


_PROGRESS_DELAY = 0.5  # seconds before a fetch counts as "more than a moment"


def _in_flight(names: list[str]) -> str:
    """'fetching six, tiktoken; 2 left' for the progress bar."""
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return f"fetching {shown}; {len(names)} left"


def _describe(exc: BaseException) -> str:
    # After retries urllib3 wraps a read timeout in MaxRetryError inside a ConnectionError.
    if isinstance(exc, requests.Timeout) or "timed out" in str(exc):
        return "timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the response was cut off"
    if isinstance(exc, requests.exceptions.RetryError):
        return "the index kept failing after retries"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__


def _fetched_at(headers: Mapping[str, str]) -> datetime:
    stamp = headers.get(_FETCHED_HEADER.lower())
    if stamp:
        try:
            return parse_timestamp(stamp)
        except ValueError:
            pass
    date = headers.get("date")
    if date:
        try:
            parsed = parsedate_to_datetime(date)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc)


def _human_age(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
