"""Escaping by context and the Markdown sanitiser (generator/site/markup.py), without building a site.

Each escape is checked as a property over every payload of the corpus and every
text of the real and fixture records: rendered the way MkDocs renders it
(mkdocs.yml's extensions), the text comes back exactly and nothing else appears.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import List

import pytest
import yaml

from htmlsafety import executable_constructs, raw_html_safe, render_page, visible_text
from payloadkb import PAYLOADS

from generator.kb.safetext import plain_findings
from generator.site.markup import front_matter, markdown_cell_html, markdown_html, md_code, md_fence, md_text, md_url, one_line, sanitise

ROOT = Path(__file__).resolve().parent.parent
TRICKY = [
    "a`b", "``x``", "`", "` x `", "ends with `", "`starts", "\\`", "back\\slash\\", "x | y", "&amp; &lt;", "*a* _b_ [c](d) #e",
    "{: #id .class k=v }", "!!! note", "??? note", "~~~", "- item", "1. item", "12) item", "+ x", "> quote", ":smile:",
    "https://example.org/", "<https://example.org/>", "a  double  space", "tab\there", "trailing   ",
]


def _record_texts() -> List[str]:
    """Every string of every record and environments file in kb/ and the fixture KB."""
    out: List[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted((ROOT / "kb").glob("*.yaml")) + sorted((ROOT / "tests" / "data" / "kb_valid").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


TEXTS = sorted(set(list(PAYLOADS.values()) + TRICKY + _record_texts()))


#: What can reach a page: check refuses control characters in every field.
SHOWN = [t for t in TEXTS if not plain_findings(t)]


def _body(markdown_source: str) -> str:
    # Generated pages start with front matter, so no first line is read as metadata.
    return render_page("---\ntitle: t\n---\n\n" + markdown_source)[1]


@pytest.mark.parametrize("text", SHOWN)
def test_md_text_reads_literally_inline_and_as_a_paragraph(text: str) -> None:
    for source in (md_text(text), f"- [{md_text(text)}](https://example.org/)", f"# {md_text(text)}", f"*When:* {md_text(text)}"):
        body = _body(source)
        assert not executable_constructs(body), (source, body)
        shown = visible_text(body).replace("¶", "").strip()
        expected = one_line(text)
        if source.startswith("*When:*"):
            expected = "When: " + expected
        assert shown == expected, (source, body)


@pytest.mark.parametrize("text", SHOWN)
def test_md_code_is_one_code_span_holding_the_text(text: str) -> None:
    body = _body(f"Look for {md_code(text)} here.")
    spans = re.findall(r"<code>(.*?)</code>", body, re.DOTALL)
    assert len(spans) == 1, body
    assert html.unescape(spans[0]) == one_line(text)
    assert not executable_constructs(body)


@pytest.mark.parametrize("text", SHOWN)
def test_md_fence_holds_every_line_verbatim(text: str) -> None:
    lines = text.replace("\r", "").split("\n")
    body = _body("Before.\n\n" + md_fence(lines) + "\n\nAfter.")
    blocks = re.findall(r"<code>(.*?)</code>", body, re.DOTALL)
    assert len(blocks) == 1, body
    # Pygments wraps the text in spans; the characters are what counts.
    assert html.unescape(re.sub(r"<[^>]+>", "", blocks[0])).rstrip("\n") == "\n".join(lines).expandtabs(4).rstrip("\n")  # Markdown expands tabs
    assert body.rstrip().endswith("<p>After.</p>"), body
    assert not executable_constructs(body)


@pytest.mark.parametrize("text", SHOWN)
def test_front_matter_is_yaml_whose_value_is_safe_raw_html(text: str) -> None:
    value = yaml.safe_load(f"title: {front_matter(text)}")["title"]
    assert raw_html_safe(value), value
    assert html.unescape(value) == one_line(text)


@pytest.mark.parametrize(
    "url",
    ["https://example.org/a_(b)", "https://example.org/a b", "https://example.org/<x>", 'https://example.org/"q"', "https://example.org/`x`"],
)
def test_md_url_keeps_a_link_whole(url: str) -> None:
    body = _body(f"[text]({md_url(url)}) after")
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert hrefs == [md_url(url)], body
    assert visible_text(body) == "text after"


@pytest.mark.parametrize(
    "source, expected",
    [
        ("pin numpy<2, a < b, x & y", "<p>pin numpy&lt;2, a &lt; b, x &amp; y</p>"),  # literal, not markup
        ("`code` and **bold**", "<p><code>code</code> and <strong>bold</strong></p>"),
        ("```text\n<b>x</b>\n```", '<pre><code class="language-text">&lt;b&gt;x&lt;/b&gt;\n</code></pre>'),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),  # raw HTML is text
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("<!-- c -->", "<p>&lt;!-- c --&gt;</p>"),
        ("{: autofocus onfocus=alert(1) }", "<p>{: autofocus onfocus=alert(1) }</p>"),  # no attr_list
        ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),  # the link loses its target
        ("[x][r]\n\n[r]: data:text/html,x", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("[ok](https://example.org/?a=1&b=2)", '<p><a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer">ok</a></p>'),
        ("![i](https://example.org/i.png)", "<p></p>"),  # no images: no requests to other hosts
        ("<a.b@example.org>", "<p>&lt;a.b@example.org&gt;</p>"),
        ("```{.py #x onclick=alert(1)}\nx\n```", '<pre><code class="language-py">x\n</code></pre>'),
        ("## Heading", "Heading"),  # headings would break the page outline; the text stays
    ],
)
def test_markdown_html(source: str, expected: str) -> None:
    assert markdown_html(source) == expected


def test_sanitise_keeps_only_the_allowlist() -> None:
    dirty = '<p class="x" id="y" style="color:red">a<script>s</script><code class="language-py bad">c</code><code class="language-a b">d</code></p><iframe src="https://example.org/"></iframe>'
    assert sanitise(dirty) == '<p>a<code>c</code><code>d</code></p>'


@pytest.mark.parametrize("text", TEXTS)
def test_markdown_fields_render_nothing_that_runs_whatever_they_hold(text: str) -> None:
    # check refuses most of these in Markdown fields; the renderer must be safe regardless.
    for rendered in (markdown_html(text), markdown_cell_html(text)):
        page = _body(f'<div class="wf-md">\n{rendered}\n</div>')
        assert not executable_constructs(page), (text, page)
        # MkDocs passes the block through untouched.
        assert rendered in page


def test_a_lone_paragraph_loses_its_p_in_a_table_cell() -> None:
    assert markdown_cell_html("one `line`") == "one <code>line</code>"
    assert markdown_cell_html("one\n\ntwo") == "<p>one</p>\n<p>two</p>"
