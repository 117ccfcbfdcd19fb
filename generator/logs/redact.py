"""Take package-index host names (and URL credentials) out of a log before it is published.

Samples in ``kb/samples/`` never name an index host: URLs keep only their path
(``<index>/packages/...``, ``<index>/simple/...``), as ``kb/samples/repro-lib.sh``
writes them, and any host the caller names (the index pip is configured with,
its file host; see :func:`generator.index.config.index_hosts`) becomes
``<index-host>`` wherever it appears, in whatever shape a tool prints it.
Loopback URLs name no host and are kept.  Credentials in a URL
(``https://user:token@...``) are always removed.

Only the standard library is imported here.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

INDEX = "<index>"
HOST = "<index-host>"

_LOOPBACK = r"(?:127\.0\.0\.1|localhost|\[::1\])(?::[0-9]+)?"
# user:password@ (or a token@) in a URL: never published, whatever the host.
_CREDENTIALS = re.compile(r"(?i)\b(https?://)[^/@\s'\"<>]+@")
# A URL's scheme and host before an index path; loopback hosts are left as they are.
_INDEX_URL = re.compile(r"(?i)\bhttps?://([^/\s'\"<>]+)/(?=(?:packages|simple)\b)")
_LOOPBACK_HOST = re.compile(r"(?i)" + _LOOPBACK + r"$")
# pip's first line names the index: "Looking in indexes: URL[, URL...]".
_LOOKING = re.compile(r"^(?P<head>.*?Looking in indexes:)(?P<urls>.*)$", re.MULTILINE)


def _hosts_pattern(hosts: Iterable[str]) -> "Optional[re.Pattern[str]]":
    names = sorted({h.strip().lower() for h in hosts if h and h.strip()}, key=len, reverse=True)
    if not names:
        return None
    # A host name stands alone: not inside a longer name (sub.host.example is a different host).
    return re.compile(r"(?i)(?<![A-Za-z0-9.-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![A-Za-z0-9-]|\.[A-Za-z0-9])")


def redact(text: str, hosts: Iterable[str] = ()) -> str:
    """``text`` with index URLs cut to their path, ``hosts`` replaced and URL credentials removed."""
    text = _CREDENTIALS.sub(r"\1", text)
    text = _INDEX_URL.sub(_index_url, text)
    text = _LOOKING.sub(_looking, text)
    pattern = _hosts_pattern(hosts)
    if pattern is not None:
        text = pattern.sub(HOST, text)
    return text


def _index_url(m: "re.Match[str]") -> str:
    return m.group(0) if _LOOPBACK_HOST.match(m.group(1)) else INDEX + "/"


def _looking(m: "re.Match[str]") -> str:
    urls = [u.strip() for u in m.group("urls").split(",")]
    kept = [u if re.match(r"(?i)https?://" + _LOOPBACK + r"(?:/|$)", u) or u.startswith(INDEX) else INDEX + "/simple" for u in urls if u]
    return m.group("head") + " " + ", ".join(kept) if kept else m.group(0)
