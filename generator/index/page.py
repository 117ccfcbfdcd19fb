"""Index data: a PEP 691 JSON project page turned into plain dataclasses.

Pure: no I/O and no HTTP imports, so that the wheel engine, the claim checker
and the tests can work on recorded pages without pulling in the network stack.
The HTTP side lives in :mod:`generator.index`.

The exception family of the index concept, :class:`IndexClientError`, is
defined here (and re-exported by :mod:`generator.index`) so that a malformed
page is an index error whether it came over the wire or from a file.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping, Optional, Union
from urllib.parse import quote, urljoin, urlsplit

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from generator.index import _boundedjson
from generator import pep440
from generator.errors import WheelfixError

logger = logging.getLogger("wheelfix.indexdata")

#: The PEP 691 media type for version 1 of the JSON simple API, the only one accepted:
#: ``...latest+json`` is a request alias that PEP 691 servers answer with the concrete
#: version, plain ``application/json`` does not say which API it is, and ``text/html``
#: is a PEP 503 page, a proxy's error page or a captive portal.
JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"

#: A PEP 691 page nests five levels (page, files, file, hashes or metadata); deeper
#: JSON is refused before decoding (see :mod:`generator.index._boundedjson`).
MAX_JSON_DEPTH = 32


class IndexClientError(WheelfixError):
    """Root of the index family: the package index or its data let us down."""


class IndexDataError(IndexClientError):
    """A project page does not have the PEP 691 shape."""


@dataclass(frozen=True)
class DistFile:
    """One file of a project page (a wheel, an sdist or anything else listed)."""

    filename: str
    url: str
    requires_python: Optional[str]
    yanked: Union[bool, str]  # PEP 592: False, True, or the reason string
    upload_time: Optional[datetime]  # PEP 700 upload-time, UTC
    size: Optional[int]
    sha256: Optional[str]

    @property
    def is_yanked(self) -> bool:
        """True when the index marks this file as yanked (with or without a reason)."""
        # PEP 691 allows a reason string in place of True; an empty reason still means yanked.
        return self.yanked is not False


@dataclass(frozen=True)
class ProjectPage:
    """A project's files and releases as the index listed them."""

    name: str  # canonicalize_name()
    files: tuple[DistFile, ...]
    versions: tuple[str, ...]  # PEP 700 "versions"
    last_serial: Optional[int]  # meta "_last-serial" or X-PyPI-Last-Serial header
    fetched_at: datetime  # UTC time the data was last confirmed with the index
    index: str = ""  # which index it came from, as index_label() shows it; "" when unknown
    #: sha256 (hex) of the response body the page was read from; "" when not read from one.
    digest: str = ""

    @property
    def meta(self) -> "PageMeta":
        return PageMeta(self.name, self.digest, self.last_serial, self.fetched_at, self.index)


@dataclass(frozen=True)
class PageMeta:
    """What is known of a served page without decoding its JSON.

    ``digest`` (sha256 of the body) is the page's validator: facts derived from
    a page are keyed by it, so that a cached body whose facts are already known
    need not be decoded again (see :meth:`generator.index.client.IndexClient.fetch_many`).
    ``last_serial`` is the header's only: the page's own ``meta._last-serial`` is in the JSON.
    """

    name: str  # canonicalize_name() of the project asked for
    digest: str
    last_serial: Optional[int]
    fetched_at: datetime
    index: str = ""


class _ParseCounter:
    """Bytes of page JSON decoded by this process: a warm site build decodes none."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bytes = 0

    def add(self, n: int) -> None:
        with self._lock:
            self._bytes += n

    @property
    def bytes(self) -> int:
        return self._bytes


#: Counts what :func:`load_project_page` decodes, for the tests and bench/bench_build.py.
PARSED = _ParseCounter()


_FRACTION = re.compile(r"\.(\d+)")
_API_1 = re.compile(r"1\.\d+")


def parse_timestamp(value: str) -> datetime:
    """Parse a PEP 700 ISO 8601 timestamp ("2024-10-03T16:08:02.123Z") into an aware UTC datetime.

    Raises ValueError on anything else.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.9/3.10 fromisoformat accepts only 3 or 6 fraction digits.
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _bad(name: str, where: str, rule: str, value: Any) -> IndexDataError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return IndexDataError(
        f"project page for {name!r}: {where} is {shown}, but {rule}",
        hint="the index answered with data that is not PEP 691 JSON; check the index URL "
        "(PIP_INDEX_URL or pip's global.index-url) points at a simple API",
    )


