"""Tests for generator.logs.diagnose: what a log shows without any guide."""

from __future__ import annotations

import io
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from generator.logs import diagnose as diag
from generator.logs.diagnose import Diagnosis, diagnose, package_mentions
from generator.logs.text import iter_lines

LOGS = Path(__file__).parent / "data" / "logs"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Collecting tiktoken==0.6.0", [("tiktoken", "0.6.0", "named")]),  # pinned
        ("Collecting Foo_Bar[extra]>=1 (from -r r.txt (line 2))", [("foo-bar", None, "named")]),  # normalised name
        ("Building wheel for tiktoken (pyproject.toml): started", [("tiktoken", None, "built")]),
        ("Building wheels for collected packages: cffi, psutil", [("cffi", None, "built"), ("psutil", None, "built")]),
        ("Building tiktoken==0.6.0", [("tiktoken", "0.6.0", "built")]),  # uv
        ("ERROR: Failed building wheel for psutil", [("psutil", None, "failed")]),
        ("Failed to build cffi psutil", [("cffi", None, "failed"), ("psutil", None, "failed")]),  # old pip lists
        ("Failed to build `tiktoken==0.6.0`", [("tiktoken", "0.6.0", "failed")]),  # uv
        ("ERROR: Failed to build installable wheels for some pyproject.toml based projects (cffi)", [("cffi", None, "failed")]),
        ("ERROR: Could not build wheels for tiktoken, which is required to install pyproject.toml-based projects", [("tiktoken", None, "failed")]),
        ("Downloading cffi-1.16.0.tar.gz (512 kB)", [("cffi", "1.16.0", "named")]),  # an sdist: gives the version
        ("Building wheel for", []),  # no name
        ("error: can't find Rust compiler", []),  # nothing named
    ],
)
def test_package_mentions(line: str, expected: List[Tuple[str, Optional[str], str]]) -> None:
    assert package_mentions(line) == expected


@pytest.mark.parametrize(
    ("lines", "python", "platform"),
    [
        # a setuptools build directory tells both
        (["copying x.py -> build/lib.linux-x86_64-cpython-313/x"], "3.13", "linux_x86_64"),
        (["creating build/temp.linux-aarch64-cpython-312/src"], "3.12", "linux_aarch64"),
        # wheel tags tell Python and the least glibc
        (["Downloading numpy-2.0.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (19.5 MB)"], "3.12", "manylinux_2_17_x86_64"),
        # an abi3 wheel says nothing about the interpreter
        (["Downloading cryptography-42.0.5-cp39-abi3-musllinux_1_2_x86_64.whl"], None, "musllinux_1_2_x86_64"),
        # uv names the interpreter
        (["Using CPython 3.13.0 interpreter at: /usr/local/bin/python3.13"], "3.13", None),
        # musl hints win over the "linux" everywhere in the log
        (["gcc -I/usr/local/include/python3.11 -c x.c", "build/lib.linux-x86_64-cpython-311", "/lib/ld-musl-x86_64.so.1"], "3.11", "musllinux_1_2_x86_64"),
        # Windows: build dir and paths
        (["creating build\\lib.win-amd64-cpython-312".replace("\\", "/"), "C:/Users/runner/x.c"], "3.12", "win_amd64"),
        (["Downloading pywin32-306-cp311-cp311-win32.whl"], "3.11", "win32"),
        # macOS build dir
        (["creating build/temp.macosx-11.0-arm64-cpython-312"], "3.12", "macosx_11_0_arm64"),
        # a Requires-Python refusal names the running interpreter (pip, uv)
        (["ERROR: Package 'numpy' requires a different Python: 3.13.0 not in '<3.12,>=3.9'"], "3.13", None),
        (["  ╰─▶ Because the current Python version (3.8.18) does not satisfy Python>=3.9 and numpy==2.0.0 depends"], "3.8", None),
        # nothing to go on
        (["error: can't find Rust compiler"], None, None),
    ],
)
def test_python_and_platform(lines: List[str], python: Optional[str], platform: Optional[str]) -> None:
    d = diagnose(lines)
    assert (d.python, d.platform) == (python, platform)


def test_built_and_failed_from_a_pip_log() -> None:
    d = diagnose([t for _, t in iter_lines(io.BytesIO((LOGS / "gha-timestamps.log").read_bytes()))])
    assert d.built_from_source == ["psutil"]
    assert d.failed == "psutil"
    assert d.versions == {"psutil": "5.9.8"}
    assert d.platform == "linux_x86_64"


def test_to_json_shape() -> None:
    d = Diagnosis(built_from_source=["a"], failed="a", python="3.13", platform="linux_x86_64", versions={"a": "1.0"})
    assert d.to_json() == {
        "built_from_source": ["a"], "failed": "a", "python": "3.13", "platform": "linux_x86_64", "nearest_wheel": None,
        "failed_version": "1.0", "failed_because": None, "source_archive": None, "no_wheel_evidence": None,
        "platform_proof": None,
        "nearest_wheel_note": None,
    }


