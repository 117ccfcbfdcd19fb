"""Benchmark the index client against the local server (never the network).

Cold fetch of every recorded page in tests/data/index, then a warm re-run
inside the freshness window (must send 0 requests), then one after it (must
send only conditional requests).  Prints counts, bytes, wall times and the
warm/cold ratios measured in this same run.

Usage: .venv/bin/python bench/bench_index.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from indexserver import DATA_DIR, IndexServer  # noqa: E402

from generator.index.client import IndexClient  # noqa: E402


def _run(server: IndexServer, cache: Path, names: list[str], max_age: timedelta) -> tuple[float, IndexClient, int, int]:
    server.reset_counts()
    client = IndexClient(server.index_url, cache_dir=cache, max_age=max_age, progress=False)
    started = time.perf_counter()
    results = client.fetch_many(names)
    elapsed = time.perf_counter() - started
    failed = [n for n, r in results.items() if isinstance(r, Exception)]
    if failed:
        raise SystemExit(f"failed: {failed}")
    return elapsed, client, server.total_requests(), sum(server.conditional.values())


def main() -> int:
    names = sorted(p.stem for p in DATA_DIR.glob("*.json") if not p.name.endswith(".headers.json"))
    with IndexServer() as server, tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        cold, c1, req1, _ = _run(server, cache, names, timedelta(hours=1))
        warm, c2, req2, _ = _run(server, cache, names, timedelta(hours=1))
        time.sleep(1.1)  # let the Date-based window of 0 s lapse
        stale, c3, req3, cond3 = _run(server, cache, names, timedelta(0))
    print(f"{len(names)} projects, {c1.stats.bytes / 1e6:.1f} MB of JSON")
    print(f"cold:               {cold * 1000:8.1f} ms  requests={req1} bytes={c1.stats.bytes}")
    print(f"warm (in window):   {warm * 1000:8.1f} ms  requests={req2} cache_hits={c2.stats.cache_hits}")
    print(f"warm (after window):{stale * 1000:8.1f} ms  requests={req3} conditional={cond3} bytes={c3.stats.bytes}")
    print(f"ratio warm/cold: {warm / cold:.3f}   revalidate/cold: {stale / cold:.3f}")
    ok = req2 == 0 and req3 == cond3 == len(names) and c3.stats.bytes == 0
    print("checks:", "ok" if ok else "FAILED (expected 0 warm requests and only conditional ones after the window)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
