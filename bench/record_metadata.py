"""Record the PEP 658 metadata of some wheels into tests/data/index/metadata/.

Usage: .venv/bin/python bench/record_metadata.py WHEEL_FILENAME ...
       .venv/bin/python bench/record_metadata.py --discover [PYTHON_ARGS...]

The index is the one pip is configured with (generator.index.configured_index_url),
reached through pip's own HTTP session (pip's certificate setting applies).
For each wheel file name, the live project page is read, the file found, and
``<file url>.metadata`` saved as ``<filename>.metadata`` (the local test
server advertises it with its sha256).  Where the index serves no metadata
file, the wheel itself is downloaded and its ``*.dist-info/METADATA`` taken
(the same bytes PEP 658 serves).  Only the header fields are kept: the long
description after them is dropped, to keep the test data small.  Nothing
else is stored: no URL, no host.

Which wheels to record: run the audit scenarios against a local server with
``IndexServer(advertise_all_metadata=True)``; its ``metadata_misses`` lists
the wheels a resolver asked metadata for that are not recorded yet.
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from pathlib import Path
from urllib.parse import urljoin

from packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from generator.index.client import configured_index_url, project_url  # noqa: E402
from generator.index.page import JSON_CONTENT_TYPE  # noqa: E402

OUT = ROOT / "tests" / "data" / "index" / "metadata"
MAX_BYTES = 200_000
MAX_WHEEL_BYTES = 50_000_000


def _headers_only(metadata: bytes) -> bytes:
    # The description is the body after the first blank line (core metadata 2.1+).
    text = metadata.replace(b"\r\n", b"\n")
    head, _, _ = text.partition(b"\n\n")
    return head + b"\n\n"


def _from_wheel(session: object, url: str, filename: str) -> bytes:
    resp = session.get(url)  # type: ignore[attr-defined]
    resp.raise_for_status()
    if len(resp.content) > MAX_WHEEL_BYTES:
        raise ValueError(f"{filename}: wheel over {MAX_WHEEL_BYTES} bytes")
    with zipfile.ZipFile(io.BytesIO(resp.content)) as zf:
        [name] = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
        return zf.read(name)


def _session() -> object:
    from pip._internal.network.session import PipSession

    session = PipSession(retries=3)
    cert = os.environ.get("PIP_CERT")
    if cert:
        session.verify = cert
    return session


def record(filenames: list[str]) -> int:
    index_url = configured_index_url()
    session = _session()
    OUT.mkdir(parents=True, exist_ok=True)
    pages: dict[str, dict[str, object]] = {}
    failed = 0
    for filename in filenames:
        name = str(parse_wheel_filename(filename)[0])
        if name not in pages:
            url = project_url(index_url, name)
            resp = session.get(url, headers={"Accept": JSON_CONTENT_TYPE})  # type: ignore[attr-defined]
            resp.raise_for_status()
            pages[name] = {"url": url, "payload": json.loads(resp.content)}
        page = pages[name]
        payload = page["payload"]
        assert isinstance(payload, dict)
        entry = next((f for f in payload["files"] if f["filename"] == filename), None)
        if entry is None:
            print(f"{filename}: not on the index", file=sys.stderr)
            failed += 1
            continue
        file_url = urljoin(str(page["url"]), entry["url"])
        resp = session.get(file_url + ".metadata")  # type: ignore[attr-defined]
        if resp.status_code == 404:
            content, how = _from_wheel(session, file_url, filename), "from the wheel"
        else:
            resp.raise_for_status()
            content, how = resp.content, "metadata file"
        content = _headers_only(content)
        if len(content) > MAX_BYTES:
            print(f"{filename}: metadata over {MAX_BYTES} bytes, not recorded", file=sys.stderr)
            failed += 1
            continue
        (OUT / f"{filename}.metadata").write_bytes(content)
        print(f"{filename}: {len(content)} bytes ({how})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(record(sys.argv[1:]))
