"""Record real PEP 691 project pages into tests/data/index/ for the tests.

Usage: .venv/bin/python bench/record_index.py [--keep-newest N] [NAME ...]

``--keep-newest N`` keeps only the files of the N newest releases (for
projects the tests need only as dependencies that a resolver picks the
newest release of; the README lists them).

The index is the one pip is configured with (generator.index.configured_index_url).
The pages are fetched by pip itself (``pip index versions``); a
``sitecustomize`` hook put on the subprocess's PYTHONPATH copies each simple
API response pip receives (body and headers) into a temp folder.  pip's own
HTTP cache cannot be used for this: it stores a page only when the index
sends caching headers.  Going through pip also records exactly the bytes
pip saw, and works where the network only lets package clients through.  Every absolute URL is reduced to its path
(no host is ever written), and pages over ~5 MB lose the files of their
oldest releases (the README lists what was trimmed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from generator.index.client import configured_index_url  # noqa: E402
from generator.index.page import JSON_CONTENT_TYPE  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "index"
MAX_BYTES = 5_000_000

DEFAULT_NAMES = [
    # engine cases
    "tiktoken", "cryptography", "six", "numpy", "psycopg2", "psycopg2-binary", "pydantic-core",
    # yanked files and Requires-Python exclusions
    "setuptools", "pip",
    # the seed incident's requirements (for the audit engineer)
    "pydantic", "pydantic-settings", "annotated-types", "typing-extensions", "typing-inspection",
    "python-dotenv", "regex", "requests",
]


def _strip_host(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url


_HOOK = """
import json, os, hashlib
try:
    from pip._internal.index import collector as _c
except Exception:
    _c = None
if _c is not None:
    _orig = _c._get_simple_response
    def _get_simple_response(url, session, *args, **kwargs):
        resp = _orig(url, session, *args, **kwargs)
        out = os.environ["WHEELFIX_RECORD_DIR"]
        key = hashlib.sha256(url.encode()).hexdigest()
        with open(os.path.join(out, key + ".body"), "wb") as fh:
            fh.write(resp.content)
        with open(os.path.join(out, key + ".headers"), "w") as fh:
            json.dump({k.lower(): v for k, v in resp.headers.items()}, fh)
        return resp
    _c._get_simple_response = _get_simple_response
"""


def _responses(folder: Path) -> Iterator[tuple[dict[str, Any], bytes]]:
    for head in sorted(folder.glob("*.headers")):
        yield json.loads(head.read_text()), head.with_suffix(".body").read_bytes()


def _release_key(version: str) -> Optional[Version]:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def _file_version(filename: str, versions: list[str]) -> Optional[str]:
    # Longest version string that appears right after the name: good enough to trim by release.
    for v in sorted(versions, key=len, reverse=True):
        if f"-{v}-" in filename or f"-{v}." in filename:
            return v
    return None


def _trim(payload: dict[str, Any], keep_newest: Optional[int] = None) -> list[str]:
    dropped: list[str] = []
    versions = sorted((v for v in payload.get("versions", []) if _release_key(v)), key=lambda v: _release_key(v))
    while versions and (len(json.dumps(payload).encode()) > MAX_BYTES or (keep_newest is not None and len(versions) > keep_newest)):
        oldest = versions.pop(0)
        payload["files"] = [f for f in payload["files"] if _file_version(f["filename"], [oldest]) != oldest]
        dropped.append(oldest)
    if dropped:
        # A release listed without its files would read as "no files at all".
        payload["versions"] = [v for v in payload["versions"] if v not in set(dropped)]
    return dropped


def record(names: list[str], keep_newest: Optional[int] = None) -> int:
    index_url = configured_index_url()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull  # no find-links, extra indexes or constraints of this machine
    trimmed: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        hook_dir = Path(tmp) / "hook"
        got = Path(tmp) / "got"
        hook_dir.mkdir()
        got.mkdir()
        (hook_dir / "sitecustomize.py").write_text(_HOOK)
        env["PYTHONPATH"] = str(hook_dir)
        env["WHEELFIX_RECORD_DIR"] = str(got)
        for name in names:
            cmd = [sys.executable, "-m", "pip", "index", "versions", name, "--pre", "--no-cache-dir",
                   "--index-url", index_url, "--disable-pip-version-check", "-q"]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name}: pip failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        found = 0
        for headers, body in _responses(got):
            if headers.get("content-type", "").split(";")[0].strip() != JSON_CONTENT_TYPE:
                continue
            payload = json.loads(body)
            name = canonicalize_name(payload["name"])
            for f in payload["files"]:
                f["url"] = _strip_host(f["url"])
            dropped = _trim(payload, keep_newest)
            if dropped:
                trimmed[name] = dropped
            (OUT / f"{name}.json").write_text(json.dumps(payload, indent=None, separators=(",", ":")) + "\n")
            kept = {k: headers[k] for k in ("etag", "x-pypi-last-serial", "content-type") if k in headers}
            kept["recorded-at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            (OUT / f"{name}.headers.json").write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n")
            found += 1
            print(f"{name}: {len(payload['files'])} files, {len(payload.get('versions', []))} versions"
                  + (f", trimmed {len(dropped)} oldest releases ({dropped[0]}..{dropped[-1]})" if dropped else ""))
    print(f"recorded {found} of {len(names)} pages into {OUT}")
    return 0 if found == len(names) else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    keep: Optional[int] = None
    if args[:1] == ["--keep-newest"]:
        keep, args = int(args[1]), args[2:]
    sys.exit(record(args or DEFAULT_NAMES, keep))
