"""Front matter: every string written by ``yaml_str`` reads back as itself, so no record text can break a page's meta.

The consumer is MkDocs' own front-matter reader (libyaml where compiled in);
the pure-Python PyYAML reader must agree.  The corpus is every Unicode code
point of the planes in use (and the edges of the others), in blocks, plus
strings that mean something to YAML.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import yaml
from mkdocs.utils.meta import get_data

from generator.site.markup import yaml_str

_BLOCK = 0x1000
# The pure-Python reader is slow; it reads the blocks holding controls, separators,
# surrogates, private use, specials and the last plane's noncharacters.
_PURE_TOO = {0x0000, 0x2000, 0xD000, 0xE000, 0xF000, 0xE0000, 0x10F000}
# Every code point of the planes in use (0-3, and 14 for tags and variation selectors); of the
# others (unassigned, or private use) the first and the last block, which holds the noncharacters.
_FULL_PLANES = {0, 1, 2, 3, 14}
_CODE_POINT_BLOCKS = [
    range(start, start + _BLOCK)
    for start in range(0, 0x110000, _BLOCK)
    if start >> 16 in _FULL_PLANES or start & 0xFFFF in (0, 0x10000 - _BLOCK)
]
_YAML_MEANINGFUL = [
    "", " ", "null", "~", "true", "no", "1e3", "0x10", "-", "- item", "? key", ": value", "key: value", "#comment",
    "a #b", "---", "...", "--- x", "&anchor", "*alias", "!tag", "!!python/object:os.system", "|", ">", "%YAML 1.1",
    "@", "`", "{a: 1}", "[1, 2]", "'single'", '"double"', "back\\slash", "\\x41\\u2028", "tab\there", "line\nbreak",
    "cr\rlf", "nel\x85x", "ls\u2028ps\u2029", "bom\ufeff", "\x00\x1b[31m\x7f\x80\x9f", "\ud800 lone \udfff", "\U0001f600 😀",
    "\ufffe\uffff\U0010ffff", "\ue000 private", "e\u0301 combining", "rtl \u202eevil\u202c", "zw\u200b\u200d",
    "  leading and trailing  ", "x" * 5000,
]


def _expected(text: str) -> str:
    # One line: whitespace runs become a space; no YAML reader takes a lone surrogate, so it becomes U+FFFD.
    joined = " ".join(text.split())
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in joined)


def _page(strings: List[str]) -> str:
    lines = ["---", f"title: {yaml_str(strings[0])}", "tags:"]
    lines += [f"  - {yaml_str(s)}" for s in strings[1:]]
    lines += ["search:", "  boost: 4", "---", "", "# Body", ""]
    return "\n".join(lines)


def _read_back(page: str, *, pure: bool = True) -> Dict[str, Any]:
    body, meta = get_data(page)
    assert body == "# Body\n", "the front matter did not end where it should"
    if pure:
        assert yaml.load(page.split("---\n")[1], Loader=yaml.SafeLoader) == meta, "libyaml and the pure-Python reader disagree"
    return meta


@pytest.mark.parametrize("block", _CODE_POINT_BLOCKS, ids=lambda r: f"U+{r.start:04X}")
def test_every_code_point_reads_back(block: range) -> None:
    # Each string is a block of code points with a space between them (so none joins a neighbour).
    strings = [" ".join(chr(c) for c in block[i:i + 256]) for i in range(0, len(block), 256)]
    meta = _read_back(_page(strings), pure=block.start in _PURE_TOO)
    assert [meta["title"], *meta["tags"]] == [_expected(s) for s in strings]
    assert meta["search"] == {"boost": 4}


def test_strings_that_mean_something_to_yaml_read_back() -> None:
    meta = _read_back(_page(_YAML_MEANINGFUL))
    assert [meta["title"], *meta["tags"]] == [_expected(s) for s in _YAML_MEANINGFUL]


@pytest.mark.parametrize("text", _YAML_MEANINGFUL)
def test_one_line_and_double_quoted(text: str) -> None:
    written = yaml_str(text)
    assert written.startswith('"') and written.endswith('"') and written.isprintable()
    assert "\n" not in written and "\r" not in written
