"""Benchmark: what the wheelfix plugin adds to a site build, cold and warm.

Three knowledge bases: the real KB, a generated KB of 2,000 records (copies
of the real ones under new ids), and the real KB plus one record for every
project with recorded index data in tests/data/index (38 projects at the
time of writing: the KB then mentions each of them).  For each it times

* A: ``mkdocs build`` with the wheelfix plugin (records -> pages in-process),
  cold (empty derived-facts cache: every page's JSON is decoded and judged)
  and warm (the facts cache filled by the build before);
* B: ``mkdocs build`` without the plugin, over docs/ plus ``wheelfix export``'s
  output (the same pages, already on disk): the baseline, measured in the
  same run;

and prints A/B for both (goal, warm: A/B <= 1.15), with the bytes of index
JSON the warm build decoded (goal: 0; counted by
``generator.index.page.PARSED``).  The index HTTP cache is warm throughout,
served from recorded responses on a local server, so the network is not
measured here (bench/bench_index.py measures it).  Each build runs in a fresh
Python process that calls MkDocs' own build function, as ``mkdocs build`` does.

Then, for the recorded-projects KB, a ``mkdocs serve``-like reload: MkDocs'
serve, on a change to a watched file (the plugin watches kb/), loads the
configuration again and runs a full build in the same process, with the
plugin created anew; that is timed here after editing one record's summary,
in a process that has built once already (modules imported, caches warm).
It prints the whole reload and the plugin's part of it (``on_files``: the
KB read, the facts pass and the page generation); goal: reload < 1 s.

Usage: python bench/bench_build.py [--records 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from indexserver import DATA_DIR, IndexServer  # noqa: E402
from sitebuild import kb_config, plain_config  # noqa: E402

#: The record the recorded-projects KB copies for each project the real KB does not name.
_TEMPLATE = "mysqlclient-mysql-config-not-found.yaml"


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


def recorded_projects() -> List[str]:
    return sorted(p.name[: -len(".json")] for p in DATA_DIR.glob("*.json") if not p.name.endswith(".headers.json"))


def every_recorded_kb(target: Path) -> Path:
    """The real KB plus a record (a copy of the template) for each recorded project it does not name."""
    import yaml

    shutil.copytree(ROOT / "kb", target, ignore=shutil.ignore_patterns("samples"))
    named = set()
    for path in target.glob("*.yaml"):
        if path.name != "environments.yaml":
            named.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("packages", []))
    template = yaml.safe_load((ROOT / "kb" / _TEMPLATE).read_text(encoding="utf-8"))
    for name in recorded_projects():
        if name in named:
            continue
        data = dict(template, id=f"bench-{name}", title=f"pip install {name} fails (benchmark record)", packages=[name], aliases=[], related=[])
        data["affects"] = dict(template["affects"], packages={name: ">=0"})
        (target / f"bench-{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


# -- one build per process -------------------------------------------------------------


def _child_build(config: str, site: str) -> None:
    """Run MkDocs' build as ``mkdocs build --strict`` does; print the index JSON bytes decoded."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.index.page import PARSED

    build(load_config(config_file=config, site_dir=site, strict=True))
    print(json.dumps({"parsed": PARSED.bytes}))


