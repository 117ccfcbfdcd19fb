"""Benchmark: audit a generated 300-package lock file, cold cache then warm.

Project pages are synthesised and served by the local test index
(tests/indexserver.py on 127.0.0.1); nothing touches the network.  Prints
requests, bytes and wall time for both runs and their ratio, and asserts that
the warm audit, inside the freshness window, makes zero requests.

    .venv/bin/python bench/bench_audit.py [--packages 300]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from indexserver import IndexServer  # noqa: E402

from generator.audit import run as audit_mod  # noqa: E402
from generator.index.client import IndexClient  # noqa: E402
from generator.audit.pinfiles import parse_file  # noqa: E402

TARGET = audit_mod.AuditTarget("3.13", "manylinux_2_35_x86_64", "bench")


def _page(i: int) -> Tuple[str, Dict[str, Any]]:
    """A project with five releases; every seventh has only an sdist for its pinned release."""
    name = f"bench-pkg-{i:03d}"
    stem = name.replace("-", "_")
    files: List[Dict[str, Any]] = []
    versions = [f"1.{minor}.0" for minor in range(5)]
    for version in versions:
        names = [f"{stem}-{version}.tar.gz"]
        if not (i % 7 == 0 and version == "1.2.0"):
            names.append(f"{stem}-{version}-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
            names.append(f"{stem}-{version}-py3-none-any.whl")
        for filename in names:
            files.append(
                {
                    "filename": filename,
                    "url": f"/packages/{stem}/{filename}",
                    "hashes": {"sha256": hashlib.sha256(filename.encode()).hexdigest()},
                    "requires-python": ">=3.9",
                    "yanked": False,
                    "upload-time": "2025-01-0%dT12:00:00.000000Z" % (1 + versions.index(version)),
                    "size": 1000 + len(filename),
                }
            )
    payload = {"meta": {"api-version": "1.1", "_last-serial": 1000 + i}, "name": name, "files": files, "versions": versions}
    return name, payload


def _lock(names: List[str]) -> str:
    lines = ['lock-version = "1.0"', 'created-by = "bench_audit"', ""]
    for name in names:
        lines += ["[[packages]]", f'name = "{name}"', 'version = "1.2.0"', ""]
    return "\n".join(lines)


def _run(server: IndexServer, lock: Path, cache: Path) -> Tuple[audit_mod.AuditReport, IndexClient, float, int]:
    server.reset_counts()
    client = IndexClient(server.index_url, cache_dir=cache, max_age=timedelta(hours=1), progress=False)
    pf = parse_file(lock)
    start = time.perf_counter()
    report = audit_mod.audit([pf], {pf.path: [TARGET]}, fetch_many=client.fetch_many, resolve=None)
    elapsed = time.perf_counter() - start
    return report, client, elapsed, server.total_requests()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wheelfix-bench-") as tmp, IndexServer() as server:
        names = []
        for i in range(args.packages):
            name, payload = _page(i)
            server.set_page(name, payload)
            names.append(name)
        lock = Path(tmp) / "pylock.toml"
        lock.write_text(_lock(names), encoding="utf-8")
        cache = Path(tmp) / "cache"

        cold, cold_client, cold_time, cold_seen = _run(server, lock, cache)
        warm, warm_client, warm_time, warm_seen = _run(server, lock, cache)

        expected_sdists = len([i for i in range(args.packages) if i % 7 == 0])
        print(f"packages: {args.packages}; target CPython {TARGET.python} {TARGET.platform}")
        for label, report, client, elapsed, seen in (
            ("cold", cold, cold_client, cold_time, cold_seen),
            ("warm", warm, warm_client, warm_time, warm_seen),
        ):
            s = client.stats
            print(
                f"{label}: {elapsed * 1000:8.1f} ms  requests={s.requests} (server saw {seen})  "
                f"conditional={s.conditional_requests}  bytes={s.bytes}  cache_hits={s.cache_hits}  "
                f"source builds={len(report.problems)}"
            )
        print(f"warm/cold time ratio: {warm_time / cold_time:.3f}  (cold is the baseline, measured in this run)")
        assert len(cold.problems) == expected_sdists, (len(cold.problems), expected_sdists)
        assert [f.to_json() for f in warm.findings] == [f.to_json() for f in cold.findings], "warm and cold audits differ"
        assert warm_client.stats.requests == 0 and warm_seen == 0, "the warm audit made requests inside the freshness window"
        print("warm audit inside the freshness window: 0 requests (asserted)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
