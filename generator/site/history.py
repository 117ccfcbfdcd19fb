"""When each record was first committed: the dates behind "new guides" on the home page.

The date of a guide is the author date of the commit that added ``kb/<id>.yaml``
(``git log --diff-filter=A``), so it needs the repository's history.  A KB outside
a git work tree, a shallow clone (where every file looks newly added), a missing
``git`` or a git error all give no dates, and the home page then leaves the list
out rather than show wrong ones.
"""

from __future__ import annotations

import logging
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Dict, List, Optional

logger = logging.getLogger("wheelfix.history")

#: git's output is read up to this size (one short line per added file, plus dates).
MAX_OUTPUT = 8 * 1024 * 1024
#: A git that does not answer in this many seconds is given up on (the build goes on without dates).
TIMEOUT = 60


def _git(kb_dir: Path, args: List[str]) -> Optional[str]:
    try:
        proc = subprocess.run(["git", "-C", str(kb_dir), *args], capture_output=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.info("no record dates: git %s failed: %s", args[0], exc)
        return None
    if proc.returncode != 0 or len(proc.stdout) > MAX_OUTPUT:
        return None
    return proc.stdout.decode("utf-8", "replace")


def added_dates(kb_dir: Path, ids: List[str]) -> Dict[str, date]:
    """Guide id -> the date its record was first committed; {} when the history cannot say."""
    shallow = _git(kb_dir, ["rev-parse", "--is-shallow-repository"])
    if shallow is None or shallow.strip() != "false":
        return {}
    out = _git(kb_dir, ["log", "--diff-filter=A", "--no-renames", "--format=%x00%aI", "--name-only", "--relative", "--", "."])
    if out is None:
        return {}
    wanted = {f"{i}.yaml": i for i in ids}
    found: Dict[str, date] = {}
    for chunk in out.split("\x00")[1:]:
        stamp, _, names = chunk.partition("\n")
        try:
            when = datetime.fromisoformat(stamp.strip()).date()
        except ValueError:
            continue
        for name in names.split("\n"):
            gid = wanted.get(name.strip())
            if gid is not None:
                found[gid] = when  # git log runs newest first: the last one seen is the first commit
    return found
