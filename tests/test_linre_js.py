"""linre.js (the browser's engine) agrees with generator/logs/linre.py: same results, same steps.

Cases are generated in Python (hypothesis), then one node process runs the
whole batch; equal step counts mean both build the same automaton.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linre_cases import lines, patterns, pumped
from test_linre import CATASTROPHIC, MALFORMED, ODD_BUT_VALID

from generator.logs import linre
from generator.logs.patterns import compile_pattern

LINRE_JS = Path(__file__).parent.parent / "docs" / "assets" / "javascripts" / "linre.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the JS engine is not compared")

_RUNNER = r"""
const fs = require("fs");
const linre = require(process.argv[1]);
const job = JSON.parse(fs.readFileSync(0, "utf8"));
const out = {constants: {}, cases: [], refused: []};
for (const k of ["MAX_PROGRAM", "MAX_CODE", "CACHE_BUDGET", "ASSERTIONS"]) out.constants[k] = linre[k];
for (const c of job.cases) {
  const p = new linre.Program(c.program);
  out.cases.push({results: c.lines.map(l => p.search(l)), steps: p.steps, resets: p.resets});
}
for (const bad of job.programs) {
  try { new linre.Program(bad); out.refused.push(null); } catch (e) { out.refused.push(e.message); }
}
process.stdout.write(JSON.stringify(out));
"""

Case = Tuple[List[List[Any]], List[str]]


def _run_node(cases: List[Case], programs: Optional[List[Any]] = None) -> Dict[str, Any]:
    assert NODE is not None
    job = {"cases": [{"program": p, "lines": ls} for p, ls in cases], "programs": programs or []}
    proc = subprocess.run(
        [NODE, "-e", _RUNNER, str(LINRE_JS)], input=json.dumps(job), capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _python(cases: List[Case]) -> List[Dict[str, Any]]:
    out = []
    for data, samples in cases:
        program = linre.Program(data)
        out.append({"results": [program.search(line) for line in samples], "steps": program.steps, "resets": program.resets})
    return out


def _compare(cases: List[Case]) -> None:
    got = _run_node(cases)["cases"]
    for (data, samples), js, py in zip(cases, got, _python(cases)):
        for line, a, b in zip(samples, js["results"], py["results"]):
            assert a == b, f"JS says {a}, Python {b} for {line[:60]!r} with program {data}"
        assert (js["steps"], js["resets"]) == (py["steps"], py["resets"]), f"steps or cache resets differ (JS {js}, Python {py}) for {data}"


def _compiled(pattern: str) -> Optional[List[List[Any]]]:
    try:
        return linre.compile_tree(linre.parse(pattern))
    except (re.error, FutureWarning, DeprecationWarning, linre.ProgramError):
        return None


@st.composite
def _case(draw: Any) -> Optional[Case]:
    pattern = draw(patterns(nested=True))
    data = _compiled(pattern)
    if data is None:
        return None
    samples = draw(st.lists(lines(24), min_size=1, max_size=6))
    samples += [draw(pumped(pattern, n)) for n in (10, 200, 2000)]
    return data, samples


def test_constants_equal_python() -> None:
    consts = _run_node([])["constants"]
    assert consts == {
        "MAX_PROGRAM": linre.MAX_PROGRAM,
        "MAX_CODE": linre.MAX_CODE,
        "CACHE_BUDGET": linre.CACHE_BUDGET,
        "ASSERTIONS": list(linre.ASSERTIONS),
    }


@settings(max_examples=10, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_case(), min_size=8, max_size=16))
def test_generated_programs_agree(cases: List[Optional[Case]]) -> None:
    _compare([c for c in cases if c is not None])


def test_catastrophic_shapes_agree() -> None:
    cases = [(compile_pattern(p)[1], [line, line[:100], line[-100:]]) for p, line, expected in CATASTROPHIC if expected is not None]
    _compare(cases)


def test_cache_resets_agree() -> None:
    # Lines that outgrow the DFA cache many times over: the resets must happen at the same places.
    data = compile_pattern("(a|b)*a(a|b){10}xyz")[1]
    rng = random.Random(5)
    line = "".join(rng.choice("ab") for _ in range(30000)) + "xyz"
    program = linre.Program(data)
    program.search(line)
    assert program.resets >= 3
    _compare([(data, [line, line[::-1], line + "\u00e9\U0001f600xyz"])])


def test_astral_characters_count_as_one() -> None:
    # JavaScript strings are UTF-16: a character outside the BMP is two code units there.
    data = compile_pattern("a.b[\U0001f600-\U0001f64f]zzz")[1]
    _compare([(data, ["a\U0001f600b\U0001f601zzz", "a\U0001f600\U0001f600bzzz", "a\u00e9b\U0001f64fzzz", "aXb\u2028zzz"])])


def test_malformed_programs_are_refused_by_both() -> None:
    bad = [data for data, _rule in MALFORMED]
    refused = _run_node([], bad + ODD_BUT_VALID)["refused"]
    for data, message in zip(bad, refused):
        assert message is not None, f"linre.js runs a program Python refuses: {data!r:.80}"
    assert refused[len(bad):] == [None] * len(ODD_BUT_VALID)
