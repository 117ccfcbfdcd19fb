"""Writing the site's search bundle: a Pagefind index of the guides, plus its settings.

Pagefind splits the index into chunks by word, so a browser fetches only the
chunks of the words it searches for (and the few results it shows), not one
file holding the whole site: at 2,000 guides the first result shows in a
fraction of the time that loading a full index takes (bench/bench_search.py).

The words are split by the site's own separator (mkdocs.yml ``extra:
wheelfix_search: separator``) before Pagefind sees them, and the browser
splits a query with the same separator, so a pasted error line and a symptom
line break into the same words.  Pagefind is a build-time dependency only
(the ``site`` extra): it ships as a wheel holding its binary.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from pathlib import Path
from typing import Any, List, Mapping, Sequence

from generator.errors import WheelfixError
from generator.site.search import SearchDocument, client_settings

#: The folder of the search bundle, under the site directory.
BUNDLE_DIR = "pagefind"
#: The settings the browser reads before its first search (separator, generic lines).
SETTINGS_FILE = "wheelfix-search.json"
#: Pagefind's ready-made search interfaces: the site has its own box (docs/assets/javascripts/search.js).
_UNUSED = re.compile(r"pagefind-(?:component-|modular-)?ui\.(?:js|css)|pagefind-highlight\.js")


class SearchBundleError(WheelfixError):
    """The search bundle could not be written."""


def separator_setting(extra: Any) -> str:
    """``extra.wheelfix_search.separator`` of mkdocs.yml, or an error naming the setting."""
    settings = extra.get("wheelfix_search") if isinstance(extra, Mapping) else None
    separator = settings.get("separator") if isinstance(settings, Mapping) else None
    if not isinstance(separator, str) or not separator:
        raise SearchBundleError(
            "mkdocs.yml: extra.wheelfix_search.separator: missing; the search splits pasted lines into words with it"
        )
    return separator


def compile_separator(separator: str) -> "re.Pattern[str]":
    """The separator as a regex; a clear error if it is not one (it comes from mkdocs.yml)."""
    try:
        pattern = re.compile(separator)
    except re.error as exc:
        raise SearchBundleError(f"mkdocs.yml: extra.wheelfix_search.separator: not a regular expression ({exc}): {separator!r}") from None
    if pattern.match(""):
        # A separator that matches nothing would split nothing; one that matches "" splits everywhere.
        raise SearchBundleError(f"mkdocs.yml: extra.wheelfix_search.separator: matches the empty string: {separator!r}")
    return pattern


def write_search_bundle(site_dir: Path, docs: Sequence[SearchDocument], separator: str) -> List[Path]:
    """Write ``site_dir/pagefind/``: the index of ``docs`` and the settings; return the files written."""
    pattern = compile_separator(separator)
    out = site_dir / BUNDLE_DIR
    try:
        asyncio.run(_write_index(out, docs, pattern))
    except SearchBundleError:
        raise
    except Exception as exc:  # the Pagefind service reports its failures as plain exceptions
        raise SearchBundleError(f"pagefind could not write the search index to {out}: {exc}") from None
    for unused in out.iterdir():
        if _UNUSED.fullmatch(unused.name):
            unused.unlink()
    settings = out / SETTINGS_FILE
    settings.write_text(json.dumps(client_settings(separator, docs), ensure_ascii=False) + "\n", encoding="utf-8")
    return sorted(p for p in out.rglob("*") if p.is_file())


async def _write_index(out: Path, docs: Sequence[SearchDocument], separator: "re.Pattern[str]") -> None:
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError:
        raise SearchBundleError(
            "the site search needs Pagefind: install the site extra (pip install -e '.[site]')"
        ) from None
    # The index is written when the block exits without an error.
    config: IndexConfig = {"force_language": "en", "write_playground": False, "output_path": str(out)}
    with tempfile.TemporaryDirectory(prefix="wheelfix-search-") as tmp:
        # One folder of pages in one request: the service answers each add_html_file in
        # about 0.1 s, which is minutes at 2,000 guides; a folder of them takes as long as one.
        pages = Path(tmp)
        for doc in docs:
            page = (pages / doc.url / "index.html").resolve()
            if pages.resolve() not in page.parents:
                raise SearchBundleError(f"a guide's URL leaves the site: {doc.url!r}")
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(doc.html(separator), encoding="utf-8")
        async with PagefindIndex(config=config) as index:
            await index.add_directory(path=str(pages))
