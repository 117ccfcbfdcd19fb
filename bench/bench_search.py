"""Benchmark: the site search at the real KB's size and at 2,000 guides, engine against engine.

For the real KB and for a generated KB of 2,000 records (copies of the real
ones under new ids, bench/bench_build.py's ``generated_kb``), with index data
off, it builds the site three ways:

* ``material``: Material's own search (lunr), as the site had it: one
  ``search/search_index.json`` of every page and section, loaded whole by a
  worker that builds the lunr index in the browser (the baseline);
* ``trimmed``: the same, with the index cut to one entry per guide holding its
  title, summary and symptom lines (the smallest index Material can search);
* ``pagefind``: the site's search (generator/site/searchbundle.py): a Pagefind
  index of the same text, split into chunks by word, fetched as a query needs.

Each is served from 127.0.0.1 by a server that counts the bytes it sends
(workers' requests included), and measured in headless Chromium with the
cache off: the page loads, a reader pastes an error line into the box, and the
time from the page's load event to the first result on screen is taken, with
the bytes the search fetched for it.  It prints the medians and the ratios to
the ``material`` baseline of the same run.

Measured 2026-12-01 on the 2-core development machine while other jobs ran
(load average 12 to 15, so every time is inflated; compare within a row set),
``--records 2000 --repeat 3``, query "Read-only file system (os error 30)":

========  ======  ==============  ============  =============  ============
engine    guides  first result    vs material   search fetch   on disk
========  ======  ==============  ============  =============  ============
material      45        967 ms        1.00         0.53 MB       0.74 MB
trimmed       45        477 ms        0.49         0.07 MB       0.29 MB
pagefind      45        603 ms        0.62         0.09 MB       0.53 MB
material    2000     89,436 ms        1.00        18.09 MB      18.31 MB
trimmed     2000      4,730 ms        0.05         1.53 MB       1.74 MB
pagefind    2000      1,098 ms        0.01         0.09 MB       1.58 MB
========  ======  ==============  ============  =============  ============

The same day on a quiet machine (load average under 1), ``--records 2000
--repeat 3 --engines trimmed pagefind``: at 47 guides trimmed 65 ms, pagefind
135 ms; at 2,000 guides trimmed 428 ms (1.54 MB fetched), pagefind 192 ms
(0.09 MB fetched): 0.45 x trimmed, well inside the 1 s goal.

(The 45-guide Pagefind row predates dropping Pagefind's unused ready-made
interfaces from the bundle, about 0.36 MB on disk, never fetched.)

Material's time grows with the index it must fetch and build whole (lunr, in a
worker), and a trimmed index only delays that: 1.5 MB and 4.7 s at 2,000
guides.  Pagefind fetches the same 0.09 MB at 45 and at 2,000 guides (its
engine, the chunks of the query's words and the fragments of the results
checked), so its time stays near its time at 45 guides.  The site uses Pagefind.

Usage: python bench/bench_search.py [--records 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_build import generated_kb  # noqa: E402
from browser import chromium, wait_for_page  # noqa: E402
from searchbox import CountingServer  # noqa: E402
from sitebuild import kb_config, mkdocs  # noqa: E402

QUERY = "Read-only file system (os error 30)"

# Material's search as mkdocs.yml configured it before the Pagefind index (same separator, same boosts).
_MATERIAL_SEARCH = """  - search:
      separator: '[\\s\\-,:;!=\\[\\]()"`''/\\\\<>{}|*+^~]+|\\.(?!\\d)|&[lg]t;'
      fields:
        title:
          boost: 3
        text:
          boost: 1
        tags:
          boost: 1
