"""Every payload in every record field: refused by ``check`` where it stands, or shown without running.

For each payload of tests/data/payloads/payloads.yaml and each text field of a
record or of kb/environments.yaml, either ``wheelfix check`` refuses it with the
file, line, column and field path of the value, or the pages that show the field,
rendered with mkdocs.yml's own Markdown extensions, hold nothing that runs and
show plain text literally.  No site build: the real browser test is
tests/test_browser_payloads.py.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from htmlsafety import executable_constructs, raw_html_safe, render_page, visible_text
from payloadkb import ATTACKS, BENIGN, ENV_FIELDS, PAYLOADS, RECORD_FIELDS, Path_, VALID, dump, environments, fit, payload_kb, put, record

from generator import kb as kb_mod
from generator.kb import safetext
from generator.site import pages as site
from generator.site import home, readiness, views
from generator.kb.environments import InvalidEnvironments, parse_environments
from generator.kb import KnowledgeBase
from generator.site.markup import one_line
from generator.kb.records import LoadedRecord, parse_record
from generator.site.render import render
from generator.kb.yamldoc import format_path

RECORD_FILE = "kb/demo-rust-build.yaml"
ENV_FILE = "kb/environments.yaml"
#: Fields no page shows (python_from feeds `wheelfix audit`); only their safety is judged.
_NOT_SHOWN = {("environments", 0, "python_from", 0)}


def _position(text: str, path: Path_) -> Tuple[int, int]:
    """Where the value at ``path`` starts in ``text``, found independently of generator.kb.yamldoc."""
    node = yaml.compose(text)
    for part in path:
        if isinstance(part, int):
            node = node.value[part]
        else:
            node = next(v for k, v in node.value if k.value == part)
    return node.start_mark.line + 1, node.start_mark.column + 1


def _kb(incident: Any, env_text: str) -> KnowledgeBase:
    environments_ = parse_environments(env_text, ENV_FILE)
    other, errors = parse_record((VALID / "demo-c-headers.yaml").read_text(encoding="utf-8"), "kb/demo-c-headers.yaml", "demo-c-headers")
    assert not errors and other is not None
    records = (LoadedRecord(Path(RECORD_FILE), RECORD_FILE, incident), LoadedRecord(Path("kb/demo-c-headers.yaml"), "kb/demo-c-headers.yaml", other))
    return KnowledgeBase(VALID, tuple(sorted(records, key=lambda r: r.incident.id)), environments_)


#: The list pages that show a field besides the guide page.
_ALSO_ON = {("title",): "home"}


def _pages(kb: KnowledgeBase, incident_id: str, path: Path_) -> List[Tuple[str, str]]:
    """(name, Markdown source) of the pages that show the field at ``path``."""
    by_id = {r.incident.id: r.incident for r in kb.records}
    pages = [("guide", render("guide.md.j2", g=views.guide_view(by_id[incident_id], kb)))]
    if _ALSO_ON.get(path) == "home":
        pages.append(("home", render("home.md.j2", h=home.home_page(kb))))
    if path[0] == "environments":
        pages.append(("platforms", render("index.md.j2", v=views.platforms_index(kb), depth="../")))
        for name, env in kb.environments.items():
            pages.append((f"readiness {name}", render("readiness.md.j2", v=readiness.environment_view(name, env, kb, None))))
    return pages


def _template_constructs(name: str) -> List[str]:
    """The active HTML a page's own template holds, whatever the records say: the home page's
    search form, paste box and scripts.  A record may add nothing to it, so pages are compared
    with it element by element, in order."""
    if name not in ("home", "index.md"):
        return []
    return executable_constructs(render_page(render("home.md.j2", h=home.home_page(kb_mod.load(VALID))))[1])


def _assert_harmless(pages: List[Tuple[str, str]]) -> Dict[str, str]:
    """Every page is safe; returns each page's visible text."""
    shown = {}
    for name, source in pages:
        meta, body = render_page(source)
        found = executable_constructs(body)
        assert found == _template_constructs(name), f"the {name} page holds {found}:\n{body}"
        for key in ("title", "description"):
            if key in meta:
                assert raw_html_safe(str(meta[key])), f"front matter {key} {meta[key]!r} would end MkDocs Material's HTML"
        shown[name] = visible_text(body)
    return shown


