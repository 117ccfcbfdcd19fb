"""The real site: a strict MkDocs build of kb/, its search index, and export parity."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from typing import Iterator

import pytest

from indexserver import IndexServer
from sitebuild import ROOT, kb_config, mkdocs, plain_config

TIKTOKEN = "tiktoken-cargo-read-only-filesystem"
# The general guide for cargo's read-only CARGO_HOME error: a bare error line (no package
# named) finds it first; the tiktoken guide is the specific one, for logs naming tiktoken.
READ_ONLY = "cargo-read-only-filesystem"


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


# --- search: pasting a real error line must find its guide --------------------------------


def _search_config(built: Path) -> tuple[re.Pattern[str], list[dict[str, str]]]:
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    # lunr uses the separator as a JavaScript regex; this one is valid in both languages.
    return re.compile(index["config"]["separator"]), index["docs"]


def _clean_query(query: str) -> str:
    """The query after docs/assets/javascripts/search-paste.js, run under node."""
    script = ROOT / "docs" / "assets" / "javascripts" / "search-paste.js"
    code = f"process.stdout.write(require({json.dumps(str(script))}).clean({json.dumps(query)}))"
    proc = subprocess.run(["node", "-e", code], capture_output=True, text=True, check=True)
    return proc.stdout


def _tokens(separator: re.Pattern[str], text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text)
    return [t.lower() for t in separator.split(text) if t]


def _lexes_cleanly(query: str) -> bool:
    """What lunr's QueryLexer treats as syntax: field ':', boost '^', edit distance '~', wildcard '*'."""
    return not re.search(r"[:^~*]|(^|\s)[+-]", query)


@pytest.mark.parametrize(
    "query, verbatim",
    [
        ("error: failed to create directory `/usr/local/cargo/registry/cache`", True),  # colon, backticks, slashes
        ("Read-only file system (os error 30)", True),  # parentheses, hyphen
        ("Caused by: Read-only file system (os error 30)", False),  # the seed's line: words the guide lacks only rank lower
        ('error: failed to create directory "/usr/local/cargo/registry/cache"', False),  # quotes instead of backticks
    ],
)
def test_pasted_error_line_finds_its_guide(built: Path, query: str, verbatim: bool) -> None:
    if subprocess.run(["node", "--version"], capture_output=True).returncode != 0:
        pytest.skip("node is needed to run the search shim")
    separator, docs = _search_config(built)
    cleaned = _clean_query(query)
    assert _lexes_cleanly(cleaned), cleaned
    terms = _tokens(separator, cleaned)
    assert len(terms) >= 3

    def score(doc: dict[str, str]) -> float:
        words = set(_tokens(separator, doc["title"] + " " + doc["text"]))
        return sum(1 for t in terms if t in words) * float(doc.get("boost", 1))

    guide_docs = [d for d in docs if d["location"].startswith(f"guides/{READ_ONLY}/")]
    assert guide_docs, "the guide is not in the search index"
    best = max(docs, key=score)
    if verbatim:
        assert all(t in set(_tokens(separator, " ".join(d["title"] + " " + d["text"] for d in guide_docs))) for t in terms)
    assert best["location"].startswith(f"guides/{READ_ONLY}/"), (best["location"], terms)


def test_search_separator_splits_error_punctuation(built: Path) -> None:
    separator, _ = _search_config(built)
    assert _tokens(separator, "`/usr/local/cargo/registry/cache`") == ["usr", "local", "cargo", "registry", "cache"]
    assert _tokens(separator, "(os error 30)") == ["os", "error", "30"]
    assert _tokens(separator, "Python.h: No") == ["python", "h", "no"]


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
