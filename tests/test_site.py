"""Golden tests of the generated pages, from a fixed fixture knowledge base.

Regenerate the golden files after an intended change with
``WHEELFIX_UPDATE_GOLDEN=1 python -m pytest tests/test_site.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator import kb as kb_mod
from generator.site import pages as site
from generator.site import views

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
UPDATE = os.environ.get("WHEELFIX_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def files() -> site.SiteFiles:
    return site.generate(kb_mod.load(DATA / "kb_valid"))


def test_the_generated_file_set(files: site.SiteFiles) -> None:
    assert sorted(files) == [
        "e/demo-c-headers/index.html",  # a permanent link per id ...
        "e/demo-old-id/index.html",  # ... and per alias, so renamed guides keep their links
        "e/demo-rust-build/index.html",
        "guides/demo-c-headers.md",
        "guides/demo-rust-build.md",
        "guides/index.md",
        "incidents.json",
        "index.md",
        "packages/cdemo.md",
        "packages/demopkg.md",
        "packages/index.md",
        "platforms/index.md",
        "python/index.md",
        # A readiness page per environment and per CPython version (without index data:
        # 3.9 to the site's newest), and their index.
        "readiness/env/alpine.md",
        "readiness/env/examplehost.md",
        "readiness/env/linux-x86_64.md",
        "readiness/index.md",
        "readiness/python/3.10.md",
        "readiness/python/3.11.md",
        "readiness/python/3.12.md",
        "readiness/python/3.13.md",
        "readiness/python/3.14.md",
        "readiness/python/3.9.md",
        "schema/incident.json",
        "signatures.json",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "index.md",  # home page: counts and the list of guides
        "guides/demo-rust-build.md",  # claims, diagnostics table with a pipe, related, tags
        "guides/demo-c-headers.md",  # HTML-looking title is escaped; no python constraint
        "packages/index.md",
        "python/index.md",  # demo-c-headers applies to every version, demo-rust-build from 3.13
        "platforms/index.md",  # facts with sources
        "packages/demopkg.md",  # no index data: says so
    ],
)
def test_golden_page(files: site.SiteFiles, path: str) -> None:
    golden = GOLDEN / path
    content = files[path]
    assert isinstance(content, str)
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(content, encoding="utf-8")
    assert content == golden.read_text(encoding="utf-8")


def test_alias_short_link_redirects_to_the_renamed_guide(files: site.SiteFiles) -> None:
    page = files["e/demo-old-id/index.html"]
    assert isinstance(page, str)
    assert 'content="0; url=../../guides/demo-rust-build/"' in page
    assert 'location.replace("../../guides/demo-rust-build/"' in page


def test_api_files_are_versioned_and_complete(files: site.SiteFiles) -> None:
    incidents = json.loads(files["incidents.json"])
    signatures = json.loads(files["signatures.json"])
    assert incidents["format"] == 1 and signatures["format"] == 2  # 2: regex conditions carry programs
    assert [i["id"] for i in incidents["incidents"]] == ["demo-c-headers", "demo-rust-build"]
    rust = incidents["incidents"][1]
    assert rust["url"] == "guides/demo-rust-build/" and rust["short_url"] == "e/demo-rust-build/"
    assert rust["fixes"][0]["claim"]["requirement"] == "demopkg>=2.0"
    assert {g["id"] for g in signatures["guides"]} == {"demo-c-headers", "demo-rust-build"}


def test_schema_file_is_the_json_schema(files: site.SiteFiles) -> None:
    from generator.kb.records import json_schema

    assert json.loads(files["schema/incident.json"]) == json_schema()


@pytest.mark.parametrize(
    "spec, label",
    [
        ("", "any CPython version"),  # no constraint
        (">=3.13", "CPython 3.13 and newer"),  # open upper end
        ("<3.10", "CPython 3.8 to 3.9"),  # closed range
        ("==3.12.*", "CPython 3.12"),  # one version
        (">=4", "CPython >=4"),  # nothing known matches: show the specifier
    ],
)
def test_python_label(spec: str, label: str) -> None:
    assert views.python_label(spec) == label


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain words", "plain words"),
        ("<stdio.h> & friends", "&lt;stdio.h&gt; &amp; friends"),  # no raw HTML from record text
        ("numpy<2", "numpy&lt;2"),  # Python-Markdown cannot backslash-escape "<": it would show the backslash
        ("a `c` *d* [e] #f", "a \\`c\\` \\*d\\* \\[e\\] \\#f"),  # no accidental code, emphasis, links
        ("two\nlines", "two lines"),  # one line in headings and lists
        ("t {: onfocus=x }", "t \\{: onfocus=x \\}"),  # no attribute list on the heading or item
        ("- not a list", "\\- not a list"),  # a summary paragraph stays a paragraph
        ("!!! not an admonition", "\\!!! not an admonition"),
        ("x.c:3:warning: x", "x.c&#58;3&#58;warning: x"),  # no emoji picture
    ],
)
def test_markdown_escaping(text: str, expected: str) -> None:
    from generator.site.render import md_text

    assert md_text(text) == expected