FIELDS = [pytest.param("record", path, kind, id=format_path(path)) for path, kind in RECORD_FIELDS] + [
    pytest.param("env", path, kind, id=format_path(path)) for path, kind in ENV_FIELDS
]


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("where, path, kind", FIELDS)
def test_payload_is_refused_or_harmless(where: str, path: Path_, kind: str, payload: str) -> None:
    value = fit(path, PAYLOADS[payload])
    if where == "record":
        record_text, env_text = dump(put(record(), path, value)), (VALID / "environments.yaml").read_text(encoding="utf-8")
        incident, errors = parse_record(record_text, RECORD_FILE, "demo-rust-build")
        text, file = record_text, RECORD_FILE
    else:
        record_text = (VALID / "demo-rust-build.yaml").read_text(encoding="utf-8")
        env_text = dump(put(environments(), path, value))
        incident, _ = parse_record(record_text, RECORD_FILE, "demo-rust-build")
        try:
            parse_environments(env_text, ENV_FILE)
            errors = []
        except InvalidEnvironments as exc:
            errors = exc.errors
        text, file = env_text, ENV_FILE

    if errors:
        line, col = _position(text, path)
        formatted = [e.format() for e in errors]
        assert all(e.field == format_path(path) for e in errors), formatted
        assert all((e.file, e.line, e.col) == (file, line, col) for e in errors), formatted
        assert all(e.message for e in errors)
        if kind == "plain":
            # Plain text refuses only what no page can show honestly.
            assert safetext.plain_findings(value), f"plain field {format_path(path)} refused {value!r}: {formatted}"
        return

    assert kind in ("plain", "markdown") or payload in BENIGN, f"{format_path(path)} accepted {value!r}"
    assert incident is not None
    shown = _assert_harmless(_pages(_kb(incident, env_text), incident.id, path))
    if kind == "plain" and path not in _NOT_SHOWN:
        page = "guide" if where == "record" else "platforms"
        assert one_line(value) in shown[page], f"{format_path(path)} = {value!r} is not shown literally:\n{shown[page]}"


#: Attacks that a Markdown field accepts, because there they are only text: inside code,
#: entities that show as characters, or quotes with no attribute to end.
_TEXT_IN_MARKDOWN = {
    "attribute-handler",  # no attribute context in rendered Markdown
    "code-span-breaker",  # the tag is inside a code span
    "double-backtick-breaker",
    "entities",  # &lt; shows "<"
    "numeric-entities",
    "fence-breaker",  # the tag is inside a fenced block
    "fence-breaker-long",
    "tilde-fence-breaker",
    "url-javascript",  # prose, not a link
}


@pytest.mark.parametrize("payload", sorted(ATTACKS))
def test_markdown_rule_refuses_every_attack_outside_code(payload: str) -> None:
    found = safetext.markdown_findings(ATTACKS[payload])
    if payload in _TEXT_IN_MARKDOWN:
        assert not found, [f.message for f in found]
    else:
        assert found, f"{ATTACKS[payload]!r} passes the Markdown rule"


@pytest.mark.parametrize("payload", sorted(BENIGN))
def test_benign_text_passes_every_plain_field(payload: str) -> None:
    for path, kind in RECORD_FIELDS:
        if kind == "plain":
            _, errors = parse_record(dump(put(record(), path, fit(path, BENIGN[payload]))), RECORD_FILE, "demo-rust-build")
            assert not errors, [e.format() for e in errors]


def test_a_whole_site_of_accepted_payloads_is_harmless(tmp_path: Path) -> None:
    def accepted(path: Path_, text: str) -> bool:
        kind = dict(RECORD_FIELDS + ENV_FIELDS)[path]
        return not (safetext.plain_findings(text) if kind == "plain" else safetext.markdown_findings(text))

    ids = payload_kb(tmp_path / "kb", accepted)
    assert len(ids) >= len(PAYLOADS) - 5, "most payloads should make it into titles"
    knowledge = kb_mod.load(tmp_path / "kb")
    files = site.generate(knowledge)
    # The home page lists a few guides per family; the guides index lists every title.
    listing = ""
    for name, content in sorted(files.items()):
        assert isinstance(content, str)
        if name.endswith(".md"):
            meta, body = render_page(content)
            assert executable_constructs(body) == _template_constructs(name), (name, executable_constructs(body))
            assert all(raw_html_safe(str(meta[k])) for k in ("title", "description") if k in meta), (name, meta)
            listing = visible_text(body) if name == "guides/index.md" else listing
        elif name.endswith(".html"):
            # The short-link pages are HTML: they hold exactly what the template holds for a plain title.
            assert executable_constructs(content) == executable_constructs(render("redirect.html.j2", title="x", target="guides/x/")), name
        else:
            json.loads(content)
    for rid, payload in ids.items():
        assert one_line(fit(("title",), PAYLOADS[payload])) in listing, (rid, payload)
        guide = files[views.guide_page(rid)]
        assert isinstance(guide, str)
        meta, _ = render_page(guide)
        assert html.unescape(meta["title"]) == one_line(fit(("title",), PAYLOADS[payload]))
