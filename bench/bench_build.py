"""Benchmark: what the wheelfix plugin adds to a site build.

For the real KB and for a generated KB of 2,000 records (copies of the real
ones under new ids), it times

* A: ``mkdocs build`` with the wheelfix plugin (records -> pages in-process), and
* B: ``mkdocs build`` without the plugin, over docs/ plus ``wheelfix export``'s
  output (the same pages, already on disk),

and prints both, the ratio A/B and the export time.  A - B is the generator's
overhead; the goal is A/B <= 1.15.  Each KB is measured twice: with index facts
(wheel tables, claim checks: the full build) and without them (records to pages
only, ``index: false`` / ``--no-index``), so the two costs can be told apart.
Index data comes from the recorded responses on a local server with a warm
cache, so the network is not measured here (bench/bench_index.py measures it).

Usage: python bench/bench_build.py [--records 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from indexserver import IndexServer  # noqa: E402
from sitebuild import mkdocs, plain_config  # noqa: E402


def generated_kb(target: Path, count: int) -> Path:
    """``count`` records: the real ones copied under new ids, with unique titles."""
    import yaml

    target.mkdir(parents=True)
    shutil.copy(ROOT / "kb" / "environments.yaml", target / "environments.yaml")
    sources = sorted(p for p in (ROOT / "kb").glob("*.yaml") if p.name != "environments.yaml")
    for i in range(count):
        source = sources[i % len(sources)]
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        data["id"] = f"{data['id']}-{i:05d}"
        data["title"] = f"{data['title'][:140]} (copy {i})"
        data["aliases"] = []
        data["related"] = []
        (target / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def plugin_config(tmp: Path, kb: Path, index: bool) -> Path:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("  - wheelfix\n", f"  - wheelfix:\n      kb_dir: {kb}\n      index: {str(index).lower()}\n", 1)
    text = text.replace("custom_dir: generator/site/theme", f"custom_dir: {ROOT / 'generator' / 'site' / 'theme'}")
    config = tmp / "mkdocs-plugin.yml"
    config.write_text(text + f"\ndocs_dir: {ROOT / 'docs'}\n", encoding="utf-8")
    return config


def timed(fn: Callable[[], None], repeat: int) -> List[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def check(proc: subprocess.CompletedProcess[str]) -> None:
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-2000:]}")


def measure(label: str, kb: Path, env: Dict[str, str], repeat: int, index: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        exported = tmp / "exported"
        export_cmd = [sys.executable, "-m", "generator", "export", str(exported), "--kb", str(kb)] + ([] if index else ["--no-index"])
        full_env = {**os.environ, **env}
        # Warm the index cache first, so neither side pays for fetching.
        subprocess.run(export_cmd, env=full_env, check=True, capture_output=True)
        export_times = timed(lambda: subprocess.run(export_cmd, env=full_env, check=True, capture_output=True), repeat)
        plain = plain_config(tmp / "plain", extra_docs=exported)
        with_plugin = plugin_config(tmp, kb, index)
        plugin_times = timed(lambda: check(mkdocs(with_plugin, tmp / "site-a", env=env)), repeat)
        plain_times = timed(lambda: check(mkdocs(plain, tmp / "site-b", env=env)), repeat)
        pages = sum(1 for _ in (tmp / "site-a").rglob("*.html"))
    a, b, e = statistics.median(plugin_times), statistics.median(plain_times), statistics.median(export_times)
    print(f"{label}, {'with' if index else 'without'} index facts: {pages} HTML pages, median of {repeat}")
    print(f"  A  mkdocs build with the plugin      {a:8.2f} s")
    print(f"  B  mkdocs build over exported pages  {b:8.2f} s")
    print(f"     wheelfix export alone             {e:8.2f} s")
    print(f"  A/B = {a / b:.3f}  (generator overhead {100 * (a / b - 1):+.1f}%; goal <= +15%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with IndexServer() as server, tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as kb_tmp:
        env = {"PIP_INDEX_URL": server.index_url, "WHEELFIX_CACHE_DIR": cache, "NO_MKDOCS_2_WARNING": "1"}
        big = generated_kb(Path(kb_tmp) / "kb", args.records)
        for index in (True, False):
            measure("real KB", ROOT / "kb", env, args.repeat, index)
            measure(f"generated KB ({args.records} records)", big, env, max(1, args.repeat // 2), index)


if __name__ == "__main__":
    main()
