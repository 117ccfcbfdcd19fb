"""The editor's schema: a committed JSON Schema file and the modeline naming it.

Every record starts with a yaml-language-server modeline::

    # yaml-language-server: $schema=../schema/incident.json

so that VS Code (the YAML extension) and other editors using yaml-language-server
validate and complete the record while it is typed.  The path is relative to the
record, so it works in any checkout, offline and in a pull request that changes
the format.  ``schema/incident.json`` is generated from the single declaration of
the format (:func:`generator.kb.records.json_schema`), committed next to ``kb/``
and kept current by ``wheelfix bundle`` (a test fails when it is stale).  The
site publishes the same text at ``/schema/incident.json``.

``wheelfix check`` reports a missing or wrong modeline at line 1 of the record;
``wheelfix check --fix-modeline`` writes it, touching only the first line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import List, Optional

from generator import safefile
from generator.kb.records import RecordError, display_path, json_schema, record_paths

#: The schema file, relative to the folder that holds kb/.
SCHEMA_PATH = "schema/incident.json"
_KEY = "# yaml-language-server:"
#: A first line that is meant as a modeline (spacing aside), so a fix replaces it.
_MEANT = re.compile(r"#\s*yaml-language-server\s*:")
#: The first line of every record (records sit directly in kb/).
MODELINE = f"{_KEY} $schema=../{SCHEMA_PATH}"
_FIX = "run `wheelfix check --fix-modeline` to write it"
#: Larger files are refused by the record checks, and left alone here.
_MAX_BYTES = 512 * 1024


def schema_text() -> str:
    """The JSON Schema file's content, as committed and as the site publishes it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def schema_file(kb_dir: Path) -> Path:
    """Where the modeline of a record in ``kb_dir`` points."""
    return kb_dir.parent / SCHEMA_PATH


def problem(text: str, display: str) -> Optional[RecordError]:
    """Why the first line of a record's ``text`` is not :data:`MODELINE`, or None."""
    first = text.split("\n", 1)[0].rstrip("\r")
    if first == MODELINE:
        return None
    if _MEANT.match(first):
        shown = first if len(first) <= 120 else first[:120] + "..."
        message = f"the schema modeline is {shown!r}; expected {MODELINE!r} ({_FIX})"
    else:
        message = f"the first line must be the editor's schema modeline {MODELINE!r} ({_FIX})"
    return RecordError(display, 1, 1, "", message)


def with_modeline(text: str) -> str:
    """``text`` with :data:`MODELINE` as its first line: a modeline replaced, otherwise one added."""
    first, sep, rest = text.partition("\n")
    end = "\r\n" if first.endswith("\r") else "\n"  # the file's own line ends
    if _MEANT.match(first):
        return MODELINE + end + rest if sep else MODELINE + "\n"
    return MODELINE + end + text


def _first_lines(kb_dir: Path) -> List["tuple[Path, str, str]"]:
    """(path, display, text) of each readable record (unreadable ones are reported by the record checks)."""
    found = []
    for path in record_paths(kb_dir):
        display = display_path(path, kb_dir)
        try:
            text = safefile.read_text(path, limit=_MAX_BYTES, root=kb_dir, display=display)
        except safefile.UnreadableFile:
            continue
        found.append((path, display, text))
    return found


def check(kb_dir: Path) -> List[RecordError]:
    """A problem for every record of ``kb_dir`` whose first line is not :data:`MODELINE`."""
    problems = (problem(text, display) for _path, display, text in _first_lines(kb_dir))
    return [p for p in problems if p is not None]


def fix(kb_dir: Path) -> List[Path]:
    """Write :data:`MODELINE` into every record lacking it; the files changed.

    Only the first line changes, so a fix merges cleanly with any other edit.
    """
    changed = []
    for path, display, text in _first_lines(kb_dir):
        if problem(text, display) is None:
            continue
        tmp = path.with_name(path.name + ".modeline.tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as out:  # keep the file's own line ends
            out.write(with_modeline(text))
        tmp.replace(path)
        changed.append(path)
    return changed
