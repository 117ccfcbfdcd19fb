"""``wheelfix run -- COMMAND ...``: run an install command and explain its failure.

The command's standard output and error pass through unchanged, to the same
file descriptors, as they come.  Both are also cut into lines and matched on
the fly (one merged log, memory bounded), so nothing is kept but the matcher's
state.  When the command fails, the explanation follows its output on
standard error and wheelfix exits with the command's own exit code; when it
succeeds nothing is added.  Ctrl-C is forwarded to the command.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from types import FrameType
from typing import IO, List, Optional

from generator.cli.commands._common import DEFAULT_SHOWN, add_log_options, finish_diagnosis, render_text, site_url
from generator.logs.diagnose import Diagnoser
from generator.errors import WheelfixError
from generator.logs.text import LineSplitter, decode_block
from generator.logs.bundle import guide_url, load_bundle_file
from generator.logs.matcher import Match, Matcher

_READ_SIZE = 64 * 1024


class RunError(WheelfixError):
    """The command given to ``wheelfix run`` could not be started."""


class CommandNotFound(RunError):
    """No such program (exit 127, as a shell would)."""

    exit_code = 127


class CommandNotExecutable(RunError):
    """The program exists but cannot be executed (exit 126, as a shell would)."""

    exit_code = 126


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``wheelfix run``."""
    add_log_options(parser)
    parser.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND ...", help="the command to run")


class _Merged:
    """The merged log of both streams, analysed as lines complete."""

    def __init__(self, matcher: Matcher) -> None:
        self.diagnoser = Diagnoser()
        self.session = matcher.feeder(self.diagnoser)
        self._number = 1
        self._lock = threading.Lock()

    def add(self, block: Optional[bytes]) -> None:
        if block is None:
            return
        text = decode_block(block)
        with self._lock:
            self._number += self.session.block(self._number, text)


def _pump(src: IO[bytes], dst_fd: int, merged: _Merged, errors: List[BaseException]) -> None:
    splitter = LineSplitter()
    fd = src.fileno()
    try:
        while True:
            data = os.read(fd, _READ_SIZE)
            if not data:
                break
            _write_all(dst_fd, data)
            merged.add(splitter.feed(data))
        merged.add(splitter.close())
    except BaseException as exc:  # reported by the main thread; a thread cannot raise there
        errors.append(exc)
        # Keep draining so the child never blocks on a full pipe.
        try:
            while os.read(fd, _READ_SIZE):
                pass
        except OSError:
            pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError:
            return  # our reader went away; the command still runs to its end
        view = view[written:]


def run(args: argparse.Namespace) -> int:
    """Run ``args.argv``; explain on failure; return the command's exit code."""
    argv = list(args.argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        raise RunError("no command given", hint="usage: wheelfix run -- pip install PACKAGE")
    matcher = load_bundle_file(args.index)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise CommandNotFound(f"command not found: {argv[0]}", hint="check the spelling and your PATH") from None
    except PermissionError:
        raise CommandNotExecutable(f"command not executable: {argv[0]}") from None
    except OSError as exc:
        raise CommandNotExecutable(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
    merged = _Merged(matcher)
    errors: List[BaseException] = []
    assert proc.stdout is not None and proc.stderr is not None
    threads = [
        threading.Thread(target=_pump, args=(proc.stdout, 1, merged, errors), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, 2, merged, errors), daemon=True),
    ]
    for t in threads:
        t.start()
    returncode = _wait_forwarding_sigint(proc)
    for t in threads:
        t.join()
    proc.stdout.close()
    proc.stderr.close()
    if errors:
        raise errors[0]
    if returncode == 0:
        return 0
    exit_code = returncode if returncode > 0 else 128 - returncode
    matches = merged.session.results()
    diagnosis = finish_diagnosis(merged.diagnoser, args.online)
    shown = None if args.all else DEFAULT_SHOWN
    sys.stderr.write(f"\nwheelfix: the command failed (exit code {exit_code}).\n")
    sys.stderr.write(render_text(matches, diagnosis, site_url(args), shown))
    sys.stderr.flush()
    _github_actions_report(matches, site_url(args), exit_code, argv)
    return exit_code


def _github_actions_report(matches: List[Match], base: str, exit_code: int, argv: List[str]) -> None:
    """In GitHub Actions: one annotation per guide, and a job-summary table with the links."""
    from generator.cli import ghactions

    if not ghactions.in_github_actions():
        return
    command = " ".join(argv)
    for m in matches[:DEFAULT_SHOWN]:
        url = guide_url(m.url, base)
        print(ghactions.annotation("error", f"{m.title}. Fix: {m.fix}. Guide: {url}", title=f"wheelfix: `{command}` failed"), flush=True)
    rows = [
        [ghactions.markdown_link(m.title, guide_url(m.url, base)), m.fix, "; ".join(f"{n}: {t}" for n, t in m.lines[:3])]
        for m in matches[:DEFAULT_SHOWN]
    ]
    heading = f"### wheelfix: `{command}` failed (exit code {exit_code})\n\n"
    body = ghactions.markdown_table(["Guide", "First fix", "Matched lines"], rows, raw_columns=(0,)) if rows else "No guide matches this log.\n"
    ghactions.append_step_summary(heading + body)


def _wait_forwarding_sigint(proc: "subprocess.Popen[bytes]") -> int:
    def forward(signum: int, frame: Optional[FrameType]) -> None:
        try:
            proc.send_signal(signal.SIGINT)
        except (OSError, ValueError):
            pass

    if threading.current_thread() is not threading.main_thread():
        return proc.wait()
    previous = signal.signal(signal.SIGINT, forward if os.name == "posix" else signal.SIG_IGN)
    try:
        return proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
