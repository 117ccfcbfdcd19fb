"""Routing report: how the records in kb/ route every real log the project keeps.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/route_report.py``.  The rows are
tests/routing.py's table (kb/samples, the negatives, the long tail); the same
rows are asserted one by one by tests/test_routing.py.

Per guide: its samples, how many route right, wrong (to another guide, or tied
with one) and nowhere, plus the rows of other guides (or of none) it took;
precision = right / (right + taken), recall = right / samples.  The "(none)"
line is the logs no guide fixes: right means routed nowhere.  Overall,
precision = right among the rows that routed somewhere, recall = right among
the rows that expect a guide.  Every miss is listed.  Exit 1 if any row is
wrong, 0 otherwise.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from routing import Routed, kb_matcher, route, routing_table  # noqa: E402

_NONE = "(none)"


def _ratio(num: int, den: int) -> str:
    return f"{num / den:7.1%}" if den else "      -"


def report(results: Sequence[Routed]) -> List[str]:
    stats: Dict[str, Dict[str, int]] = defaultdict(lambda: {"samples": 0, "right": 0, "wrong": 0, "nowhere": 0, "taken": 0})
    for r in results:
        want = r.row.expected or _NONE
        s = stats[want]
        s["samples"] += 1
        if r.right:
            s["right"] += 1
        elif r.got is None:
            s["nowhere"] += 1
        else:
            s["wrong"] += 1
        if r.got is not None and r.got != r.row.expected:
            stats[r.got]["taken"] += 1
    width = max([len(k) for k in stats] + [5])
    out = [f"{'guide':<{width}}  samples  right  wrong  nowhere  taken  precision  recall"]
    for gid in sorted(stats, key=lambda k: (k == _NONE, k)):
        s = stats[gid]
        # For "(none)" a right row is one routed nowhere: precision does not apply.
        precision = _ratio(s["right"], s["right"] + s["taken"]) if gid != _NONE else "      -"
        out.append(f"{gid:<{width}}  {s['samples']:7d}  {s['right']:5d}  {s['wrong']:5d}  {s['nowhere']:7d}  "
                   f"{s['taken']:5d}    {precision}  {_ratio(s['right'], s['samples'])}")
    positives = [r for r in results if r.row.expected is not None]
    routed = [r for r in results if r.got is not None]
    right = sum(r.right for r in positives)
    out.append("")
    out.append(f"overall: {len(results)} logs ({len(positives)} expect a guide, {len(results) - len(positives)} expect none); "
               f"right {sum(r.right for r in results)}, wrong {sum(1 for r in results if not r.right and r.got is not None)}, "
               f"nowhere {sum(1 for r in positives if r.got is None)}")
    out.append(f"precision {_ratio(sum(r.right for r in routed), len(routed)).strip()} "
               f"({sum(r.right for r in routed)} of {len(routed)} routed logs), "
               f"recall {_ratio(right, len(positives)).strip()} ({right} of {len(positives)})")
    misses = [r for r in results if not r.right]
    out.append("")
    out.append(f"misses: {len(misses)}")
    out.extend(f"  {r.why()}" for r in misses)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    if argv:
        print("usage: route_report.py (no arguments)", file=sys.stderr)
        return 2
    matcher = kb_matcher()
    results = [route(matcher, row) for row in routing_table()]
    print("\n".join(report(results)))
    return 0 if all(r.right for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