def _child_reload(config: str, site: str, record: str) -> None:
    """Build once, edit one record, then rebuild as ``mkdocs serve`` does; print the times."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.index.page import PARSED
    from generator.site.build import build_files

    logging.disable(logging.WARNING)  # serve would log the same; keep the output short
    build(load_config(config_file=config, site_dir=site, strict=True))
    path = Path(record)
    path.write_text(path.read_text(encoding="utf-8").replace("summary: >-\n", "summary: >-\n  Edited.\n", 1), encoding="utf-8")
    plugin_time = 0.0
    import generator.site.build as site_build

    def timed_build_files(options: site_build.BuildOptions) -> site_build.site.SiteFiles:
        nonlocal plugin_time
        start = time.perf_counter()
        files = build_files(options)
        plugin_time += time.perf_counter() - start
        return files

    import generator.plugin as plugin

    plugin.build_files = timed_build_files  # type: ignore[assignment]
    before = PARSED.bytes
    start = time.perf_counter()
    build(load_config(config_file=config, site_dir=site, strict=True))
    total = time.perf_counter() - start
    print(json.dumps({"reload": total, "plugin": plugin_time, "parsed": PARSED.bytes - before}))


def _run_child(args: List[str], env: Dict[str, str]) -> Tuple[float, Dict[str, float]]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def measure(label: str, kb: Path, env: Dict[str, str], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_name, tempfile.TemporaryDirectory() as cache:
        tmp = Path(tmp_name)
        full_env = {**os.environ, **env, "WHEELFIX_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        exported = tmp / "exported"
        # Fills the index cache, so that no build below pays for fetching.
        subprocess.run([sys.executable, "-m", "generator", "export", str(exported), "--kb", str(kb)], env=full_env, check=True, capture_output=True, cwd=ROOT)
        plain = plain_config(tmp / "plain", extra_docs=exported)
        (tmp / "plugin").mkdir()
        with_plugin = kb_config(tmp / "plugin", kb)
        facts = Path(cache) / "facts"
        cold, warm, plain_times, parsed = [], [], [], []
        for _ in range(repeat):
            shutil.rmtree(facts, ignore_errors=True)
            cold.append(_run_child(["--child-build", str(with_plugin), str(tmp / "site-a")], full_env)[0])
            elapsed, out = _run_child(["--child-build", str(with_plugin), str(tmp / "site-a")], full_env)
            warm.append(elapsed)
            parsed.append(int(out["parsed"]))
            plain_times.append(_run_child(["--child-build", str(plain), str(tmp / "site-b")], full_env)[0])
        pages = sum(1 for _ in (tmp / "site-a").rglob("*.html"))
    a_cold, a_warm, b = statistics.median(cold), statistics.median(warm), statistics.median(plain_times)
    print(f"{label}: {pages} HTML pages, median of {repeat}")
    print(f"  A  with the plugin, cold facts cache  {a_cold:8.2f} s   A/B = {a_cold / b:.3f}")
    print(f"  A  with the plugin, warm facts cache  {a_warm:8.2f} s   A/B = {a_warm / b:.3f}  (goal <= 1.15)")
    print(f"  B  over exported pages (baseline)     {b:8.2f} s")
    print(f"     index JSON decoded by the warm build: {max(parsed)} bytes (goal 0)")


def measure_reload(kb: Path, env: Dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp_name, tempfile.TemporaryDirectory() as cache:
        tmp = Path(tmp_name)
        copy = tmp / "kb"
        shutil.copytree(kb, copy)
        full_env = {**os.environ, **env, "WHEELFIX_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        (tmp / "plugin").mkdir()
        config = kb_config(tmp / "plugin", copy)
        _run_child(["--child-build", str(config), str(tmp / "site")], full_env)  # fills both caches
        record = next(p for p in sorted(copy.glob("*.yaml")) if "summary: >-\n" in p.read_text(encoding="utf-8"))
        _, out = _run_child(["--child-reload", str(config), str(tmp / "site"), str(record)], full_env)
    print(f"mkdocs serve-like reload after editing {record.name} (recorded-projects KB):")
    print(f"  whole reload (config + full build)    {out['reload']:8.2f} s  (goal < 1 s)")
    print(f"  of which the plugin (on_files)        {out['plugin']:8.2f} s")
    print(f"  index JSON decoded by the reload: {int(out['parsed'])} bytes")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-build":
        _child_build(*sys.argv[2:4])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-reload":
        _child_reload(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["real", "generated", "recorded", "reload"], action="append", help="run only these parts")
    args = parser.parse_args()
    parts = args.only or ["real", "generated", "recorded", "reload"]
    with IndexServer() as server, tempfile.TemporaryDirectory() as kb_tmp:
        env = {"PIP_INDEX_URL": server.index_url, "NO_MKDOCS_2_WARNING": "1"}
        recorded = every_recorded_kb(Path(kb_tmp) / "recorded")
        if "real" in parts:
            measure("real KB", ROOT / "kb", env, args.repeat)
        if "generated" in parts:
            measure(f"generated KB ({args.records} records)", generated_kb(Path(kb_tmp) / "big", args.records), env, max(1, args.repeat // 2))
        if "recorded" in parts:
            measure(f"recorded-projects KB ({len(recorded_projects())} projects)", recorded, env, args.repeat)
        if "reload" in parts:
            measure_reload(recorded, env)


if __name__ == "__main__":
    main()
