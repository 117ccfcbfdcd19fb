"""The long tail: what explain says of a failed build no guide covers, on every log sample.

The expectations below were read off the logs by hand (see
tests/data/logs/longtail/reproduce.sh for how the real ones were made).
Every log is checked on both the stream path and the reference reading,
in its own shape and in the shapes other tools give it.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from generator.logs import text as logtext
from generator.logs.buildsection import SECTION_LINES
from generator.cli import main
from generator.logs.diagnose import Diagnosis, Diagnoser, canonical_name, diagnose
from generator.logs.bundle import BUNDLE_FORMAT, load_bundle, load_bundle_file

ROOT = Path(__file__).parent.parent
LOGS = ROOT / "tests" / "data" / "logs"

# path: (failed, its version, python, platform tag, what the platform statement starts with)
EXPECTED: Dict[str, Tuple[Optional[str], Optional[str], Optional[str], Optional[str], Optional[str]]] = {
    # real captures of builds no guide covers
    "tests/data/logs/longtail/pip313-numpy.log": ("numpy", "1.24.4", "3.13", None, None),  # BackendUnavailable: distutils
    "tests/data/logs/longtail/pip313-pillow.log": ("pillow", "9.0.0", "3.13", None, None),  # KeyError: '__version__'
    "tests/data/logs/longtail/pip313v-pillow.log": ("pillow", "9.0.0", "3.13", None, None),  # -v: a nested "Collecting setuptools"
    "tests/data/logs/longtail/pip313-mysqlclient.log": ("mysqlclient", "2.3.2", "3.13", None, None),  # no pkg-config
    "tests/data/logs/longtail/uv313-numpy.log": ("numpy", "1.24.4", "3.13", None, None),
    "tests/data/logs/longtail/uv313-mysqlclient.log": ("mysqlclient", "2.3.2", "3.13", None, None),
    "tests/data/logs/longtail/poetry313-mysqlclient.log": ("mysqlclient", "2.3.2", "3.13", None, None),
    "tests/data/logs/longtail/pip20-mysqlclient.log": ("mysqlclient", "2.0.3", "3.8", None, None),  # bin/python3.8
    "tests/data/logs/longtail/pip20w-mysqlclient.log": ("mysqlclient", "2.0.3", "3.8", None, None),
    "tests/data/logs/longtail/pip22-mysqlclient.log": ("mysqlclient", "2.1.1", None, None, None),  # no version shown
    "tests/data/logs/longtail/poetry18-mysqlclient.log": ("mysqlclient", "2.3.2", "3.13", None, None),  # ChefBuildError
    "tests/data/logs/longtail/uv04-pillow.log": ("pillow", "9.0.0", "3.13", None, None),  # "Failed to fetch wheel"
    "tests/data/logs/longtail/pip25-pyaudio.log": ("pyaudio", "0.2.14", "3.13", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-cpython-313/"),
    # a manylinux wheel installed before the failing sdist: that is all the log shows of the platform
    "tests/data/logs/longtail/pip313-reqs.log": ("pillow", "9.0.0", "3.13", "manylinux_2_17_x86_64", "linux x86_64, glibc-based (accepted a manylinux_2_17_x86_64 wheel)"),
    "tests/data/logs/longtail/pip20-pyaudio.log": ("pyaudio", "0.2.11", "3.8", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-3.8"),
    "tests/data/logs/longtail/pip20w-pyaudio.log": ("pyaudio", "0.2.11", "3.8", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-3.8"),
    "tests/data/logs/longtail/pip22-pyaudio.log": ("pyaudio", "0.2.11", "3.9", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-3.9"),
    # the routing test logs (mostly short excerpts)
    "tests/data/logs/buildkit-crlf.log": ("cffi", "1.16.0", None, None, None),
    "tests/data/logs/cut-middle.log": ("tiktoken", "0.6.0", None, None, None),
    "tests/data/logs/gha-timestamps.log": ("psutil", "5.9.8", None, "linux_x86_64", "linux x86_64 (log shows '/usr/bin/x86_64-linux-gnu-gcc"),
    "tests/data/logs/gitlab-sections.log": (None, None, None, None, None),  # an import error, no build
    "tests/data/logs/poetry.log": ("psutil", "5.9.8", None, None, None),
    "tests/data/logs/render.log": ("tiktoken", "0.6.0", None, None, None),
    "tests/data/logs/rust-generic.log": ("orjson", "3.9.0", None, None, None),
    "tests/data/logs/uv-miette.log": ("tiktoken", "0.6.0", "3.13", None, None),
    "tests/data/logs/vercel.log": (None, None, None, None, None),
    "tests/data/logs/latin1-binary.bin": (None, None, None, None, None),
    "tests/data/logs/windows-utf16.bin": ("psutil", "5.9.8", None, "win_amd64", "Windows (log shows 'C:/Users/runner/"),
    # the knowledge base's samples
    "kb/samples/cffi-ffi-h-missing/pip-install.log": ("cffi", "1.16.0", "3.13", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-cpython-313/"),
    "kb/samples/numpy2-module-compiled-with-numpy1/numexpr-import.log": (None, None, "3.12", "manylinux_2_17_x86_64", "linux x86_64, glibc-based (accepted a manylinux_2_17_x86_64 wheel)"),
    "kb/samples/numpy2-module-compiled-with-numpy1/pandas-dtype-size-changed.log": (None, None, "3.12", "manylinux_2_17_x86_64", "linux x86_64, glibc-based (accepted a manylinux_2_17_x86_64 wheel)"),
    "kb/samples/psycopg2-pg-config-not-found/pip-install.log": ("psycopg2", "2.9.10", "3.12", None, None),
    "kb/samples/python-h-missing/pip-install-psutil.log": ("psutil", "5.9.8", "3.12", "linux_x86_64", "linux x86_64 (log shows 'build/temp.linux-x86_64-cpython-312/"),
    "kb/samples/tiktoken-cargo-read-only-filesystem/pip-cargo-readonly.log": ("tiktoken", "0.6.0", "3.13", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-cpython-313/"),
    "kb/samples/tiktoken-cargo-read-only-filesystem/pip-no-rust.log": ("tiktoken", "0.6.0", "3.13", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-cpython-313/"),
    "kb/samples/tiktoken-cargo-read-only-filesystem/render-seed.log": ("tiktoken", None, None, None, None),
    "kb/samples/tiktoken-cargo-read-only-filesystem/uv-cargo-readonly.log": ("tiktoken", "0.6.0", "3.13", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-cpython-313/"),
    "kb/samples/tiktoken-cargo-read-only-filesystem/uv-no-rust.log": ("tiktoken", "0.6.0", "3.13", "linux_x86_64", "linux x86_64 (log shows 'build/lib.linux-x86_64-cpython-313/"),
}


def _all_logs() -> List[str]:
    found = [p for p in LOGS.rglob("*") if p.suffix in (".log", ".bin")]
    found += list((ROOT / "kb" / "samples").glob("*/*.log"))
    return sorted(str(p.relative_to(ROOT)) for p in found)


def _stream(raw: bytes, chunk_size: int = logtext.CHUNK_SIZE) -> Diagnosis:
    diagnoser = Diagnoser()
    feeder = load_bundle({"format": BUNDLE_FORMAT, "guides": []}).feeder(diagnoser)
    for first, block in logtext.iter_blocks(io.BytesIO(raw), chunk_size=chunk_size):
        feeder.block(first, block)
    feeder.results()
    return diagnoser.result()


def _reference(raw: bytes) -> Diagnosis:
    return diagnose(line for _, block in logtext.iter_blocks(io.BytesIO(raw)) for line in block.split("\n"))


def _summary(d: Diagnosis) -> Tuple[Optional[str], ...]:
    return (d.failed, d.versions.get(d.failed) if d.failed else None, d.python, d.platform,
            d.platform_proof if d.platform_proof is None else d.platform_proof)


ALL_LOGS = _all_logs()


def test_every_long_tail_log_has_an_expectation() -> None:
    # The hand-checked table covers tests/data/logs and the samples it was written
    # against; every log, kb/samples included, gets the properties below.
    assert set(EXPECTED) <= set(ALL_LOGS)
    # (The negative logs route nowhere: tests/test_routing.py.)
    curated = [p for p in ALL_LOGS if not p.startswith(("kb/", "tests/data/logs/negatives/"))]
    assert curated == sorted(p for p in EXPECTED if not p.startswith("kb/"))


@pytest.mark.parametrize("path", ALL_LOGS)
def test_the_fast_path_is_the_slow_one_on_every_log(path: str) -> None:
    raw = (ROOT / path).read_bytes()
    got = _stream(raw)
    assert got == _reference(raw)
    assert got == _stream(raw, chunk_size=4096)


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_diagnosis_of_each_log(path: str) -> None:
    failed, version, python, platform, proof = EXPECTED[path]
    raw = (ROOT / path).read_bytes()
    got = _stream(raw)
    assert (got.failed, got.versions.get(got.failed) if got.failed else None, got.python, got.platform) == (
        failed, version, python, platform)
    if proof is None:
        assert got.platform_proof is None
    else:
        assert got.platform_proof is not None and got.platform_proof.startswith(proof)
    assert got == _reference(raw)  # the fast path is the slow one
    assert got == _stream(raw, chunk_size=4096)


def _words(text: str) -> set:
    # pip unpacks a source into ``<name>_<32 hex digits>``: the name is literally there.
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
    return {canonical_name(w) for w in words} | {canonical_name(re.sub(r"_[0-9a-f]{32}$", "", w)) for w in words}


@pytest.mark.parametrize("path", ALL_LOGS)
def test_every_statement_is_in_the_log(path: str) -> None:
    # What explain derives must be literally shown by the log it came from.
    raw = (ROOT / path).read_bytes()
    text = "\n".join(t for _, t in logtext.iter_lines(io.BytesIO(raw)))
    d = _stream(raw)
    if d.failed:
        assert d.failed in _words(text) or d.failed in {w.split("_")[0] for w in _words(text)}
        assert d.failed_because in ("stated", "in progress", "build path")
    for name in d.built_from_source:
        assert name in _words(text) or name in {w.split("_")[0] for w in _words(text)}
    if d.failed and d.versions.get(d.failed):
        assert d.versions[d.failed] in text
    if d.source_archive:
        assert d.source_archive in text and d.versions[d.failed] in d.source_archive
        assert d.no_wheel_evidence is not None and d.source_archive in d.no_wheel_evidence
    if d.no_wheel_evidence:
        assert d.failed and any(line.startswith(d.no_wheel_evidence) for line in text.split("\n"))
        assert d.versions[d.failed] in d.no_wheel_evidence
    if d.python:
        minor = d.python.split(".")[1]
        assert re.search(rf"3\.{minor}(?![0-9])|(?:cp|cpython-)3{minor}(?![0-9])", text), d.python
    if d.platform_proof:
        for shown in re.findall(r"log shows '([^']+)'", d.platform_proof):
            assert shown in text
        for tag in re.findall(r"accepted an? (\S+) wheel", d.platform_proof):
            assert tag in text


# -- the same logs in other tools' shapes


def _buildkit(lines: List[str]) -> List[str]:
    return [f"#12 {41.37 + i * 0.01:.2f} {line}" for i, line in enumerate(lines)]


def _github(lines: List[str]) -> List[str]:
    return [f"2024-06-03T10:15:{i % 60:02d}.1234567Z {line}" for i, line in enumerate(lines)]


_SHAPES: Dict[str, Tuple[Callable[[List[str]], List[str]], str]] = {
    "buildkit": (_buildkit, "\n"),
    "github-actions": (_github, "\n"),
    "crlf": (lambda lines: lines, "\r\n"),
    "buildkit-crlf": (_buildkit, "\r\n"),
}

# Logs captured plain (no platform prefixes of their own), whose shape can be changed.
_PLAIN = [p for p in sorted(EXPECTED) if "/longtail/" in p or (p.startswith("kb/") and "render-seed" not in p)]


@pytest.mark.parametrize("shape", sorted(_SHAPES))
@pytest.mark.parametrize("path", _PLAIN)
def test_other_shapes_give_the_same_diagnosis(path: str, shape: str) -> None:
    lines = (ROOT / path).read_text("utf-8").split("\n")
    transform, newline = _SHAPES[shape]
    raw = newline.join(transform(lines)).encode("utf-8")
    got = _stream(raw)
    assert _summary(got) == _summary(_stream((ROOT / path).read_bytes()))
    assert got == _reference(raw)


def _excerpt(text: str) -> str:
    """What people paste: from the first error line on, without the Collecting/Downloading lines."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if "error" in line.lower()), 0)
    return "\n".join(lines[start:])


