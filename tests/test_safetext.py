"""The rules for record text (generator/kb/safetext.py): a table of accepted and refused cases."""

from __future__ import annotations

from typing import Optional

import pytest

from generator.kb import safetext

# (text, what the refusal names, or None when accepted)
MARKDOWN_CASES = [
    # Comparisons and placeholders are text, wherever they stand.
    ("pin numpy<2 until it has one", None),
    ("a < b and c > d", None),
    ("x <= 3, y >= 4, 1<2", None),
    ("x & y &amp; z", None),
    ("`<stdio.h>` and `Building wheel for <package>`", None),  # inside code spans
    ("``code with ` inside <b>``", None),  # a longer code span holds a backtick and a tag
    ("```text\n<script>alert(1)</script>\n```", None),  # inside a fenced block
    ("~~~\n<module>\n~~~", None),
    ("````\n```\n<b>still code</b>\n````", None),  # a shorter fence line does not close the block
    ("<https://example.org/page>", None),  # an http(s) autolink is a link, not HTML
    ("[the docs](https://example.org/a_(b))", None),
    ("[relative](../guides/x/)", None),
    ("data: the index says so", None),  # a scheme-like word in prose is not a link
    ("a set {1, 2} and a word {x}", None),  # braces that are no attribute list
    ("f-string `{name!r}` and `{: x}`", None),  # attribute-list syntax inside code
    # Raw HTML outside code.
    ("<b>bold</b>", "raw HTML '<b>'"),
    ("x<y> outside code", "raw HTML '<y>'"),
    ("a <stdio.h> header", "raw HTML '<stdio.h>'"),
    ("</div>", "raw HTML '</div>'"),
    ("<!-- comment -->", "raw HTML '<!-- comment -->'"),
    ("<!DOCTYPE html>", "raw HTML '<!DOCTYPE html>'"),
    ("<?php echo 1 ?>", "raw HTML '<?php echo 1 ?>'"),
    ("<mailto:a@example.org>", "raw HTML '<mailto:a@example.org>'"),
    ("`unclosed <b>", "raw HTML '<b>'"),  # a lone backtick opens no code span
    ("`a\n\n<b>` across paragraphs", "raw HTML '<b>'"),  # a code span never crosses a blank line
    ("\\`<b>\\`", "raw HTML '<b>'"),  # escaped backticks are text
    ("```\ncode\n```\n<i>after the fence</i>", "raw HTML '<i>'"),
    # Attribute lists.
    ("Text {: .class }", "attribute list '{: .class }'"),
    ("Text {#anchor}", "attribute list '{#anchor}'"),
    ("Text {.md-button}", "attribute list '{.md-button}'"),
    ("Text { onclick=x }", "attribute list '{ onclick=x }'"),
    ("Text {: }", "attribute list '{: }'"),
    # Links and images.
    ("[x](javascript:alert(1))", "uses 'javascript:'"),
    ("[x](  JavaScript:alert(1))", "uses 'javascript:'"),
    ("[x](java\tscript:alert(1))", "uses 'javascript:'"),  # browsers drop the tab
    ("[x](&#106;avascript:alert(1))", "uses 'javascript:'"),  # and decode the entity
    ("[x](data:text/html,hi)", "uses 'data:'"),
    ("[x](vbscript:msgbox)", "uses 'vbscript:'"),
    ("[x](mailto:a@example.org)", "uses 'mailto:'"),
    ("[x][r]\n\n[r]: javascript:alert(1)", "uses 'javascript:'"),
    ("[x][r]\n\n[r]:\n  javascript:alert(1)", "uses 'javascript:'"),
    ("![logo](https://example.org/logo.png)", "images are not shown"),
    # Characters no page can show honestly.
    ("ansi \x1b[31mred", "U+001B"),
    ("bidi \u202eevil", "U+202E"),
    ("placeholder \x02wzxhzdk:0\x03", "U+0002"),
]


@pytest.mark.parametrize("text, refusal", MARKDOWN_CASES)
def test_markdown_rule(text: str, refusal: Optional[str]) -> None:
    found = safetext.markdown_findings(text)
    if refusal is None:
        assert found == [], [f.message for f in found]
    else:
        assert found, f"{text!r} is accepted"
        assert refusal in found[0].message


@pytest.mark.parametrize(
    "text, refused",
    [
        ("<script>alert(1)</script>", False),  # plain text: shown literally, never refused for markup
        ("{: autofocus onfocus=x }", False),
        ("File \"<string>\", line 1, in <module>", False),
        ("tab\tand newline\nare fine", False),
        ("escape \x1b[0m", True),
        ("carriage\rreturn", True),
        ("nul \x00", True),
        ("next line \x85", True),
        ("line separator \u2028", True),
        ("isolate \u2066x\u2069", True),
        ("byte order mark \ufeff", True),
    ],
)
def test_plain_rule(text: str, refused: bool) -> None:
    assert bool(safetext.plain_findings(text)) is refused


def test_a_finding_names_the_line_of_a_multi_line_field() -> None:
    text = "first line\n\nsecond <b>paragraph</b>\n"
    [first, *_] = safetext.markdown_findings(text)
    assert first.describe(text).endswith("(line 3 of the text)")
    assert "line" not in safetext.markdown_findings("one <b>")[0].describe("one <b>")


@pytest.mark.parametrize(
    "url, message",
    [
        ("https://example.org/a_(b)?q=1&r=2#frag", None),
        ("http://example.org/%3Cscript%3E", None),
        ("HTTPS://EXAMPLE.ORG/", None),
        ("javascript:alert(1)", "is not an http(s) URL"),
        ("data:text/html,x", "is not an http(s) URL"),
        ("https://", "is not an http(s) URL"),
        ("https:///path", "is not an http(s) URL"),
        ("https://example.org/\"><script>", "holds '\"'"),
        ("https://example.org/<svg onload=x>", "holds '<'"),
        ("https://example.org/a b", "holds ' '"),
        ("https://example.org/'x", "holds \"'\""),
        ("https://example.org/`x`", "holds '`'"),
        ("https://example.org/{x}", "holds '{'"),
        ("https://example.org/a\\b", "holds '\\\\'"),
    ],
)
def test_urls(url: str, message: Optional[str]) -> None:
    if message is None:
        assert safetext.check_url(url) == url
    else:
        with pytest.raises(ValueError, match=None) as caught:
            safetext.check_url(url)
        assert message in str(caught.value)


@pytest.mark.parametrize(
    "spec, refused",
    [
        (">=3.13", False),
        ("<2,!=1.5.*", False),
        ("==1.0", False),
        ("===1.0", True),  # arbitrary equality compares any string: refused outright
        ("===<svg/onload=alert(1)>", True),
    ],
)
def test_specifiers(spec: str, refused: bool) -> None:
    if refused:
        with pytest.raises(ValueError, match="arbitrary equality"):
            safetext.check_specifier(spec)
    else:
        assert safetext.check_specifier(spec) == spec
