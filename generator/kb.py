"""The knowledge base as a whole: records plus environments, checked together.

Records and environments are validated by their own modules; this module adds
the checks that need both (every ``affects.platforms`` name must be defined in
``kb/environments.yaml``) and is what the CLI and the plugin load.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from generator.environments import Environment, InvalidEnvironments, load_environments
from generator.errors import WheelfixError
from generator.records import LoadedRecord, RecordError, check_kb, unreadable_error
from generator.safefile import UnreadableFile

ENVIRONMENTS_FILE = "environments.yaml"


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
    environments: Dict[str, Environment] = {}
    try:
        environments = load_environments(kb_dir / ENVIRONMENTS_FILE, root=kb_dir)
    except InvalidEnvironments as exc:
        errors.extend(exc.errors)
    except UnreadableFile as exc:
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