def _parse_file(name: str, index: int, entry: Any, base_url: Optional[str]) -> DistFile:
    where = f"files[{index}]"
    if not isinstance(entry, Mapping):
        raise _bad(name, where, "each file must be a JSON object", entry)
    filename = entry.get("filename")
    if not isinstance(filename, str) or not filename:
        raise _bad(name, f"{where}.filename", "it must be a non-empty string", filename)
    where = f"file {filename!r}"
    url = entry.get("url")
    if not isinstance(url, str) or not url:
        raise _bad(name, f"{where} url", "it must be a non-empty string", url)
    if base_url is not None:
        # PEP 691: file URLs may be relative to the project page URL.
        url = urljoin(base_url, url)
    hashes = entry.get("hashes")
    if not isinstance(hashes, Mapping) or not all(isinstance(v, str) for v in hashes.values()):
        raise _bad(name, f"{where} hashes", "PEP 691 requires an object of algorithm to hex digest (possibly empty)", hashes)
    sha256 = hashes.get("sha256")
    requires_python = entry.get("requires-python")
    if requires_python is not None and not isinstance(requires_python, str):
        raise _bad(name, f"{where} requires-python", "it must be a string or null", requires_python)
    yanked = entry.get("yanked", False)
    if not isinstance(yanked, (bool, str)):
        raise _bad(name, f"{where} yanked", "it must be a boolean or a reason string", yanked)
    upload_time: Optional[datetime] = None
    raw_time = entry.get("upload-time")
    if raw_time is not None:
        if not isinstance(raw_time, str):
            raise _bad(name, f"{where} upload-time", "it must be an ISO 8601 string", raw_time)
        try:
            upload_time = parse_timestamp(raw_time)
        except ValueError:
            raise _bad(name, f"{where} upload-time", "it must be an ISO 8601 timestamp", raw_time) from None
    size = entry.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise _bad(name, f"{where} size", "it must be a non-negative integer", size)
    return DistFile(
        filename=filename,
        url=url,
        requires_python=requires_python,
        yanked=yanked,
        upload_time=upload_time,
        size=size,
        sha256=sha256,
    )


def _versions_from_filenames(files: tuple[DistFile, ...]) -> tuple[str, ...]:
    # Only for API 1.0 pages without PEP 700 "versions": the engine needs the releases.
    seen: dict[Version, str] = {}
    for f in files:
        v = file_version(f.filename)
        if v is not None:
            seen.setdefault(v, str(v))
    return tuple(seen[v] for v in sorted(seen))


def parse_project_page(
    name: str,
    payload: Mapping[str, Any],
    *,
    fetched_at: datetime,
    last_serial: Optional[int] = None,
    base_url: Optional[str] = None,
    index: str = "",
) -> ProjectPage:
    """Turn a decoded PEP 691 project page into a :class:`ProjectPage`.

    ``last_serial`` (e.g. from the X-PyPI-Last-Serial header) wins over the
    page's ``meta._last-serial``.  ``base_url`` resolves relative file URLs;
    ``index`` names the index for people (see :func:`index_label`).
    Raises :class:`IndexDataError` when the payload does not have the PEP 691 shape.
    """
    shown_name = name
    if not isinstance(payload, Mapping):
        raise _bad(shown_name, "the page", "it must be a JSON object", payload)
    meta = payload.get("meta")
    if not isinstance(meta, Mapping):
        raise _bad(shown_name, "meta", "PEP 691 requires an object with the api-version", meta)
    api_version = meta.get("api-version")
    if not isinstance(api_version, str) or not _API_1.fullmatch(api_version):
        raise _bad(shown_name, "meta.api-version", "only version 1.x of the JSON API is understood", api_version)
    page_name = payload.get("name")
    if not isinstance(page_name, str) or not page_name:
        raise _bad(shown_name, "name", "it must be a non-empty string", page_name)
    if canonicalize_name(page_name) != canonicalize_name(name):
        raise _bad(shown_name, "name", f"it must name the project asked for ({canonicalize_name(name)})", page_name)
    raw_files = payload.get("files")
    if not isinstance(raw_files, list):
        raise _bad(shown_name, "files", "it must be a list", raw_files)
    parsed = (_parse_file(shown_name, i, entry, base_url) for i, entry in enumerate(raw_files))
    files = tuple(f for f in parsed if _usable(shown_name, f"file {pep440.clip(f.filename)}", f.filename, f.requires_python or ""))
    raw_versions = payload.get("versions")
    if raw_versions is None:
        versions = _versions_from_filenames(files)
    elif isinstance(raw_versions, list) and all(isinstance(v, str) for v in raw_versions):
        versions = tuple(v for v in raw_versions if _usable(shown_name, f"version {pep440.clip(v)}", v))
    else:
        raise _bad(shown_name, "versions", "it must be a list of strings", raw_versions)
    serial = last_serial
    if serial is None:
        raw_serial = meta.get("_last-serial")
        if isinstance(raw_serial, int) and not isinstance(raw_serial, bool):
            serial = raw_serial
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)
    return ProjectPage(
        name=canonicalize_name(page_name),
        files=files,
        versions=versions,
        last_serial=serial,
        fetched_at=fetched_at.astimezone(timezone.utc),
        index=index,
    )


