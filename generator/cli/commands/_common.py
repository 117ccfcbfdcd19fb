"""Options and helpers shared by several subcommands (``explain`` and ``run`` share the log report)."""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:  # importing the index client pulls in requests; only when used
    from generator.index.client import IndexClient
    from generator.logs.diagnose import Diagnosis, Diagnoser
    from generator.logs.matcher import Match

#: Matches shown without ``--all``.
DEFAULT_SHOWN = 3


def add_kb_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kb", default=os.environ.get("WHEELFIX_KB", "kb"), metavar="DIR", help="the knowledge base folder (default: ./kb)")


def add_index_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index-url", metavar="URL", help="the package index (default: the one pip is configured with)")
    parser.add_argument("--offline", action="store_true", help="use cached index data only, however old")
    parser.add_argument("--max-age", type=int, default=3600, metavar="SECONDS", help="how long cached index data counts as fresh (default: 3600)")


def index_client(args: argparse.Namespace) -> "IndexClient":
    from generator.index.client import IndexClient

    return IndexClient(args.index_url, offline=args.offline, max_age=timedelta(seconds=args.max_age))


def add_log_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``wheelfix explain`` and ``wheelfix run``."""
    parser.add_argument("--index", metavar="FILE", help="signatures.json to use instead of the bundled one")
    parser.add_argument("--online", action="store_true", help="fetch index data for the nearest wheel (default: cache only)")
    parser.add_argument("--all", action="store_true", help=f"show every matching guide, not only the best {DEFAULT_SHOWN}")
    parser.add_argument("--site-url", metavar="URL", help="base URL of the guides (default: $WHEELFIX_SITE_URL)")


def site_url(args: argparse.Namespace) -> str:
    """The base URL guides are printed under (may be "" for relative paths)."""
    chosen: Optional[str] = getattr(args, "site_url", None)
    if chosen is None:
        from generator.logs.bundle import SITE_URL

        chosen = os.environ.get("WHEELFIX_SITE_URL") or SITE_URL
    return chosen


def finish_diagnosis(diagnoser: Diagnoser, online: bool) -> Diagnosis:
    """The diagnosis with its nearest wheel looked up (or why it is not known)."""
    from generator.cli.nearest import nearest_wheel_or_note

    diagnosis = diagnoser.result()
    diagnosis.nearest_wheel, diagnosis.nearest_wheel_note = nearest_wheel_or_note(diagnosis, online=online)
    return diagnosis


def render_text(matches: List[Match], diagnosis: Diagnosis, base: str, shown: Optional[int]) -> str:
    """The human-readable explanation."""
    from generator.logs.bundle import guide_url

    out: List[str] = []
    if not matches:
        out.append("No guide matches this log.")
    for rank, m in enumerate(matches[:shown], start=1):
        out.append(f"{rank}. {m.title}")
        out.append(f"   guide: {guide_url(m.url, base)}")
        if m.fix:
            out.append(f"   fix: {m.fix}")
        out.append("   matched:")
        width = len(str(m.lines[-1][0])) if m.lines else 1
        for number, text in m.lines:
            out.append(f"     {number:>{width}}: {_clip(text)}")
    hidden = len(matches) - (shown if shown is not None else len(matches))
    if hidden > 0:
        out.append(f"({hidden} more; use --all to see them)")
    facts = _facts(diagnosis)
    if facts:
        out.append("")
        out.append("From the log:")
        out.extend(f"  {k}: {v}" for k, v in facts)
    return "\n".join(out) + "\n"


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


_BECAUSE = {
    "stated": "the installer says its build failed",
    "in progress": "its build was under way when the installer reported an error",
    "build path": "only its build directory appears where the installer reported an error",
}


def _facts(d: Diagnosis) -> List["tuple[str, str]"]:
    facts = []
    if d.built_from_source:
        facts.append(("built from source", ", ".join(d.built_from_source)))
    if d.failed:
        version = d.versions.get(d.failed)
        said = f"{d.failed} {version}" if version else d.failed
        facts.append(("failed", f"{said} ({_BECAUSE[d.failed_because]})" if d.failed_because else said))
        if d.no_wheel_evidence:
            how = f"its source archive {d.source_archive}" if d.source_archive else f"source ({_clip(d.no_wheel_evidence, 80)!r})"
            facts.append(("no wheel used", f"it was built from {how}, which pip and uv do when no wheel of that "
                          "release fits this Python and platform (or wheels are turned off)"))
    if d.python:
        facts.append(("Python", d.python))
    if d.platform:
        facts.append(("platform", d.platform_proof or d.platform))
    if d.nearest_wheel:
        facts.append(("nearest release with a wheel", f"{d.failed} {d.nearest_wheel['version']} ({d.nearest_wheel['file']})"))
    elif d.nearest_wheel_note:
        facts.append(("nearest release with a wheel", f"not known: {d.nearest_wheel_note}"))
    return facts


#: The fields a log cannot draft, for ``wheelfix new`` with and without ``--from-log``.
TEMPLATE_TAIL = """\
cause: |
  TODO: why it happens, in Markdown.
fixes:
  - title: "TODO: the fix to try first"
    when: "TODO: when it applies"
    steps: |
      TODO: the steps, in Markdown.
diagnostics: []
references:
  - title: "TODO: the public source"
    url: "TODO"
related: []
"""
