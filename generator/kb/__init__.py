"""The knowledge base as a whole: records plus environments, checked together.

Records and environments are validated by their own modules; this module adds
the checks that need both (every ``affects.platforms`` name must be defined in
``kb/environments.yaml``) and those of the folder's layout (no records in
subfolders, samples that are plain files), and is what the CLI and the plugin load.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from generator import safefile
from generator.kb.environments import Environment, InvalidEnvironments, load_environments
from generator.errors import WheelfixError
from generator.kb.records import LoadedRecord, RecordError, check_kb, display_path, unreadable_error

ENVIRONMENTS_FILE = "environments.yaml"
#: The one subfolder of kb/: real log excerpts, kb/samples/<id>/.
SAMPLES_DIR = "samples"
#: A sample is an excerpt of a log, not a whole one.
_MAX_SAMPLE_BYTES = 1024 * 1024


class InvalidKnowledgeBase(WheelfixError):
    """The KB has problems; ``errors`` lists every one, in file and line order."""

    exit_code = 1
    multiline = True

    def __init__(self, errors: List[RecordError]) -> None:
        self.errors = errors
        n = len(errors)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} in the knowledge base:\n" + "\n".join(e.format() for e in errors),
            hint="fix the records named above; docs/contributing.md describes the format",
        )


@dataclass(frozen=True)
class KnowledgeBase:
    """Every valid record, in id order, and the named environments."""

    root: Path
    records: Tuple[LoadedRecord, ...]
    environments: Dict[str, Environment]


def check(kb_dir: Path) -> Tuple[KnowledgeBase, List[RecordError]]:
    """Load everything under ``kb_dir`` and return it with every problem found."""
    records, errors = check_kb(kb_dir)
    errors.extend(_folder_problems(kb_dir))
    environments: Dict[str, Environment] = {}
    try:
        environments = load_environments(kb_dir / ENVIRONMENTS_FILE, root=kb_dir)
    except InvalidEnvironments as exc:
        errors.extend(exc.errors)
    except safefile.UnreadableFile as exc:
        errors.append(unreadable_error(exc))
    if environments:
        errors.extend(_check_platform_names(records, environments))
    errors.sort(key=lambda e: (e.file, e.line, e.col))
    ordered = tuple(sorted(records, key=lambda r: r.incident.id))
    return KnowledgeBase(kb_dir, ordered, environments), errors


def load(kb_dir: Path) -> KnowledgeBase:
    """Load the KB; raise :class:`InvalidKnowledgeBase` listing every problem if any."""
    kb, errors = check(kb_dir)
    if errors:
        raise InvalidKnowledgeBase(errors)
    return kb


def _folder_problems(kb_dir: Path) -> List[RecordError]:
    """Files in kb/ that are never loaded and must not sit there silently.

    A record in a subfolder would be skipped, so it is refused.  Sample files
    must be regular files inside kb/ (tests and readers open them): no links
    out, no FIFOs or devices, no huge files.
    """
    errors: List[RecordError] = []
    for top, dirs, files in os.walk(kb_dir):  # links to folders are listed, not followed
        folder = Path(top)
        if folder == kb_dir:
            continue
        if folder.relative_to(kb_dir).parts[0] != SAMPLES_DIR:
            for name in sorted(n for n in files if n.lower().endswith((".yaml", ".yml"))):
                message = f"records live directly in kb/, not in a subfolder (only kb/{SAMPLES_DIR}/ has them); move it to kb/{safefile.shown(name)}"
                errors.append(RecordError(display_path(folder / name, kb_dir), 1, 1, "", message))
            continue
        for name in sorted(files) + sorted(dirs):
            path, display = folder / name, display_path(folder / name, kb_dir)
            try:
                if name in files:
                    safefile.check_file(path, limit=_MAX_SAMPLE_BYTES, root=kb_dir, display=display)
                elif not safefile.is_inside(path, kb_dir):
                    raise safefile.UnreadableFile(display, "leads outside kb/ (through a symbolic link)")
            except safefile.UnreadableFile as exc:
                errors.append(unreadable_error(exc, "the sample"))
    return errors


def _check_platform_names(records: List[LoadedRecord], environments: Dict[str, Environment]) -> List[RecordError]:
    errors: List[RecordError] = []
    known = sorted(environments)
    for rec in records:
        for i, name in enumerate(rec.incident.affects.platforms):
            if name not in environments:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known names: {', '.join(known)}"
                line, col = rec.positions.of(("affects", "platforms", i))
                errors.append(
                    RecordError(rec.display, line, col, f"affects.platforms[{i}]", f"unknown platform or environment {name!r}; {hint} (names are defined in kb/{ENVIRONMENTS_FILE})")
                )
    return errors
