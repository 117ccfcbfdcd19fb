"""One site build, as the plugin and ``wheelfix export`` run it.

Loads the KB (raising with every record problem), fetches index data when
asked, verifies claims, and returns the generated files.  This is the only
place that combines I/O with the pure core, so both adapters behave the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from generator import kb as kb_mod
from generator.site import pages as site
from generator.site import views
from generator.site.factcache import FactCache
from generator.site.verify import VerificationFailed, verify_kb

logger = logging.getLogger("wheelfix.build")


@dataclass(frozen=True)
class BuildOptions:
    kb_dir: Path
    index: bool = True
    index_url: Optional[str] = None
    offline: bool = False
    max_age: int = 3600
    strict: bool = True


def build_files(options: BuildOptions) -> site.SiteFiles:
    """Every generated file; raises a WheelfixError (with all problems) on bad input."""
    knowledge = kb_mod.load(options.kb_dir)
    extras = None
    if options.index:
        extras = extras_for_site(knowledge, options)
    return site.generate(knowledge, extras)


def extras_for_site(knowledge: kb_mod.KnowledgeBase, options: BuildOptions) -> views.Extras:
    """What a site build adds to pages; raises :class:`VerificationFailed` when strict."""
    from datetime import timedelta

    from generator.index.client import IndexClient

    client = IndexClient(options.index_url, offline=options.offline, max_age=timedelta(seconds=options.max_age))
    report = verify_kb(knowledge, client, FactCache.beside(client.cache_dir))
    if report.problems:
        if options.strict:
            raise VerificationFailed(report.problems)
        for problem in report.problems:
            logger.warning("%s", problem)
    return report.extras
