"""GitHub Actions output: workflow-command annotations and the job summary.

Pure string builders (:func:`annotation`, :func:`markdown_table`,
:func:`markdown_link`) plus one writer, :func:`append_step_summary`, which
appends to the file named by ``$GITHUB_STEP_SUMMARY``.  Escaping follows the
runner's rules for workflow commands: ``%``, CR and LF in the message; those
plus ``:`` and ``,`` in property values.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Mapping, Optional, Sequence

from generator.errors import WheelfixError

logger = logging.getLogger("wheelfix.ghactions")

LEVELS = ("notice", "warning", "error")


class GitHubActionsError(WheelfixError):
    """Bad input to an annotation builder or an unwritable step summary."""


def in_github_actions(env: Optional[Mapping[str, str]] = None) -> bool:
    """Whether we run inside a GitHub Actions job (``GITHUB_ACTIONS=true``)."""
    env = os.environ if env is None else env
    return env.get("GITHUB_ACTIONS", "").lower() == "true"


def escape_data(text: str) -> str:
    """Escape an annotation message so the runner shows it verbatim."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    *,
    file: Optional[str] = None,
    line: Optional[int] = None,
    title: Optional[str] = None,
) -> str:
    """Build ``::warning file=F,line=N,title=T::message``."""
    if level not in LEVELS:
        raise GitHubActionsError(f"annotation level {level!r} is not one of {', '.join(LEVELS)}")
    if line is not None and line < 1:
        raise GitHubActionsError(f"annotation line {line} must be 1 or more")
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
        if line is not None:
            props.append(f"line={line}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level}"
    if props:
        head += " " + ",".join(props)
    return f"{head}::{escape_data(message)}"


def _cell(text: str) -> str:
    # A pipe would end the cell and a newline the row.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown_link(text: str, url: Optional[str]) -> str:
    """``[text](url)``, or the text alone when there is no URL."""
    if not url:
        return _cell(text)
    label = _cell(text).replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url.replace(' ', '%20').replace(')', '%29')})"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, raw_columns: Sequence[int] = ()) -> str:
    """A GitHub-flavoured Markdown table; cells in ``raw_columns`` are already Markdown."""
    for number, row in enumerate(rows, start=1):
        if len(row) != len(headers):
            raise GitHubActionsError(f"table row {number} has {len(row)} cells, the header has {len(headers)}")
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    for row in rows:
        cells = [c if i in raw_columns else _cell(c) for i, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def append_step_summary(markdown: str, env: Optional[Mapping[str, str]] = None) -> Optional[Path]:
    """Append ``markdown`` to ``$GITHUB_STEP_SUMMARY``; return the file, or None when unset."""
    env = os.environ if env is None else env
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        logger.debug("GITHUB_STEP_SUMMARY is not set; no job summary written")
        return None
    path = Path(target)
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(markdown if markdown.endswith("\n") else markdown + "\n")
    except OSError as exc:
        raise GitHubActionsError(
            f"cannot append the job summary to {path} ({exc.strerror or exc})",
            hint="GITHUB_STEP_SUMMARY must name a writable file",
        ) from None
    return path
