"""The HTTP session behind the index client: requests, CacheControl and the bounds.

What this module wires together, the client need not know about:
CacheControl's heuristic (keep every page, stamp when it was confirmed), a
controller that stores 200s only, an adapter whose connections hand their
sockets to the page's deadline, and urllib3 retries that respect the deadline
and the circuit breaker (:mod:`generator.index.limits`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Iterator, Mapping, Optional
from urllib.parse import urlsplit, urlunsplit

import requests
from cachecontrol import CacheControlAdapter
from cachecontrol.cache import BaseCache
from cachecontrol.controller import CacheController
from cachecontrol.heuristics import BaseHeuristic
from cachecontrol.serialize import Serializer

from generator import REPOSITORY_URL
from generator import __version__
from generator.index.cache import PageCache
from generator.index.page import JSON_CONTENT_TYPE, parse_timestamp
from generator.index._deadline import watch_sockets
from generator.index.limits import BoundedRetry, read_body

__all__ = ["SOURCE_HEADER", "USER_AGENT", "fetched_at", "new_session", "request_headers", "stored_response"]

USER_AGENT = f"wheelfix/{__version__} (+{REPOSITORY_URL})"
_FETCHED_HEADER = "X-Wheelfix-Fetched-At"
#: Stored with each response: the URL it came from (after redirects), which
#: resolves its relative file URLs when it is served under the project's URL.
SOURCE_HEADER = "X-Wheelfix-Source"
_KEEP_SECONDS = 10 * 365 * 86400


def request_headers(max_age: timedelta) -> dict[str, str]:
    """The headers of every request, also used to look up stored responses (Vary)."""
    return {
        "User-Agent": USER_AGENT,
        "Accept": JSON_CONTENT_TYPE,
        # Only what read_body decodes itself, chunk by chunk under the size cap.
        "Accept-Encoding": "gzip",
        "Cache-Control": f"max-age={max(0, int(max_age.total_seconds()))}",
    }


def new_session(cache: PageCache, headers: Mapping[str, str], *, retries: int, backoff_factor: float, pool_size: int) -> requests.Session:
    """A session for one thread: cached, bounded, retrying failed connections and reads only.

    Statuses and redirects are the client's to handle, where their bodies stay unread.
    """
    retry = BoundedRetry(
        total=retries,
        connect=retries,
        read=retries,
        backoff_factor=backoff_factor,
        status_forcelist=(),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    adapter = _Adapter(cache=cache, heuristic=_Freshness(), controller_class=_Controller, max_retries=retry, pool_maxsize=pool_size)
    session = _Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(headers)
    return session


def stored_response(cache: PageCache, url: str, headers: Mapping[str, str], cap: int) -> Optional[tuple[bytes, dict[str, str]]]:
    """The body (decoded, at most ``cap`` bytes) and headers stored for ``url``, or None.

    Raises on an entry that cannot be decoded; the caller decides what that means.
    """
    data = cache.read(CacheController.cache_url(url))
    if data is None:
        return None
    response = Serializer().loads(requests.Request("GET", url, headers=dict(headers)).prepare(), data)
    if response is None:
        return None
    body = read_body(response, str(response.headers.get("Content-Encoding", "")), cap, on_bytes=lambda n: None, length=response.headers.get("Content-Length"))
    return body, dict(response.headers)


def fetched_at(headers: Mapping[str, str]) -> datetime:
    """When the data was last confirmed with the index: our stamp, else the Date header, else now."""
    lower = {k.lower(): v for k, v in headers.items()}
    stamp = lower.get(_FETCHED_HEADER.lower())
    if stamp:
        try:
            return parse_timestamp(stamp)
        except ValueError:
            pass
    date = lower.get("date")
    if date:
        try:
            parsed = parsedate_to_datetime(date)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc)


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


class _Controller(CacheController):
    # Only 200s are stored: CacheControl would otherwise read the whole body of a
    # 301 or 300 itself, with no bound, to cache it.
    def __init__(self, cache: Optional[BaseCache] = None, cache_etags: bool = True, serializer: Optional[Serializer] = None, status_codes: Any = None) -> None:
        super().__init__(cache, cache_etags=cache_etags, serializer=serializer, status_codes=(200,))


class _Session(requests.Session):
    # Even with allow_redirects=False, requests reads a redirect's whole body
    # (to offer Response.next), with no bound.  The client follows redirects
    # itself and never reads their bodies.
    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return iter(())


class _Adapter(CacheControlAdapter):
    # Every pool's connections hand their socket to the page's deadline.

    def build_response(self, request: requests.PreparedRequest, response: Any, from_cache: bool = False, cacheable_methods: Any = None) -> requests.Response:
        if not from_cache and request.url:
            parts = urlsplit(request.url)  # credentials in the index URL stay out of the cache
            response.headers[SOURCE_HEADER] = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        return super().build_response(request, response, from_cache=from_cache, cacheable_methods=cacheable_methods)
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watch_sockets(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        watch_sockets(manager)
        return manager
