"""Tests for ``wheelfix run``: pass-through, exit codes, explanation on failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


LOGS = Path(__file__).parent / "data" / "logs"
ROOT = Path(__file__).parent.parent


def _wheelfix(*args: str, **kw: object) -> "subprocess.CompletedProcess[bytes]":
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, cwd=ROOT, **kw)  # type: ignore[call-overload,no-any-return]


def _script(code: str) -> list:
    return [sys.executable, "-c", code]


def test_failure_passes_output_through_and_explains(bundle: Path) -> None:
    code = (
        "import sys\n"
        "print('Collecting tiktoken==0.6.0', flush=True)\n"
        "sys.stderr.write('      error: can\\'t find Rust compiler\\n'); sys.stderr.flush()\n"
        "print('tail', flush=True)\n"
        "sys.exit(3)\n"
    )
    proc = _wheelfix("run", "--index", str(bundle), "--", *_script(code))
    assert proc.returncode == 3
    assert proc.stdout == b"Collecting tiktoken==0.6.0\ntail\n"  # stdout unchanged, nothing added
    err = proc.stderr.decode()
    assert err.startswith("      error: can't find Rust compiler\n")  # stderr unchanged, first
    assert "the command failed (exit code 3)" in err
    assert err.index("1. tiktoken: can't find Rust compiler") < err.index("2. can't find Rust compiler")
    # lines of both streams are numbered in one merged log (the order in
    # which two pipes are read is up to the scheduler)
    import re

    # Within one stream the order is kept (Collecting before tail, both on stdout);
    # across the two pipes it is whatever order the reader threads saw them in.
    first = re.search(r"(\d+): Collecting tiktoken==0\.6\.0", err)
    second = re.search(r"(\d+): error: can't find Rust compiler", err)
    assert first and second
    numbers = {int(first.group(1)), int(second.group(1))}
    assert len(numbers) == 2 and numbers <= {1, 2, 3}  # one merged log of three lines
    assert int(first.group(1)) < 3  # "tail" comes after "Collecting" on stdout


def test_success_adds_nothing(bundle: Path) -> None:
    proc = _wheelfix("run", "--index", str(bundle), "--", *_script("print('error: can\\'t find Rust compiler')"))
    assert proc.returncode == 0
    assert proc.stdout == b"error: can't find Rust compiler\n"
    assert proc.stderr == b""


def test_binary_and_partial_lines_pass_through_byte_for_byte(bundle: Path) -> None:
    payload = bytes(range(256)) * 50 + b"no newline at end"
    code = f"import sys; sys.stdout.buffer.write({payload!r}); sys.exit(1)"
    proc = _wheelfix("run", "--index", str(bundle), "--", *_script(code))
    assert proc.returncode == 1
    assert proc.stdout == payload
    assert b"No guide matches this log." in proc.stderr


def test_command_not_found_is_127(bundle: Path) -> None:
    proc = _wheelfix("run", "--index", str(bundle), "--", "wheelfix-no-such-command-xyz")
    assert proc.returncode == 127
    assert proc.stderr.decode().startswith("wheelfix: error: command not found: wheelfix-no-such-command-xyz")


def test_no_command_is_usage_error(bundle: Path) -> None:
    proc = _wheelfix("run", "--index", str(bundle))
    assert proc.returncode == 2
    assert b"no command given" in proc.stderr


def test_killed_by_signal_exits_128_plus_signal(bundle: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX signals")
    proc = _wheelfix("run", "--index", str(bundle), "--", *_script("import os, signal; os.kill(os.getpid(), signal.SIGTERM)"))
    assert proc.returncode == 128 + signal.SIGTERM


def test_sigint_is_forwarded_to_the_command(bundle: Path, tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX signals")
    marker = tmp_path / "started"
    code = (
        "import pathlib, sys, time\n"
        f"pathlib.Path({str(marker)!r}).write_text('x')\n"
        "try:\n"
        "    time.sleep(60)\n"
        "except KeyboardInterrupt:\n"
        "    print('child got SIGINT', flush=True)\n"
        "    sys.exit(42)\n"
    )
    # Own session, so only our signal reaches wheelfix (as a terminal's would).
    proc = subprocess.Popen([sys.executable, "-m", "generator", "run", "--index", str(bundle), "--", *_script(code)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    while not marker.exists():
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, _err = proc.communicate()
    assert proc.returncode == 42
    assert out == b"child got SIGINT\n"