def test_memory_bounded_for_many_packages() -> None:
    d = diagnose(f"Building wheel for pkg{i} (setup.py)" for i in range(diag.MAX_PACKAGES * 3))
    assert len(d.built_from_source) == diag.MAX_PACKAGES


_POOL = [
    "creating build/temp.linux-x86_64-cpython-311/src",  # Python 3.11, linux, x86_64
    "Using CPython 3.12.1 interpreter at: /usr/bin/python3.12",  # a rival Python vote
    "Downloading a-1.0-cp313-cp313-manylinux_2_28_aarch64.whl",  # glibc 2.28
    "Downloading b-1.0-cp39-abi3-manylinux2014_x86_64.whl",  # glibc 2.17: the max stays
    "Downloading b-1.0-cp39-abi3-musllinux_1_2_x86_64.whl",  # musl
    "build/lib.macosx-11.0-arm64-cpython-312",  # macOS build dirs: the last one wins
    "build/lib.macosx-10.9-x86_64-cpython-312",
    "call vcvarsall.bat x64 && cl.exe /c a.c",
    "Collecting psutil==5.9.8",  # a version
    "Collecting psutil==6.0.0",  # a later version replaces it
    "Collecting numexpr",  # collected last: blamed for a nameless error when no build was seen under way
    "  Downloading psutil-6.0.0.tar.gz (500 kB)",  # a source archive: its build is under way
    "Building wheel for cffi (pyproject.toml): started",  # built, and under way
    "   Building psutil==6.0.0",  # uv: built from source, at a version
    "note: This error originates from a subprocess, and is likely not a problem with pip.",  # nameless
    "Failed building wheel for psutil",  # failed
    "Failed building wheel for cffi",  # a second failure: the first one stays
    "nothing here",
]


def _state(d: diag.Diagnoser) -> Tuple[object, ...]:
    # Everything a result depends on.
    return (d._built, d._failed, d._inferred, d._path_named, d._versions, d._sources, d._python, d._os,
            d._arch, d._proof, d._glibc, d._musl, d._macos, d._current, d._collected, d._orphans)


@pytest.mark.parametrize("seed", range(8))
def test_scan_rules_of_the_anchors_found_agree_with_all_rules(seed: int) -> None:
    # The block scan passes only the rules whose anchors it saw in a line.
    import random

    rng = random.Random(seed)
    lines = [rng.choice(_POOL) for _ in range(30)]
    full, chosen = diag.Diagnoser(), diag.Diagnoser()
    for number, line in enumerate(lines, start=1):
        full.feed(number, line)
        chosen.feed(number, line, None, [r for r, a in enumerate(diag.RULE_ANCHORS) if a in line])
    assert _state(chosen) == _state(full)


@pytest.mark.parametrize("seed", range(8))
def test_section_lines_may_come_in_any_order(seed: int) -> None:
    # Sections are read after the lines the scan found, and a second process
    # reads the second half: ties and "the last build directory" go by line number.
    import random

    rng = random.Random(seed)
    lines = [rng.choice(_POOL) for _ in range(rng.randrange(10, 60))]
    numbered = list(enumerate(lines, start=1))
    one, shuffled = diag.Diagnoser(), diag.Diagnoser()
    for number, line in numbered:
        one.feed_section(number, line)
    rng.shuffle(numbered)
    for number, line in numbered:
        shuffled.feed_section(number, line)
    assert _state(shuffled) == _state(one)
    assert shuffled.result() == one.result()


@pytest.mark.parametrize("seed", range(8))
def test_absorb_agrees_with_feeding_in_order(seed: int) -> None:
    # Two processes diagnose the two halves of a big log; absorbing the second
    # half's Diagnoser must give what feeding every line in order gives.
    import random

    rng = random.Random(seed)
    lines = [rng.choice(_POOL) for _ in range(rng.randrange(10, 60))]
    cut = rng.randrange(len(lines) + 1)
    one = diag.Diagnoser()
    for number, line in enumerate(lines, start=1):
        one.feed(number, line)
        one.feed_section(number, line)
    first, second = diag.Diagnoser(), diag.Diagnoser()
    for number, line in enumerate(lines[:cut], start=1):
        first.feed(number, line)
        first.feed_section(number, line)
    for number, line in enumerate(lines[cut:], start=1):
        second.feed(number, line)
        second.feed_section(number, line)
    assert first.absorb(second, cut)
    assert first.result() == one.result()
    assert _state(first) == _state(one)


def test_absorb_refuses_when_a_cap_makes_order_matter() -> None:
    first, second = diag.Diagnoser(), diag.Diagnoser()
    for i in range(diag.MAX_PACKAGES - 1):
        first.feed(i + 1, f"Building wheel for a{i}")
    second.feed(1, "Building wheel for late1")
    second.feed(2, "Building wheel for late2")
    before = _state(first)
    assert not first.absorb(second, diag.MAX_PACKAGES)
    assert _state(first) == before  # nothing half merged