"""

#: engine -> (CSS of the box, CSS of a result, the event that makes the box search).
_BOXES = {
    "material": ("input[data-md-component=search-query]", ".md-search-result__item", "keyup"),
    "pagefind": ("input.wf-search__input", ".wf-search__result", "input"),
}

# Paste the query into the box and resolve with the milliseconds from the load event
# to the first result in the DOM (a MutationObserver, so no polling delay is measured).
_MEASURE_JS = """
const [boxCss, resultCss, eventType, query, done] = arguments;
const loaded = performance.getEntriesByType('navigation')[0].loadEventEnd;
const finish = () => done(performance.now() - loaded);
if (document.querySelector(resultCss)) { finish(); return; }
new MutationObserver((_, observer) => {
  if (document.querySelector(resultCss)) { observer.disconnect(); finish(); }
}).observe(document.body, {childList: true, subtree: true});
const box = document.querySelector(boxCss);
box.focus();
box.value = query;
box.dispatchEvent(eventType === 'keyup' ? new KeyboardEvent('keyup', {bubbles: true}) : new InputEvent('input', {bubbles: true}));
"""


def _build(tmp: Path, kb: Path, engine: str) -> Path:
    tmp.mkdir(parents=True)
    config = kb_config(tmp, kb, index=False, search=engine == "pagefind")
    if engine != "pagefind":
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("plugins:\n", "plugins:\n" + _MATERIAL_SEARCH, 1), encoding="utf-8")
    site = tmp / "site"
    proc = mkdocs(config, site)
    if proc.returncode != 0:
        raise SystemExit(f"mkdocs build failed for {engine}:\n{proc.stderr[-3000:]}")
    return site


def _trim(material_site: Path, kb: Path, target: Path) -> Path:
    """A copy of the Material site whose search index holds one entry per guide: title, summary, symptoms."""
    import yaml

    shutil.copytree(material_site, target)
    index_file = target / "search" / "search_index.json"
    index = json.loads(index_file.read_text(encoding="utf-8"))
    docs = []
    for path in sorted(kb.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "symptoms" not in data:
            continue  # environments.yaml
        text = " ".join([data["summary"], *data["symptoms"]])
        docs.append({"location": f"guides/{data['id']}/", "title": data["title"], "text": text})
    index["docs"] = docs
    index_file.write_text(json.dumps(index), encoding="utf-8")
    return target


def _measure(site: Path, engine: str, repeat: int) -> Tuple[float, int, int]:
    """Median ms from load to first result, median search bytes, and the site's search bytes on disk."""
    box, result, event = _BOXES["pagefind" if engine == "pagefind" else "material"]
    times: List[float] = []
    sent_bytes: List[int] = []
    with CountingServer(site) as server, chromium() as driver:
        driver.set_script_timeout(120)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        for _ in range(repeat):
            driver.get(server.url)
            wait_for_page(driver)
            ms = driver.execute_async_script(_MEASURE_JS, box, result, event, QUERY)
            time.sleep(0.5)  # let the last requests of the search finish before counting
            sent = server.take()
            times.append(float(ms))
            sent_bytes.append(sum(n for path, n in sent if _is_search(path)))
    on_disk = sum(p.stat().st_size for p in site.rglob("*") if p.is_file() and _is_search("/" + p.relative_to(site).as_posix()))
    return statistics.median(times), int(statistics.median(sent_bytes)), on_disk


def _is_search(path: str) -> bool:
    return path.startswith(("/search/", "/pagefind/")) or "/workers/search" in path


_ENGINES = ("material", "trimmed", "pagefind")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--engines", nargs="+", choices=_ENGINES, default=list(_ENGINES),
        help="engines to measure (the first one measured is the baseline of the ratios); material at 2,000 guides takes minutes a run",
    )
    args = parser.parse_args()

    rows: List[Dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="wheelfix-bench-search-") as tmp_name:
        tmp = Path(tmp_name)
        kbs = [("real", ROOT / "kb"), (str(args.records), generated_kb(tmp / "kb-big", args.records))]
        for label, kb in kbs:
            guides = len([p for p in kb.glob("*.yaml") if p.name != "environments.yaml"])
            sites: Dict[str, Path] = {}
            if {"material", "trimmed"} & set(args.engines):
                material = _build(tmp / f"{label}-material", kb, "material")
                if "material" in args.engines:
                    sites["material"] = material
                if "trimmed" in args.engines:
                    sites["trimmed"] = _trim(material, kb, tmp / f"{label}-trimmed" / "site")
            if "pagefind" in args.engines:
                sites["pagefind"] = _build(tmp / f"{label}-pagefind", kb, "pagefind")
            base = None
            baseline = next(iter(sites))
            for engine, site in sites.items():
                ms, sent, on_disk = _measure(site, engine, args.repeat)
                base = base or ms
                rows.append({"guides": guides, "engine": engine, "ms": ms, "sent": sent, "on_disk": on_disk, "ratio": ms / base})
                print(
                    f"{engine:9} {guides:5d} guides: first result {ms:7.0f} ms after load ({ms / base:4.2f} x {baseline}), "
                    f"search fetched {sent / 1e6:6.2f} MB of {on_disk / 1e6:6.2f} MB on disk",
                    flush=True,
                )


if __name__ == "__main__":
    main()