def load_project_page(
    name: str,
    body: bytes,
    *,
    content_type: str,
    fetched_at: datetime,
    last_serial: Optional[int] = None,
    base_url: Optional[str] = None,
    index: str = "",
) -> ProjectPage:
    """A project page from the bytes and Content-Type of a response: the whole check.

    The media type must be :data:`JSON_CONTENT_TYPE`, the body UTF-8 JSON (RFC 8259)
    nested at most :data:`MAX_JSON_DEPTH` deep, and the payload a PEP 691 page of
    project ``name``.  Raises :class:`IndexDataError` naming the first rule broken.
    """
    media_type = content_type.split(";")[0].strip().lower()
    if media_type != JSON_CONTENT_TYPE:
        raise IndexDataError(
            f"project page for {name!r} came as {media_type or 'no content type'!r}, not {JSON_CONTENT_TYPE!r}",
            hint="a captive portal, a proxy's error page or an index without the PEP 691 JSON API answers "
            "like this; check the network and the index URL (PIP_INDEX_URL or pip's global.index-url)",
        )
    PARSED.add(len(body))
    try:
        payload = _boundedjson.loads(body, max_depth=MAX_JSON_DEPTH)
    except _boundedjson.TooDeep as exc:
        raise IndexDataError(
            f"project page for {name!r} is JSON {exc}; a PEP 691 page nests 5",
            hint="the index or something in between sent a malformed page; try again, or check a proxy in between",
        ) from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise IndexDataError(
            f"project page for {name!r} is not valid JSON ({len(body)} bytes; {exc})",
            hint="the response was cut off or garbled; try again, or check a proxy in between",
        ) from None
    return parse_project_page(name, payload, fetched_at=fetched_at, last_serial=last_serial, base_url=base_url, index=index)


_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")


def index_label(index_url: str) -> str:
    """How pages and messages name an index: host, port and path of its URL.

    Credentials, query and fragment are dropped (a token in the URL must not
    reach a page), and anything unusual in the host gives the neutral
    "the configured index" rather than text a page would have to escape.
    """
    try:
        parts = urlsplit(index_url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "the configured index"
    if not _HOST.fullmatch(host if ":" not in host else f"[{host}]"):
        return "the configured index"
    shown = f"[{host}]" if ":" in host else host
    if port is not None:
        shown += f":{port}"
    # RFC 3986 path characters, less those that mean something in Markdown or HTML.
    return shown + quote(parts.path.rstrip("/"), safe="/-._~+:@!$,;=")


def _usable(name: str, what: str, *texts: str) -> bool:
    """False, with a warning, when an entry holds a number no version can have (see :mod:`generator.pep440`)."""
    problem = next((p for p in map(pep440.number_problem, texts) if p), None)
    if problem is not None:
        logger.warning("project page for %r: skipping %s: %s", name, what, problem)
    return problem is None


def safe_version(text: str) -> Optional[Version]:
    """``Version(text)``, or None (logged at debug) when it is not PEP 440, as pip skips those."""
    try:
        return pep440.version(text)
    except InvalidVersion:
        logger.debug("ignoring non-PEP 440 version %r", text)
        return None


# pip's archive extensions (pip._internal.utils.filetypes); .egg/.exe and the like are skipped.
_SDIST_EXTENSIONS = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma", ".tar", ".zip")


def _sdist_version(filename: str, project: str) -> Optional[Version]:
    lower = filename.lower()
    ext = next((e for e in _SDIST_EXTENSIONS if lower.endswith(e)), None)
    if ext is None:
        return None
    stem = filename[: -len(ext)]
    # pip: the name ends at the first '-' whose prefix canonicalizes to the project name.
    for i, ch in enumerate(stem):
        if ch == "-" and canonicalize_name(stem[:i]) == project:
            rest = stem[i + 1 :]
            return safe_version(rest) if rest else None
    return None


def file_version(filename: str, project: Optional[str] = None) -> Optional[Version]:
    """The release version a file belongs to, or None when pip would not consider it.

    With ``project`` (canonical name), files of another project count as unparseable.
    """
    if filename.endswith(".whl"):
        try:
            name, version, _build, _tags = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        if project is not None and name != project:
            return None
        return version
    if project is None:
        m = re.match(r"^(.+?)-(\d[^-]*?)(\.tar\.gz|\.zip|\.tar\.bz2|\.tgz)$", filename)
        return safe_version(m.group(2)) if m else None
    return _sdist_version(filename, project)