@pytest.mark.parametrize("path", _PLAIN)
def test_an_excerpt_never_names_another_package(path: str) -> None:
    full = _stream((ROOT / path).read_bytes())
    raw = _excerpt((ROOT / path).read_text("utf-8")).encode("utf-8")
    cut = _stream(raw)
    assert cut.failed in (None, full.failed)
    if full.failed_because == "stated":
        assert cut.failed == full.failed  # the installer's statement is in the excerpt
    assert cut == _reference(raw)


@pytest.mark.parametrize(
    ("excerpt", "failed"),
    [
        # pip's box alone: the unpacked sdist's directory names the project
        (["error: subprocess-exited-with-error", "", "× python setup.py egg_info did not run successfully.",
          "│ exit code: 1", "╰─> [3 lines of output]",
          '    File "/tmp/pip-install-ax_4l64a/mysqlclient_1b7619cacf414c47a130ab6b168a9ca0/setup.py", line 15',
          "    OSError: mysql_config not found", "    [end of output]", "",
          "note: This error originates from a subprocess, and is likely not a problem with pip."], "mysqlclient"),
        # a versioned source tree
        (['  File "/root/.cache/x/numpy-1.24.4/setup.py", line 8', "ModuleNotFoundError: No module named 'distutils'",
          "error: subprocess-exited-with-error"], "numpy"),
        # the preceding lines name what was collected
        (["Collecting pillow==9.0.0", "  Getting requirements to build wheel: finished with status 'error'",
          "  error: subprocess-exited-with-error", "  note: This error originates from a subprocess, and is likely not a problem with pip."],
         "pillow"),
        # pip >= 25 names the packages in its box
        (["error: failed-wheel-build-for-install", "", "× Failed to build installable wheels for some pyproject.toml based projects",
          "╰─> psycopg2"], "psycopg2"),
        # pip < 20
        (['Command "python setup.py egg_info" failed with error code 1 in /tmp/pip-build-u8nqd7/mysqlclient/'], "mysqlclient"),
        # uv < 0.5
        (["error: Failed to prepare distributions", "  Caused by: Failed to fetch wheel: pillow==9.0.0"], "pillow"),
        # uv, and poetry 1.x
        (["  × Failed to download and build `lxml==4.9.2`"], "lxml"),
        (["  • Installing pyyaml (5.4.1): Failed", "", "  ChefBuildError"], "pyyaml"),
        (["Note: This error originates from the build backend, and is likely not a problem with poetry but with"
          " psycopg2 (2.9.3) not supporting PEP 517 builds. You can verify this by running"], "psycopg2"),
        # uv's source cache; pip's exception in pip-tools' traceback after a collected package
        (["  File \"/root/.cache/uv/sdists-v6/pypi/pillow/9.0.0/Xa1/src/setup.py\", line 29", "KeyError: '__version__'"], "pillow"),
        (["Collecting lxml==4.9.2", "pip._internal.exceptions.InstallationSubprocessError: Getting requirements to build wheel exited with 1"],
         "lxml"),
        # an import name in a build directory is not the project's name: nothing is guessed
        (["copying src/PIL/Image.py -> build/lib.linux-x86_64-cpython-313/PIL", "error: command 'gcc' failed with exit code 1"], None),
        # an editable install of the project itself after a dependency's source archive
        (["  Downloading numpy-1.24.4.tar.gz (10.9 MB)", "Installing collected packages: numpy, app",
          "  Running setup.py develop for app", "    ERROR: Command errored out with exit status 1:"], "app"),
        (["Processing ./dist/mypkg-0.1.tar.gz", "  error: subprocess-exited-with-error",
          "  note: This error originates from a subprocess, and is likely not a problem with pip."], "mypkg"),
        # a box of pip's that names no package: nothing is guessed
        (["  ╰─> [18 lines of output]", "note: This error originates from a subprocess, and is likely not a problem with pip."], None),
    ],
)
def test_excerpts_without_a_collecting_line(excerpt: List[str], failed: Optional[str]) -> None:
    raw = "\n".join(excerpt).encode("utf-8")
    assert _stream(raw).failed == failed
    assert _reference(raw).failed == failed


