"""The real site: a strict MkDocs build of kb/, its search index, and export parity."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typing import Iterator

import pytest

from indexserver import IndexServer
from sitebuild import ROOT, kb_config, mkdocs, plain_config

TIKTOKEN = "tiktoken-cargo-read-only-filesystem"


@pytest.fixture(scope="module")
def site_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment for a site build: the recorded index on 127.0.0.1 and a fresh cache."""
    with IndexServer() as server:
        yield {"PIP_INDEX_URL": server.index_url, "WHEELFIX_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, site_env: dict[str, str]) -> Path:
    site = tmp_path_factory.mktemp("site")
    proc = mkdocs(ROOT / "mkdocs.yml", site, env=site_env)
    assert proc.returncode == 0, proc.stderr
    return site


def test_strict_build_produces_every_guide(built: Path) -> None:
    ids = [p.stem for p in (ROOT / "kb").glob("*.yaml") if p.name != "environments.yaml"]
    assert ids
    for record_id in ids:
        assert (built / "guides" / record_id / "index.html").is_file(), record_id
    assert (built / "schema" / "incident.json").is_file()
    assert json.loads((built / "schema" / "incident.json").read_text())["additionalProperties"] is False


def test_an_invalid_record_fails_the_build_with_the_check_message(tmp_path: Path, site_env: dict[str, str]) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    for p in (ROOT / "kb").glob("*.yaml"):
        text = p.read_text(encoding="utf-8")
        (kb / p.name).write_text(text.replace("summary:", "sumary:", 1) if p.stem == TIKTOKEN else text, encoding="utf-8")
    proc = mkdocs(kb_config(tmp_path, kb), tmp_path / "site", env=site_env)
    assert proc.returncode != 0
    line = next(n for n, text in enumerate((kb / f"{TIKTOKEN}.yaml").read_text().splitlines(), 1) if text.startswith("sumary:"))
    assert f"kb/{TIKTOKEN}.yaml:{line}:1: sumary: unknown field 'sumary'; did you mean 'summary'?" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- search: the site ships its Pagefind bundle, not Material's index ------------------------


def test_the_site_ships_the_search_bundle(built: Path) -> None:
    # Which words and lines are indexed, and how a query finds them: tests/test_search*.py.
    bundle = built / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-entry.json").is_file()
    settings = json.loads((bundle / "wheelfix-search.json").read_text(encoding="utf-8"))
    assert settings["guides"] == len(list((ROOT / "kb").glob("*.yaml"))) - 1  # all but environments.yaml
    assert len(list((bundle / "fragment").iterdir())) == settings["guides"]
    assert not (built / "search" / "search_index.json").exists()


# --- no external requests ------------------------------------------------------------------

# Tags whose URL the browser fetches.  <link rel="canonical"> (from site_url) is not fetched.
_RESOURCE = re.compile(r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["']([^"']+)["']""", re.I)
_LINK = re.compile(r"""<link\b([^>]*)>""", re.I)
_FETCHED_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "manifest", "apple-touch-icon"}


def _fetched_urls(html: str) -> list[str]:
    urls = _RESOURCE.findall(html)
    for attrs in _LINK.findall(html):
        rel = re.search(r"""\brel=["']([^"']+)["']""", attrs)
        href = re.search(r"""\bhref=["']([^"']+)["']""", attrs)
        if rel and href and set(rel.group(1).lower().split()) & _FETCHED_RELS:
            urls.append(href.group(1))
    return urls


def test_pages_make_no_external_requests(built: Path) -> None:
    external = set()
    for page in built.rglob("*.html"):
        for url in _fetched_urls(page.read_text(encoding="utf-8")):
            if re.match(r"^(https?:)?//", url):
                external.add((page.relative_to(built).as_posix(), url))
    assert not external, sorted(external)[:5]
    css = "".join(p.read_text(encoding="utf-8", errors="replace") for p in built.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


# --- export parity -------------------------------------------------------------------------


def test_export_produces_the_same_pages_as_the_plugin(built: Path, tmp_path: Path, site_env: dict[str, str]) -> None:
    from generator.cli import main

    exported = tmp_path / "exported"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in site_env.items():
            mp.setenv(key, value)
        assert main(["export", str(exported), "--kb", str(ROOT / "kb")]) == 0
    config = plain_config(tmp_path, extra_docs=exported)
    plain_site = tmp_path / "plain-site"
    proc = mkdocs(config, plain_site)
    assert proc.returncode == 0, proc.stderr
    pages = sorted(p.relative_to(built) for p in (built / "guides").rglob("index.html"))
    assert pages
    pages += sorted(p.relative_to(built) for p in (built / "packages").rglob("index.html"))
    for rel in pages + [Path("index.html")]:
        assert (plain_site / rel).read_text(encoding="utf-8") == (built / rel).read_text(encoding="utf-8"), rel


def test_no_markdown_extension_syntax_is_left_unrendered(built: Path) -> None:
    # An admonition or collapsible block whose extension is missing from mkdocs.yml
    # shows up as a literal "!!! note" or "??? info" paragraph.
    leftovers = []
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for marker in ("<p>!!! ", "<p>??? ", "<p>???+ "):
            if marker in html:
                leftovers.append((page.relative_to(built).as_posix(), marker))
    assert not leftovers, leftovers
