"""The site's JSON API: ``incidents.json`` (format 1) and ``signatures.json`` (format 2).

Both are documented in docs/api.md and versioned by their ``format`` field: a
change that removes or renames a field bumps it.  Pure: no I/O.
"""

from __future__ import annotations

from typing import Any, Dict, List

from generator.site import views
from generator.kb import KnowledgeBase
from generator.kb.records import Incident

FORMAT = 1


def guide_entry(incident: Incident) -> Dict[str, Any]:
    """One guide as the matchers (CLI, browser, audit) need it."""
    return {
        "id": incident.id,
        "title": incident.title,
        "summary": " ".join(incident.summary.split()),
        "url": views.guide_url(incident.id),
        "short_url": views.short_url(incident.id),
        "fix": views.first_fix_line(incident),
        "packages": list(incident.packages),
        "python": incident.affects.python,
        "platforms": list(incident.affects.platforms),
        "versions": dict(incident.affects.packages),
        "build_requires": list(incident.build_requires),
        "signatures": [
            {"package": s.package, "match": [c.model_dump(exclude_none=True) for c in s.match]} for s in incident.signatures
        ],
    }


def signatures_payload(kb: KnowledgeBase) -> Dict[str, Any]:
    """signatures.json: what ``wheelfix explain`` and the paste page match with."""
    from generator.logs.bundle import bundle_from_guides

    return bundle_from_guides([guide_entry(r.incident) for r in kb.records])


def incidents_payload(kb: KnowledgeBase) -> Dict[str, Any]:
    """incidents.json: every record as data, with its URLs."""
    incidents: List[Dict[str, Any]] = []
    for rec in kb.records:
        data = rec.incident.model_dump(mode="json")
        data["url"] = views.guide_url(rec.incident.id)
        data["short_url"] = views.short_url(rec.incident.id)
        incidents.append(data)
    return {"format": FORMAT, "incidents": incidents}


def short_links(kb: KnowledgeBase) -> Dict[str, str]:
    """Every id and alias -> the id of the guide it leads to."""
    links: Dict[str, str] = {}
    for rec in kb.records:
        for name in [rec.incident.id, *rec.incident.aliases]:
            links[name] = rec.incident.id
    return links
