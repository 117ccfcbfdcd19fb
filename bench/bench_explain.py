"""Benchmark ``wheelfix explain`` against GNU grep, its start-up, and its memory.

Run: ``.venv/bin/python bench/bench_explain.py [--mb 100]``.  Prints figures
and ratios measured in this run; nothing is asserted (goals: within 2x of
``grep -E -f`` over the same patterns, < 0.3 s end to end for a 1 MB log,
peak RSS flat from 10 to 100 MB).

The log is built from the real sample logs in kb/samples (lines repeated and
mutated: numbers, package names, CI prefixes), the signatures are the real
ones from kb/ plus 1,000 synthetic ones shaped like real error messages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.signatures import bundle_from_guides  # noqa: E402

_WORDS = (
    "module compiler linker header library symbol wheel build backend metadata "
    "directory archive extension toolchain interpreter package version resolver "
    "cache socket config runtime loader target binding distribution"
).split()
_PACKAGES = "numpy scipy pandas lxml psutil cffi cryptography orjson pydantic-core grpcio pillow".split()


def _real_guides() -> List[Dict[str, Any]]:
    from generator.records import load_kb

    out = []
    for inc in load_kb(ROOT / "kb"):
        out.append({
            "id": inc.id, "title": inc.title, "url": f"guides/{inc.id}/", "fix": inc.fixes[0].title,
            "signatures": [
                {"package": s.package, "match": [{"text": c.text} if c.text is not None else {"regex": c.regex} for c in s.match]}
                for s in inc.signatures
            ],
        })
    return out


def _synthetic_guides(n: int, rng: random.Random) -> List[Dict[str, Any]]:
    guides = []
    for i in range(n):
        w = rng.sample(_WORDS, 3)
        kind = i % 4
        if kind == 0:
            match = [{"text": f"error: {w[0]} {w[1]} not found for {w[2]} #{i}"}]
        elif kind == 1:
            match = [{"regex": f"{w[0].capitalize()}Error: cannot load {w[1]} '[a-z_]+' \\(code {i}\\)"}]
        elif kind == 2:
            match = [{"text": f"fatal error: {w[0]}_{i}.h: No such file or directory"}]
        else:
            match = [{"text": f"Failed to resolve {w[0]} {w[1]}"}, {"regex": f"{w[2]} v[0-9]+\\.[0-9]+ requires #{i}"}]
        sig: Dict[str, Any] = {"match": match}
        if i % 3 == 0:
            sig["package"] = rng.choice(_PACKAGES)
        guides.append({"id": f"synthetic-{i:04d}", "title": f"Synthetic {i}", "url": f"guides/synthetic-{i:04d}/", "fix": "n/a", "signatures": [sig]})
    return guides


def _sample_lines() -> List[str]:
    lines: List[str] = []
    for path in sorted((ROOT / "kb" / "samples").glob("*/*.log")):
        lines.extend(path.read_text("utf-8", "replace").splitlines())
    return lines or ["Collecting x==1.0", "  Building wheel for x (pyproject.toml): started"]


def _write_log(path: Path, megabytes: int, rng: random.Random) -> None:
    base = _sample_lines()
    prefixes = ["", "", "2024-06-03T10:15:04.1234567Z ", "#9 12.34 ", "Nov 28 05:12:34 PM  "]
    target = megabytes << 20
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < target:
            out = []
            for _ in range(2000):
                line = rng.choice(base)
                line = re.sub(r"[0-9]+", lambda m: str(rng.randrange(10 ** len(m.group()))), line)
                if rng.random() < 0.1:
                    line = line.replace("tiktoken", rng.choice(_PACKAGES))
                out.append(rng.choice(prefixes) + line)
            chunk = "\n".join(out) + "\n"
            fh.write(chunk)
            written += len(chunk.encode())


def _to_ere(kind: str, value: str) -> str:
    if kind == "text":
        return re.sub(r"([.\[\]\\*+?{}()|^$])", r"\\\1", value)
    ere = value.replace("(?:", "(").replace("\\d", "[0-9]").replace("\\s", "[[:space:]]").replace("\\w", "[[:alnum:]_]")
    return re.sub(r"([*+?}])\?", r"\1", ere)  # lazy quantifiers: same lines match


def _timed(cmd: List[str], **kw: Any) -> Tuple[float, int, "subprocess.Popen[bytes]"]:
    # Output goes to a real file: GNU grep stops at the first match when its
    # output is /dev/null, which would make the baseline meaningless.
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, **kw)
        _pid, _status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(_status)
    return elapsed, usage.ru_maxrss, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="size of the big log (default 100)")
    parser.add_argument("--synthetic", type=int, default=1000, help="synthetic signatures added (default 1000)")
    args = parser.parse_args()
    rng = random.Random(20241128)
    python = [sys.executable, "-m", "generator", "explain"]
    with tempfile.TemporaryDirectory(prefix="wheelfix-bench-") as tmp:
        tmpdir = Path(tmp)
        real = _real_guides()
        real_bundle = tmpdir / "real.json"
        real_bundle.write_text(json.dumps(bundle_from_guides(real)), "utf-8")
        bundle = bundle_from_guides(real + _synthetic_guides(args.synthetic, rng))
        big_bundle = tmpdir / "signatures.json"
        big_bundle.write_text(json.dumps(bundle), "utf-8")
        patterns = tmpdir / "patterns.ere"
        conds = {(k, v) for g in bundle["guides"] for s in g["signatures"] for c in s["match"] for k, v in c.items()}
        patterns.write_text("\n".join(sorted(_to_ere(k, v) for k, v in conds)) + "\n", "utf-8")
        print(f"signatures: {len(real)} real guides + {args.synthetic} synthetic; {len(conds)} distinct conditions")

        sizes = sorted({1, 10, 50, args.mb})
        logs = {}
        for mb in sizes:
            logs[mb] = tmpdir / f"log-{mb}mb.log"
            t0 = time.perf_counter()
            _write_log(logs[mb], mb, rng)
            print(f"generated {mb:>4} MB log in {time.perf_counter() - t0:.1f} s")

        big = logs[args.mb]
        grep = shutil.which("grep")
        print()
        print(f"== {args.mb} MB log, all signatures ==")
        t_py, rss_py, proc = _timed([*python, str(big), "--index", str(big_bundle), "--all"], cwd=ROOT)
        print(f"wheelfix explain : {t_py:7.2f} s  (exit {proc.returncode}, peak RSS {rss_py / 1024:.0f} MB)")
        if grep:
            env = dict(os.environ, LC_ALL="C")
            t_grep, rss_grep, gproc = _timed([grep, "-E", "-c", "-f", str(patterns), str(big)], env=env)
            print(f"grep -E -f (C)   : {t_grep:7.2f} s  (exit {gproc.returncode}, peak RSS {rss_grep / 1024:.0f} MB)")
            print(f"ratio explain/grep: {t_py / t_grep:.2f}x  (goal <= 2x)")
        else:
            print("grep not found: no baseline")

        print()
        print("== 1 MB log, end to end with interpreter start (real signatures) ==")
        times = []
        for _ in range(5):
            t, _rss, _p = _timed([*python, str(logs[1]), "--index", str(real_bundle)], cwd=ROOT)
            times.append(t)
        t_bare = min(_timed([sys.executable, "-c", "pass"])[0] for _ in range(5))
        print(f"explain 1 MB: best {min(times):.3f} s, median {sorted(times)[2]:.3f} s  (goal < 0.3 s); bare interpreter {t_bare:.3f} s")

        print()
        print("== peak RSS by log size (all signatures) ==")
        rows = []
        for mb in sizes:
            t, rss, _p = _timed([*python, str(logs[mb]), "--index", str(big_bundle)], cwd=ROOT)
            rows.append((mb, rss))
            print(f"{mb:>4} MB: {rss / 1024:6.1f} MB peak RSS, {t:6.2f} s, {mb / t:6.1f} MB/s")
        print(f"RSS growth {rows[0][0]} -> {rows[-1][0]} MB of log: {(rows[-1][1] - rows[0][1]) / 1024:+.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
