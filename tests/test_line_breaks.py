"""Lone CR, CRLF and LF are the same line break everywhere a log is cut into lines.

A log of lone ``\\r`` breaks (old Mac line ends, progress bars written to a
file) once went through a regex substitution per break and never through the
two-process reader; both paths must give exactly what an LF log gives.  Speed
is measured in bench/bench_explain.py, not here.
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from generator.logs import text as logtext
from generator.logs import matcher as signatures
from generator.logs.diagnose import Diagnoser
from generator.logs.bundle import load_bundle_file

ROOT = Path(__file__).parent.parent
BREAKS = [b"\n", b"\r\n", b"\r"]


def _sample_lines() -> List[bytes]:
    lines: List[bytes] = []
    for path in sorted((ROOT / "kb" / "samples").glob("*/*.log")):
        lines.extend(path.read_bytes().splitlines())
    return lines


def _log(seed: int, n: int, breaks: List[bytes]) -> Tuple[bytes, bytes]:
    """The same random log twice: with ``breaks`` chosen at random, and with LF only."""
    rng = random.Random(seed)
    # No empty lines: after a lone CR, an empty line ended by LF would make a CRLF.
    # Blank lines (normalised to empty) stand for them.
    pool = [line for line in _sample_lines() if line] + [b" ", b"\t", b"x" * 300]
    chosen = [rng.choice(pool) for _ in range(n)]
    seps = [rng.choice(breaks) for _ in range(n)]
    mixed = b"".join(line + sep for line, sep in zip(chosen, seps))
    return mixed, b"".join(line + b"\n" for line in chosen)


def _lines(raw: bytes, chunk_size: int) -> List[Tuple[int, str]]:
    return list(logtext.iter_lines(io.BytesIO(raw), chunk_size=chunk_size))


@pytest.mark.parametrize("breaks", [[b"\r"], [b"\r\n"], BREAKS], ids=["CR", "CRLF", "mixed"])
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 1 << 20])
def test_every_break_cuts_lines_like_lf(breaks: List[bytes], chunk_size: int) -> None:
    for seed in range(3):
        mixed, lf = _log(seed, 400, breaks)
        assert _lines(mixed, chunk_size) == _lines(lf, 1 << 20)


def test_breaks_only() -> None:
    for sep in BREAKS:
        assert _lines(sep * 5000, 4096) == [(n, "") for n in range(1, 5001)]


@pytest.mark.skipif(not hasattr(os, "pread"), reason="halves need os.pread")
@pytest.mark.parametrize("sep", BREAKS, ids=["LF", "CRLF", "CR"])
def test_split_point_is_just_after_a_break_never_inside_crlf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sep: bytes) -> None:
    monkeypatch.setattr(signatures, "PARALLEL_MIN", 1)
    path = tmp_path / "log"
    unit = b"abc" + sep
    # Prefixes of 0 to 9 bytes move the midpoint across each byte of a unit.
    for extra in range(10):
        raw = b"p" * extra + unit * 20
        path.write_bytes(raw)
        with path.open("rb") as stream:
            split = signatures._split_point(stream)
        assert split is not None
        cut, middle = split[2], len(raw) // 2
        assert raw[cut - 1:cut] in (b"\n", b"\r") and raw[cut - 1:cut + 1] != b"\r\n"
        assert middle < cut <= middle + len(unit) + 1, "not the first break after the middle"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="halves need os.fork")
@pytest.mark.parametrize("breaks", [[b"\r"], BREAKS], ids=["CR", "mixed"])
def test_halves_agree_with_one_pass_on_lone_cr_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, breaks: List[bytes]) -> None:
    matcher = load_bundle_file(None)
    mixed, lf = _log(7, 3000, breaks)

    def run(raw: bytes, parallel_min: int) -> Any:
        monkeypatch.setattr(signatures, "PARALLEL_MIN", parallel_min)
        path = tmp_path / "big.log"
        path.write_bytes(raw)
        diagnoser = Diagnoser()
        with path.open("rb") as stream:
            halved = signatures._split_point(stream) is not None
            matches = matcher.match_stream(stream, diagnoser)
        return halved, [(m.id, m.lines) for m in matches], diagnoser.result().to_json()

    halves = run(mixed, 1000)
    assert halves[0], "the log was not read in two halves"
    assert halves[1:] == run(mixed, len(mixed) + 1)[1:] == run(lf, len(lf) + 1)[1:]
    assert halves[1], "nothing matched: the comparison would be empty"
