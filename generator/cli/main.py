"""The ``wheelfix`` command line: ``main(argv)`` and the translation of errors.

Each subcommand lives in ``generator/cli/commands/<name>.py`` with two functions,
``configure(parser)`` and ``run(args) -> int``.  Only the module of the command
being run is imported, so ``wheelfix explain`` never pays for the site
generator, the HTTP stack or pydantic.

Exit codes (documented in docs/cli.md):

* 0: success, nothing to report;
* 1: findings (invalid records, no guide matched, a package would build from source);
* 2: usage error or bad input (unreadable file, unknown package, index down).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Any, Optional, Sequence

from generator import __version__
from generator.errors import WheelfixError, printable

logger = logging.getLogger("wheelfix")

#: name -> one-line summary.  Kept here, not in the command modules, so that
#: ``wheelfix --help`` lists every command without importing any of them.
COMMANDS = {
    "check": "validate the records in kb/ (and, with --online, their claims)",
    "export": "write the generated pages as plain Markdown into a folder",
    "table": "show which release installs a wheel for which CPython and platform",
    "explain": "read a build log and point to the guide that fixes it",
    "run": "run an install command and explain its failure",
    "audit": "check a requirements or lock file for source builds on a target",
    "new": "start a new record from a template, or from a failing build's log",
    "summary": "print the version tables of some guides as Markdown (for a CI job summary)",
    "refresh": "re-read the index and report records whose claims or affected ranges changed",
    "bundle": "regenerate the files generated from kb/ (bundled signatures, schema/incident.json)",
}

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _build_parser(command: Optional[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wheelfix",
        description="Fix guides for Python install and build failures, checked against index data.",
        epilog="Exit codes: 0 ok, 1 findings, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"wheelfix {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (repeat for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="log only errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        sp = sub.add_parser(name, help=summary, description=summary)
        if name == command:
            _command_module(name).configure(sp)
    return parser


def _command_module(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"generator.cli.commands.{name}")


def _first_command(argv: Sequence[str]) -> Optional[str]:
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted.

    ``main()`` may run many times in one process (tests, embedding); a handler
    holding the stream of its first call would write to a closed file later.
    """

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("wheelfix: %(levelname)s: %(message)s"))
    logger = logging.getLogger("wheelfix")
    logger.handlers[:] = [handler]
    logger.setLevel(level)


def _guard_std_streams() -> None:
    """Give closed standard streams (``<&-``, ``>&-``) a stand-in on the null device.

    A closed descriptor 0, 1 or 2 would be handed out again by the next open
    or pipe, and a child or a log line would land in it; Python also leaves
    ``sys.stdout`` and ``sys.stderr`` as None.  With the null device in their
    place, what is written to a closed output is discarded, as a closed pipe
    would.  ``sys.stdin`` stays None, so that ``explain -`` can say that
    standard input is closed rather than read nothing.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdout is None:
        sys.stdout = open(1, "w", closefd=False)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)


def _discard_stdout() -> None:
    """After a broken pipe: send the rest of standard output to the null device, so exit does not fail flushing it."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture it)
        pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``wheelfix`` command line and return its exit code."""
    _guard_std_streams()
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = _first_command(args_list)
    parser = _build_parser(command)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    _setup_logging(args.verbose, args.quiet)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code = int(_command_module(args.command).run(args))
        sys.stdout.flush()  # here, where a broken pipe is handled, not at exit
        return code
    except WheelfixError as exc:
        # Messages quote untrusted input: escape what a terminal would act on, line breaks
        # included, but for the few errors that list their problems one a line.
        lines = str(exc).split("\n") if exc.multiline else [str(exc)]
        message = "\n".join(map(printable, lines))
        print(f"wheelfix: error: {message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {printable(exc.hint)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("wheelfix: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        _discard_stdout()
        return EXIT_OK
    except OSError as exc:
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"wheelfix: error: cannot access{where}: {exc.strerror or exc}", file=sys.stderr)
        print("  hint: check that the path exists and is readable", file=sys.stderr)
        return EXIT_USAGE
