"""The package-index client: PEP 691 JSON pages over HTTP, cached on disk.

Which index: :func:`configured_index_url` reads it the way pip does
(``PIP_INDEX_URL``, then pip's ``global.index-url``, then pip's own default),
so wheelfix judges the same index the user's pip installs from.

Caching: ``requests`` + CacheControl over :class:`generator.index.cache.PageCache`.
Inside ``max_age`` a page is served with zero requests; after it, only a
conditional request (``If-None-Match``) is sent, and a 304 renews the entry.
Every page, from the index or the cache, is checked before it is used, and
only a checked page is written to the cache.

Failing: every exchange is bounded (:mod:`generator.index.limits`).  When the
index cannot be reached, fails, or sends something that is not a PEP 691 page
of the project asked for (or ``offline=True``), cached data of any age is used
with a warning naming what went wrong and the data's age; without cached data
:class:`IndexUnavailable` (or the :class:`IndexDataError` of the bad page) is raised.

Why one module of ~470 lines: it is one class, :class:`IndexClient`, whose
fetch, fallback-to-cache and progress steps share one session and one set of
statistics; the session, cache, limits and page parsing already live in
their own modules of this package.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Mapping, Optional, Union, overload
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from cachecontrol.controller import CacheController
from packaging.utils import canonicalize_name

from generator.index._deadline import Deadline
from generator.index.cache import PageCache
from generator.index.interface import Known, PageResult
from generator.index.cachedir import default_cache_dir, http_cache_dir
from generator.index.config import configured_index_url, project_url
from generator.index.page import IndexClientError, IndexDataError, PageMeta, ProjectPage, index_label, load_project_page
from generator.index.limits import (
    BodyCutOff,
    BodyError,
    CircuitBreaker,
    IndexLimits,
    bounded,
    describe_failure,
    read_body,
    retry_after_seconds,
)
from generator.index.session import SOURCE_HEADER, USER_AGENT, fetched_at, new_session, request_headers, stored_response

__all__ = [
    "IndexClient",
    "IndexClientError",
    "IndexDataError",
    "IndexUnavailable",
    "ProjectNotFound",
    "ClientStats",
    "IndexLimits",
    "configured_index_url",
    "default_cache_dir",
    "project_url",
    "USER_AGENT",
]

logger = logging.getLogger("wheelfix.index")

_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_HINT_NETWORK = (
    "check the network connection, any proxy settings (HTTPS_PROXY), and the index URL "
    "(PIP_INDEX_URL or pip's global.index-url); --offline uses cached data only"
)
_HINT_BOUNDS = (
    "wheelfix bounds what it reads from an index (see 'Limits' in docs/cli.md); "
    "check the index URL, or a proxy in between"
)


class ProjectNotFound(IndexClientError):
    """The index has no project of that name (HTTP 404)."""


class IndexUnavailable(IndexClientError):
    """The index could not be reached or failed, and no cached data exists."""


@dataclass
class ClientStats:
    """Counters for the benchmark and the tests."""

    requests: int = 0  # HTTP exchanges sent (full or conditional)
    conditional_requests: int = 0  # of which revalidations (If-None-Match / If-Modified-Since)
    bytes: int = 0  # body bytes received over the wire
    cache_hits: int = 0  # pages served from the cache without any request
    stale_uses: int = 0  # pages served from old cached data because the index failed or offline


class _Failed(Exception):
    """The index did not give a usable page; ``reason`` is a clause for messages."""

    def __init__(self, reason: str, error: Optional[IndexClientError] = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error  # raised as is when there is no cached copy either


class _CachedCopyInvalid(Exception):
    """The page CacheControl served (fresh, or renewed by a 304) fails the checks."""


class IndexClient:
    """Fetch project pages from a PEP 691 index, with an on-disk HTTP cache.

    Every page is checked (:func:`generator.index.page.load_project_page`)
    before it is cached or used, within :class:`IndexLimits`; a page the index
    fails to give, for whatever reason, comes from the cache with a warning.
    """

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
        limits: Optional[IndexLimits] = None,
    ) -> None:
        self.index_url = index_url or configured_index_url()
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", self.index_url):
            raise IndexClientError(
                f"index URL {self.index_url!r} is not an absolute URL",
                hint="give a URL such as https://example.invalid/simple/ (via --index-url or PIP_INDEX_URL)",
            )
        self.label = index_label(self.index_url)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.max_age = max_age
        self.timeout = timeout
        self.max_workers = max(1, max_workers)
        self.offline = offline
        self.progress = progress
        self.limits = limits or IndexLimits()
        self.stats = ClientStats()
        self._retries = retries
        self._backoff = backoff_factor
        self._cache = PageCache(http_cache_dir(self.cache_dir))
        self._breaker = CircuitBreaker(self.limits.max_failures, self.label)
        self._fallbacks: dict[str, tuple[str, datetime]] = {}
        self._headers = request_headers(max_age)
        self._local = threading.local()
        self._stats_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------

    def _session(self) -> requests.Session:
        session: Optional[requests.Session] = getattr(self._local, "session", None)
        if session is None:
            session = new_session(self._cache, self._headers, retries=self._retries, backoff_factor=self._backoff, pool_size=self.max_workers)
            self._local.session = session
        return session

    def _count(self, **deltas: int) -> None:
        with self._stats_lock:
            for key, value in deltas.items():
                setattr(self.stats, key, getattr(self.stats, key) + value)

    # -- public API -------------------------------------------------------

    def fetch(self, name: str) -> ProjectPage:
        """Fetch one project's page; raises ProjectNotFound, IndexUnavailable or IndexDataError."""
        page = self._fetch(name, None)
        assert isinstance(page, ProjectPage)  # without ``known`` every page is read
        return page

    def _fetch(self, name: str, known: Optional[Known]) -> Union[ProjectPage, PageMeta]:
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise IndexClientError(
                f"{name!r} is not a valid project name",
                hint="project names are letters, digits, '.', '_' and '-', starting and ending with a letter or digit",
            )
        url = project_url(self.index_url, canonicalize_name(name))
        if self.offline:
            return self._from_stale(name, url, known, reason="offline mode (--offline)", offline=True)
        if self._breaker.is_open:
            return self._from_stale(name, url, known, reason=self._breaker.summary, quiet=True)
        try:
            try:
                return self._fetch_online(name, url, known)
            except _CachedCopyInvalid:
                return self._fetch_online(name, url, known)  # the entry is distrusted now: from the index
        except _CachedCopyInvalid:
            return self._from_stale(name, url, known, reason="the cached page fails the checks")
        except _Failed as failed:
            return self._from_stale(name, url, known, reason=failed.reason, error=failed.error)

    def fallback_notes(self) -> list[str]:
        """One line per reason the index failed, naming the pages that came from the cache instead, and from when."""
        with self._stats_lock:
            items = sorted(self._fallbacks.items())
        by_reason: dict[str, list[tuple[str, datetime]]] = {}
        for name, (reason, when) in items:
            by_reason.setdefault(reason, []).append((name, when))
        notes = []
        for reason, uses in by_reason.items():
            names = [n for n, _ in uses]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            oldest = min(w for _, w in uses).strftime("%Y-%m-%d %H:%M UTC")
            since = f"from {oldest}" if len(names) == 1 else f"the oldest from {oldest}"
            notes.append(f"{shown}: {reason}; using cached data {since}")
        return notes

    def _fetch_online(self, name: str, url: str, known: Optional[Known]) -> Union[ProjectPage, PageMeta]:
        with bounded(self.limits, self._breaker) as deadline, self._cache.holding() as held:
            target = url
            for _ in range(self.limits.max_redirects + 1):
                response = self._exchange(target, deadline)
                try:
                    location = response.headers.get("Location") if response.is_redirect else None
                    if location:
                        target = _redirect_target(target, location)
                        continue
                    if response.status_code in (404, 410):
                        raise ProjectNotFound(
                            f"no project named {name!r} on the index",
                            hint=f"check the spelling; the index asked was {self.index_url}",
                        )
                    if response.status_code != 200:
                        raise _Failed(f"the index answered HTTP {response.status_code} {response.reason or ''}".strip())
                    page = self._accept(name, target, response, deadline, known)
                finally:
                    response.close()
                self._cache.commit(held, CacheController.cache_url(target), also=[CacheController.cache_url(url)])
                return page
            raise _Failed(f"the index redirected more than {self.limits.max_redirects} times")

    def _exchange(self, url: str, deadline: Deadline) -> requests.Response:
        """GET ``url``, retrying 429 and 5xx answers; return the first other answer, body unread."""
        for attempt in itertools.count():
            if self._breaker.is_open:
                raise _Failed(self._breaker.summary)
            if deadline.expired:
                raise _Failed(_late(deadline))
            try:
                response = self._session().get(url, stream=True, allow_redirects=False, timeout=self.timeout)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, UnicodeError) as exc:
                raise _Failed(self._transport_failure(exc, deadline)) from None
            if any(h in response.request.headers for h in ("If-None-Match", "If-Modified-Since")):
                self._count(requests=1, conditional_requests=1)
            elif getattr(response, "from_cache", False):
                self._count(cache_hits=1)
            else:
                self._count(requests=1)
            status = response.status_code
            if status != 429 and status < 500:
                self._breaker.success()
                return response
            response.close()
            self._breaker.failure(f"HTTP {status}")
            failed = f"the index answered HTTP {status} {response.reason or ''}".strip()
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            if asked is not None and asked > self.limits.max_retry_after:
                raise _Failed(
                    f"the index asked to wait {_seconds(asked)} before retrying (HTTP {status}); "
                    f"wheelfix waits at most {_seconds(self.limits.max_retry_after)}"
                )
            if attempt >= self._retries:
                raise _Failed(failed)
            wait = asked if asked is not None else self._backoff * (2**attempt)
            if wait >= deadline.remaining():
                raise _Failed(f"{failed}, and waiting to retry would pass the {_seconds(deadline.seconds)} deadline")
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _accept(self, name: str, url: str, response: requests.Response, deadline: Deadline, known: Optional[Known]) -> Union[ProjectPage, PageMeta]:
        """Read and check a 200; what CacheControl holds for it is committed by the caller."""
        from_cache = bool(getattr(response, "from_cache", False))
        try:
            body = read_body(
                response.raw,
                response.headers.get("Content-Encoding", ""),
                self.limits.max_page_bytes,
                on_bytes=(lambda n: None) if from_cache else (lambda n: self._count(bytes=n)),
                length=response.headers.get("Content-Length"),
            )
            page = None if deadline.fired else self._page(name, url, body, response.headers, known if from_cache else None)
        except (urllib3.exceptions.HTTPError, OSError, BodyCutOff) as exc:
            reason = self._transport_failure(exc, deadline)
            self._breaker.failure(reason)
            raise _Failed(reason) from None
        except (BodyError, IndexDataError) as exc:
            if deadline.fired:
                raise _Failed(_late(deadline)) from None
            error = exc if isinstance(exc, IndexDataError) else IndexDataError(f"project page for {name!r}: {exc}", hint=_HINT_BOUNDS)
            if from_cache:
                logger.warning("%s: the cached page fails the checks (%s); fetching it again", name, exc)
                self._cache.distrust(CacheController.cache_url(url))
                raise _CachedCopyInvalid() from None
            self._breaker.failure("an unusable page")
            raise _Failed(f"the index sent an unusable page ({exc})", error) from None
        finally:
            deadline.release()
        if page is None:  # the watchdog cut the body: what was read may look complete but is not
            raise _Failed(_late(deadline))
        return page

    def _transport_failure(self, exc: BaseException, deadline: Deadline) -> str:
        if deadline.fired or deadline.expired:
            return _late(deadline)
        if self._breaker.is_open:
            return self._breaker.summary
        if isinstance(exc, BodyCutOff):
            return f"the index's response was cut off ({exc})"
        if isinstance(exc, (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError)):
            return "the index's response was cut off"
        return f"the index could not be reached ({describe_failure(exc)})"

    def _cached_page(self, name: str, url: str, known: Optional[Known]) -> Union[ProjectPage, PageMeta, None]:
        """The stored page, checked like any other (IndexDataError), or None."""
        try:
            stored = stored_response(self._cache, url, self._headers, self.limits.max_page_bytes)
        except BodyError as exc:
            raise IndexDataError(f"cached page for {name!r}: {exc}", hint=_HINT_BOUNDS) from None
        except Exception as exc:  # an entry CacheControl cannot decode is a miss, not a crash
            logger.warning("cached data for %s is unreadable (%s); ignoring it", url, exc)
            return None
        return None if stored is None else self._page(name, url, *stored, known)

    def _from_stale(
        self, name: str, url: str, known: Optional[Known], *, reason: str, error: Optional[IndexClientError] = None, offline: bool = False, quiet: bool = False
    ) -> Union[ProjectPage, PageMeta]:
        try:
            page = self._cached_page(name, url, known)
        except IndexDataError as exc:
            page, error = None, error or exc
        if page is None:
            if error is not None:
                raise error
            raise IndexUnavailable(
                f"cannot get the project page of {name!r}: {reason}; there is no cached copy",
                hint=_HINT_NETWORK,
            )
        age = datetime.now(timezone.utc) - page.fetched_at
        (logger.debug if quiet else logger.warning)("%s: %s; using cached index data from %s ago", page.name, reason, _human_age(age))
        self._count(stale_uses=1)
        if not offline:
            with self._stats_lock:
                self._fallbacks[page.name] = (reason, page.fetched_at)
        return page

    def _page(self, name: str, url: str, body: bytes, headers: Mapping[str, str], known: Optional[Known] = None) -> Union[ProjectPage, PageMeta]:
        """The checked page; or only its meta, for a stored body (checked when it was stored) that ``known`` needs no more of."""
        lower = {k.lower(): v for k, v in headers.items()}
        serial: Optional[int] = None
        raw_serial = lower.get("x-pypi-last-serial")
        if raw_serial and raw_serial.strip().isdigit() and len(raw_serial.strip()) < 20:
            serial = int(raw_serial)
        when = fetched_at(lower)
        digest = hashlib.sha256(body).hexdigest()
        if known is not None:
            meta = PageMeta(canonicalize_name(name), digest, serial, when, self.label)
            if known(meta):
                return meta
        page = load_project_page(
            name,
            body,
            content_type=lower.get("content-type", ""),
            fetched_at=when,
            last_serial=serial,
            base_url=lower.get(SOURCE_HEADER.lower(), url),
            index=self.label,
        )
        return replace(page, digest=digest)

    @overload
    def fetch_many(self, names: Iterable[str]) -> dict[str, Union[ProjectPage, IndexClientError]]: ...

    @overload
    def fetch_many(self, names: Iterable[str], *, known: Known) -> dict[str, PageResult]: ...

    def fetch_many(self, names: Iterable[str], *, known: Optional[Known] = None) -> Mapping[str, PageResult]:
        """Fetch several pages concurrently; each name maps to its page or its error.

        The client is a :class:`generator.index.interface.PageSource`.  With ``known``, a page served from the cache whose :class:`PageMeta`
        ``known`` accepts is given as that meta, its JSON left unread: the
        caller holds what it derived from the same bytes.  (Stored bodies
        passed every check when they were stored; a body from the index is
        always read and checked.)
        """
        unique = list(dict.fromkeys(names))
        results: dict[str, PageResult] = {}
        if not unique:
            return results
        from tqdm import tqdm  # type: ignore[import-untyped]

        disable = not self.progress or not sys.stderr.isatty()
        started = time.monotonic()
        with tqdm(total=len(unique), desc="index", unit="pkg", file=sys.stderr, disable=disable, leave=False, delay=_PROGRESS_DELAY) as bar:
            with ThreadPoolExecutor(max_workers=min(self.max_workers, len(unique))) as pool:
                pending = {pool.submit(self._fetch, n, known): n for n in unique}
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


def _redirect_target(url: str, location: str) -> str:
    try:
        target = urljoin(url, location)
        scheme = urlsplit(target).scheme
    except ValueError:  # e.g. an unclosed IPv6 bracket
        scheme, target = "", location
    if scheme not in ("http", "https"):
        raise _Failed(f"the index redirected to {location[:200]!r}, which is not an HTTP URL")
    return target


def _late(deadline: Deadline) -> str:
    return f"the index did not give the page within the {_seconds(deadline.seconds)} deadline"


def _seconds(value: float) -> str:
    return "a very long time" if value == float("inf") else f"{value:g} s"


def _human_age(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
