"""What the static host needs beyond the built files: short-link routes.

Each short link ``/e/<name>/`` (a guide's id or one of its aliases) has a
redirect page in the built site; the host also answers it with a real
redirect, so that links work without the page's script or refresh.  The
routes are generated from the KB, never written by hand: ``render.yaml``
holds them between two marker comments, rewritten by
``python -m generator.site.deploy render.yaml`` and checked by the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from generator.kb import KnowledgeBase
from generator.site import views
from generator.site.api import short_links

BEGIN = "    # BEGIN short-link routes: generated from kb/ by `python -m generator.site.deploy render.yaml`"
END = "    # END short-link routes"


class RoutesBlockMissing(ValueError):
    """render.yaml lacks the marker comments the routes go between."""


def short_link_routes(kb: KnowledgeBase) -> List[Tuple[str, str]]:
    """(source, destination) of every short link, sorted by source; both are site-absolute paths."""
    return sorted((f"/{views.short_url(name)}", f"/{views.guide_url(target)}") for name, target in short_links(kb).items())


def routes_block(kb: KnowledgeBase) -> str:
    """The YAML lines of the routes, indented for a service in render.yaml, markers included."""
    lines = [BEGIN]
    for source, destination in short_link_routes(kb):
        # Ids and aliases are slugs ([a-z0-9-]), so the paths need no YAML quoting.
        lines += ["    - type: redirect", f"      source: {source}", f"      destination: {destination}"]
    lines.append(END)
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str) -> str:
    """``text`` with the lines from BEGIN to END replaced by ``block``."""
    start = text.find(BEGIN + "\n")
    end = text.find(END + "\n", start + 1)
    if start < 0 or end < 0:
        raise RoutesBlockMissing(f"render.yaml needs the lines {BEGIN.strip()!r} and {END.strip()!r} under `routes:`")
    return text[:start] + block + text[end + len(END) + 1:]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Rewrite the routes block of the given render.yaml from ./kb (or $WHEELFIX_KB)."""
    import os

    from generator import kb as kb_mod

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m generator.site.deploy RENDER_YAML", file=sys.stderr)
        return 2
    path = Path(args[0])
    knowledge = kb_mod.load(Path(os.environ.get("WHEELFIX_KB", "kb")))
    text = path.read_text(encoding="utf-8")
    new = replace_block(text, routes_block(knowledge))
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"{path}: short-link routes updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
