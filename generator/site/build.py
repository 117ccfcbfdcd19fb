"""One site build, as the plugin and ``wheelfix export`` run it.

Loads the KB (raising with every record problem), fetches index data when
asked, verifies claims, and returns the generated files.  This is the only
place that combines I/O with the pure core, so both adapters behave the same.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from generator import kb as kb_mod
from generator import safefile
from generator.site import changes, history
from generator.site.home import Flip, HomeFacts
from generator.site import pages as site
from generator.site import views
from generator.site import readiness_facts, verify
from generator.site.factcache import FactCache
from generator.site.readiness import ReadinessData
from generator.site.verify import VerificationFailed

logger = logging.getLogger("wheelfix.build")


@dataclass(frozen=True)
class BuildOptions:
    kb_dir: Path
    index: bool = True
    index_url: Optional[str] = None
    offline: bool = False
    max_age: int = 3600
    strict: bool = True
    #: The previous build's claims.json, to list the claims that flipped since.
    previous_claims: Optional[Path] = None


def build_files(options: BuildOptions) -> site.SiteFiles:
    """Every generated file; raises a WheelfixError (with all problems) on bad input."""
    knowledge = kb_mod.load(options.kb_dir)
    added = history.added_dates(options.kb_dir, [r.incident.id for r in knowledge.records])
    if not options.index:
        return site.generate(knowledge, facts=HomeFacts(added))
    extras, readiness = extras_for_site(knowledge, options)
    flipped = None
    if options.previous_claims is not None:
        flipped = _flips(options.previous_claims, changes.claims_payload(knowledge, extras))
    return site.generate(knowledge, extras, readiness, HomeFacts(added, flipped))


def _flips(path: Path, current: Dict[str, Any]) -> Tuple[Flip, ...]:
    """The claims that flipped since the build that wrote ``path``; raises on a bad file."""
    shown = safefile.shown(path)
    text = safefile.read_text(path, limit=changes.MAX_BYTES)
    try:
        previous = json.loads(text)
    except ValueError as exc:
        raise changes.BadClaimsFile(f"{shown}: not JSON: {exc}", hint="pass the claims.json of a previous wheelfix build") from None
    return changes.flips(previous, current, shown)


def extras_for_site(knowledge: kb_mod.KnowledgeBase, options: BuildOptions) -> Tuple[views.Extras, ReadinessData]:
    """What a site build adds to pages; raises :class:`VerificationFailed` when strict."""
    from datetime import timedelta

    from generator.index.client import IndexClient

    client = IndexClient(options.index_url, offline=options.offline, max_age=timedelta(seconds=options.max_age))
    found = verify.collect(knowledge, client, FactCache.beside(client.cache_dir))
    report = verify.extras(knowledge, found)
    report.problems[:0] = found.problems
    if report.problems:
        if options.strict:
            raise VerificationFailed(report.problems)
        for problem in report.problems:
            logger.warning("%s", problem)
    return report.extras, readiness_facts.from_facts(knowledge, found.packages, found.pages)
