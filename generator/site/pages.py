"""The site as data: knowledge base (+ index facts) in, pages and data files out.

Pure: no file or network access and no MkDocs import.  The MkDocs plugin and
``wheelfix export`` both call :func:`generate` and differ only in where the
files go.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Union

from generator.site import api
from generator.kb import modeline
from generator.site import changes
from generator.site import home
from generator.site import readiness as ready
from generator.site import views
from generator.site.packagepage import package_page_view
from generator.kb import KnowledgeBase
from generator.site.render import render
from generator.logs.bundle import bundle_json

#: Site-relative path -> content (text pages, JSON data files).
SiteFiles = Dict[str, Union[str, bytes]]

#: The generated pages that mkdocs.yml's nav refers to.
HOME = "index.md"
SCHEMA = modeline.SCHEMA_PATH


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def generate(
    kb: KnowledgeBase,
    extras: Optional[views.Extras] = None,
    readiness: Optional[ready.ReadinessData] = None,
    facts: Optional[home.HomeFacts] = None,
) -> SiteFiles:
    """Every generated file of the site, keyed by its path under docs/."""
    files: SiteFiles = {}
    files[HOME] = render("home.md.j2", h=home.home_page(kb, facts))
    if extras is not None:
        files[changes.CLAIMS] = _json(changes.claims_payload(kb, extras))
    if facts is not None and facts.flips is not None:
        files[changes.CHANGES] = _json(changes.changes_payload(facts.flips))
    for rec in kb.records:
        page = views.guide_page(rec.incident.id)
        files[page] = render("guide.md.j2", g=views.guide_view(rec.incident, kb, extras))
    files["guides/index.md"] = render("index.md.j2", v=views.guides_index(kb), depth="../")
    files["packages/index.md"] = render("index.md.j2", v=views.packages_index(kb), depth="../")
    files["python/index.md"] = render("index.md.j2", v=views.python_index(kb), depth="../")
    files["platforms/index.md"] = render("index.md.j2", v=views.platforms_index(kb), depth="../")
    for name in views.all_packages(kb):
        files[views.package_page(name)] = render("package.md.j2", p=package_page_view(name, kb, extras, readiness))
    files.update(readiness_pages(kb, readiness))
    files[SCHEMA] = modeline.schema_text()  # the committed schema/incident.json
    files["incidents.json"] = _json(api.incidents_payload(kb))
    files["signatures.json"] = bundle_json(api.signatures_payload(kb), indent=2)
    titles = {r.incident.id: r.incident.title for r in kb.records}
    for name, target in sorted(api.short_links(kb).items()):
        files[f"{views.short_url(name)}index.html"] = render("redirect.html.j2", title=titles[target], target=views.guide_url(target))
    return files


def readiness_pages(kb: KnowledgeBase, data: Optional[ready.ReadinessData]) -> SiteFiles:
    """The readiness index, a page per CPython version and one per environment."""
    files: SiteFiles = {ready.INDEX: render("readiness_index.md.j2", r=ready.index_view(kb, data))}
    for python in ready.site_pythons(data):
        files[ready.python_page(python)] = render("readiness.md.j2", v=ready.python_view(python, kb, data))
    for name, env in kb.environments.items():
        files[ready.environment_page(name)] = render("readiness.md.j2", v=ready.environment_view(name, env, kb, data))
    return files