def test_a_wheel_tag_is_not_the_machine() -> None:
    # Only a manylinux_2_28 wheel downloaded: the log proves a glibc linux on
    # x86_64 that accepts manylinux_2_28, no more.
    d = _stream(b"Collecting numpy\n  Downloading numpy-2.1.0-cp313-cp313-manylinux_2_28_x86_64.whl (16 MB)\n")
    assert (d.python, d.platform) == ("3.13", "manylinux_2_28_x86_64")
    assert d.platform_proof == "linux x86_64, glibc-based (accepted a manylinux_2_28_x86_64 wheel)"
    # ... and a pip error naming a wheel that does not fit is no evidence at all
    d = _stream(b"ERROR: numpy-2.1.0-cp313-cp313-manylinux_2_28_x86_64.whl is not a supported wheel on this platform.\n")
    assert (d.python, d.platform) == (None, None)


def test_sections_are_bounded_on_a_log_full_of_markers() -> None:
    # Thousands of failure notes: only the first sections and the end are read.
    note = "note: This error originates from a subprocess, and is likely not a problem with pip."
    lines = ["Collecting x==1.0", "  Downloading x-1.0.tar.gz (1 kB)"]
    lines += [f"gcc -I/usr/include/python3.{11 if i < 5000 else 12} -c a.c -o build/temp.linux-x86_64-cpython-3{11 if i < 5000 else 12}/a.o"
              if i % 10 else note for i in range(6000)]
    d = _stream("\n".join(lines).encode())
    assert d.failed == "x"
    # Read whole, the 3.11 lines would win 5 to 1; the first sections hold
    # fewer of them than the last SECTION_LINES lines hold 3.12 ones.
    assert d.python == "3.12"
    assert d == _reference("\n".join(lines).encode())
    assert SECTION_LINES < 1000


