"""The scan of undecoded blocks (generator.logs.rawscan) and the blocks it may read (logtext.is_plain)."""

from __future__ import annotations

import random
from typing import List

import pytest

from generator.logs import matcher as signatures
from generator.logs import rawscan
from generator.logs import text as logtext
from generator.logs.buildsection import BOX_ANCHOR, MARKER_ANCHORS
from generator.logs.diagnose import MENTION_ANCHORS, RULE_ANCHORS


def _anchor_sets() -> List[List[str]]:
    rng = random.Random(5)
    alphabet = "abcdeFGH xyz=╰─>✖.("
    words = [[("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30)))) for _ in range(40)] for _ in range(20)]
    kb = [signatures._anchor(a) for a in (*MENTION_ANCHORS, *RULE_ANCHORS, *MARKER_ANCHORS, BOX_ANCHOR)]
    # Long keys alone in their group: looked for with bytes.find
    alone = ["No such file or director", "failed to create directo", "xecutable not found", "Visual", "==", "Qzz Qzz Qzz Qzz"]
    return [kb, alone, *words]


def test_a_long_key_alone_is_found_without_a_regex() -> None:
    # So that the tests above cover both kinds of scan.
    scans = rawscan.byte_scans({a: {0} for a in _anchor_sets()[1]}, signatures._rank, signatures._trie_scan)
    assert any(scan is None for scan, _targets in scans) and any(scan is not None for scan, _targets in scans)


@pytest.mark.parametrize("anchors", _anchor_sets())
def test_every_anchor_gets_one_key_that_is_a_long_enough_piece_of_it(anchors: List[str]) -> None:
    groups = rawscan.group_anchors(anchors, signatures._rank)
    seen = [a for members in groups.values() for a, _key in members]
    assert sorted(seen) == sorted(set(anchors))
    for ch, members in groups.items():
        for anchor, key in members:
            assert key.startswith(ch) and anchor.endswith(key)
            assert len(key) >= min(len(anchor), 6)


@pytest.mark.parametrize("anchors", _anchor_sets())
def test_byte_scans_find_what_the_text_scan_finds(anchors: List[str]) -> None:
    # Lines made of the anchors' own characters, so that they hold anchors,
    # pieces of them and overlaps.  A key cut short may be found where its
    # anchor is not (handlers test the whole condition), never the reverse.
    by_anchor = {a: {i} for i, a in enumerate(sorted(set(anchors)))}
    text_re, targets = signatures._trie_scan(by_anchor)
    scans = rawscan.byte_scans(by_anchor, signatures._rank, signatures._trie_scan)
    whole = all(len(key) == len(anchor) for members in rawscan.group_anchors(by_anchor, signatures._rank).values()
                for anchor, key in members)
    rng = random.Random(len(anchors))
    pool = list(by_anchor) + list("".join(by_anchor))
    for _ in range(300):
        line = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 12))).replace("\n", "")
        want = signatures._all_targets(text_re, targets, line)
        got = set().union(*(found for _at, _end, found in rawscan.hits(scans, line.encode("utf-8"))))
        assert want <= got, line
        if whole:  # no key cut short: the same handlers
            assert got == want, line


_PIECES = [
    b"a", b"\n", b"\r", b"\xff", b"\xe2\x95", b"\xe2\x95\xb0", b"\x80", b"\xc3",
    b"\x1b[1m", b"\x07", b"\\", b"C:\\x", b"\xf0\x9f\x98\x80", b" ",
]


@pytest.mark.parametrize("seed", range(30))
def test_a_plain_block_decodes_line_by_line_as_decode_block_does(seed: int) -> None:
    rng = random.Random(seed)
    block = b"".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 60))).replace(b"\r", b"\n")
    if not logtext.is_plain(block):
        assert b"\\" in block or logtext.decode_block(block) != block.decode("utf-8", "replace") or any(
            b in block for b in (b"\x1b", b"\x07")
        )
        return
    text = logtext.decode_block(block)
    assert text == block.decode("utf-8", "replace")
    assert [line.decode("utf-8", "replace") for line in block.split(b"\n")] == text.split("\n")
