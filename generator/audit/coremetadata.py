"""A release's dependencies from the index's PEP 658 metadata files, never from a build.

The index serves each wheel's METADATA at ``<file url>.metadata`` (PEP 658,
PEP 714).  Every wheel of a release declares the same dependencies in the
releases resolvers deal with (uv assumes it too), so one readable wheel
answers for the release, whichever platform it was built for.  An sdist's
metadata is never read: getting it can mean running its build backend.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.parser import HeaderParser
from typing import Callable, List, Optional, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import Version

from generator import pep440
from generator.index.page import DistFile, ProjectPage, file_version

__all__ = ["MAX_BYTES", "Dependencies", "fetch_metadata", "parse_requires_dist", "release_dependencies"]

logger = logging.getLogger("wheelfix.coremetadata")

#: Metadata files are a few kB; anything past this is not one.
MAX_BYTES = 1_000_000
#: Wheels of one release tried before giving up (a 404 on one is a sign the index has none).
_TRIES = 3
_TIMEOUT = (10.0, 30.0)

#: GET a URL: the body, or None when the index has no such file (raises OSError-like errors
#: for the network, which count as "unavailable" too).
Get = Callable[[str], Optional[bytes]]


@dataclass(frozen=True)
class Dependencies:
    """``Requires-Dist`` of one release, or why it is not known."""

    requires: Optional[List[str]]
    source: str  # the wheel the metadata came from, or why there is none


def parse_requires_dist(text: str, where: str) -> List[str]:
    """The valid ``Requires-Dist`` entries of a METADATA text (invalid ones are logged and dropped)."""
    headers = HeaderParser().parsestr(text, headersonly=True)
    out: List[str] = []
    for raw in headers.get_all("Requires-Dist") or []:
        value = " ".join(str(raw).split())
        try:
            pep440.requirement(value)
        except InvalidRequirement as exc:
            logger.warning("%s: Requires-Dist %r is not a valid requirement (%s); ignored", where, value, exc)
            continue
        out.append(value)
    return out


def fetch_metadata(url: str) -> Optional[bytes]:
    """GET ``url`` with a size and time bound: the body, or None on 404."""
    import requests

    from generator.index.client import USER_AGENT

    with requests.get(url, timeout=_TIMEOUT, stream=True, headers={"User-Agent": USER_AGENT}) as resp:
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        body = b""
        for chunk in resp.iter_content(65536):
            body += chunk
            if len(body) > MAX_BYTES:
                raise ValueError(f"{url}: metadata over {MAX_BYTES} bytes")
        return body


def _wheels(page: ProjectPage, version: Version) -> Sequence[DistFile]:
    return sorted(
        (f for f in page.files if f.filename.endswith(".whl") and file_version(f.filename, page.name) == version),
        key=lambda f: f.filename,
    )


def release_dependencies(page: ProjectPage, version: Version, get: Get = fetch_metadata) -> Dependencies:
    """The dependencies of ``page.name==version`` from the metadata of one of its wheels."""
    wheels = _wheels(page, version)
    if not wheels:
        return Dependencies(None, f"{page.name} {version} has no wheel on the index, and its sdist is never built")
    reasons: List[str] = []
    for f in wheels[:_TRIES]:
        url = f.url.split("#", 1)[0] + ".metadata"
        try:
            body = get(url)
        except Exception as exc:  # the network, a bad status, an oversized body: all mean "not readable"
            reasons.append(f"{f.filename}: {exc}")
            continue
        if body is None:
            reasons.append(f"{f.filename}: the index serves no metadata file")
            continue
        return Dependencies(parse_requires_dist(body.decode("utf-8", "replace"), f.filename), f.filename)
    return Dependencies(None, "; ".join(reasons))