# -- the command


def test_uv_shows_the_source_build_without_an_archive(bundle: Path, capsys: Any) -> None:
    main(["explain", str(LOGS / "longtail" / "uv313-numpy.log"), "--index", str(bundle)])
    out = capsys.readouterr().out
    assert "no wheel used: it was built from source ('Building numpy==1.24.4')" in out


def test_explain_text_says_what_the_log_proves(bundle: Path, capsys: Any) -> None:
    code = main(["explain", str(LOGS / "longtail" / "pip313-numpy.log"), "--index", str(bundle)])
    out = capsys.readouterr().out
    assert code == 1 and "No guide matches this log." in out
    assert "failed: numpy 1.24.4 (its build was under way when the installer reported an error)" in out
    assert "no wheel used: it was built from its source archive numpy-1.24.4.tar.gz" in out
    assert "  Python: 3.13" in out
    assert "nearest release with a wheel: not known: the log does not show the platform" in out


def test_nearest_wheel_says_online_would_add_it_then_finds_it(bundle: Path, capsys: Any, index_server: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", index_server.index_url)
    log = str(ROOT / "kb/samples/cffi-ffi-h-missing/pip-install.log")
    main(["explain", log, "--index", str(bundle), "--json"])
    cold = json.loads(capsys.readouterr().out)["diagnosis"]
    assert cold["nearest_wheel"] is None
    assert cold["nearest_wheel_note"] == "no index data for cffi is cached; run again with --online to look it up"
    main(["explain", log, "--index", str(bundle), "--json", "--online"])
    online = json.loads(capsys.readouterr().out)["diagnosis"]
    wheel = online["nearest_wheel"]
    assert wheel is not None and online["nearest_wheel_note"] is None
    from packaging.version import Version

    assert Version(wheel["version"]) >= Version("1.16.0")
    assert re.search(r"-cp313-cp313-.*manylinux.*x86_64.*\.whl$", wheel["file"])
    main(["explain", log, "--index", str(bundle), "--json"])  # a warm cache gives the same, offline
    assert json.loads(capsys.readouterr().out)["diagnosis"]["nearest_wheel"] == wheel


def test_the_bundled_signatures_still_load() -> None:
    assert load_bundle_file().guides
