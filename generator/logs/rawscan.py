"""The block scan over undecoded bytes: a few regexes, each starting with one literal.

Python's ``re`` runs a pattern that starts with a character class (one regex
over all anchors, see ``signatures._trie_scan``) by testing that class at
every position, ~3-5 ns a character whatever the text; a pattern that starts
with one literal character jumps from one occurrence of it to the next, ~0.3
ns a byte, and rejects a wrong one in C.  So the anchors are cut to start at a
character shared by many of them and rare in build logs, one regex per such
character; on a compiler-heavy log the scans together cost about 2/3 of the
one regex, and the block needs no decoding but of the lines with a hit.

Every anchor keeps at least ``min(len, 6)`` of its characters, and an anchor
cut short is still a piece of its literal, so a line holding a literal holds
one of these keys: the handlers test the whole condition on the line.

Only the standard library is imported here.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Pattern, Set, Tuple

#: A regex of the scan and the handlers of each key it finds; no regex: the
#: one key is looked for with ``bytes.find``.
ByteScan = Tuple[Optional[Pattern[bytes]], Dict[bytes, FrozenSet[int]]]

#: A hit: its start and end in the block and the handlers of the key found there.
Hit = Tuple[int, int, FrozenSet[int]]

_MIN_KEY = 6
# The relative cost of one more regex over a block (a pass at ~0.3 ns a byte)
# and of a failed try where its first character occurs (~30 ns; the share of
# positions holding a character comes from its rank, see _share).
_PASS = 0.3
_TRY = 100.0
# bytes.find beats a regex for one key at least this long (~0.2 against ~0.35
# ns a byte at 20 bytes; for short keys, the regex's loop wins).
_FIND_MIN = 12


def _share(rank: int) -> float:
    """The share of positions holding the character of this frequency rank (0: the space)."""
    return 0.1 * 0.85 ** rank


def _start(anchor: str, ch: str) -> int:
    """Where a key starting with ``ch`` may start in ``anchor``, or -1."""
    last = len(anchor) - min(len(anchor), _MIN_KEY)
    return anchor.find(ch, 0, last + 1)


def group_anchors(anchors: Iterable[str], rank: Callable[[str], int]) -> Dict[str, List[Tuple[str, str]]]:
    """``{first character: [(anchor, its key)]}``: a greedy cover of ``anchors`` by few, rare first characters."""
    left = sorted(set(anchors))
    groups: Dict[str, List[Tuple[str, str]]] = {}
    while left:
        best: Tuple[float, str] = (-1.0, "")
        for ch in sorted(set("".join(left))):
            covered = sum(1 for a in left if _start(a, ch) >= 0)
            if covered:
                score = covered / (_PASS + _share(rank(ch)) * _TRY)
                if score > best[0]:
                    best = (score, ch)
        ch = best[1]
        taken = [a for a in left if _start(a, ch) >= 0]
        groups[ch] = [(a, a[_start(a, ch):]) for a in taken]
        left = [a for a in left if _start(a, ch) < 0]
    return groups


def byte_scans(
    by_anchor: Mapping[str, Set[int]],
    rank: Callable[[str], int],
    trie: Callable[[Mapping[str, Set[int]]], Tuple[Pattern[str], Dict[str, FrozenSet[int]]]],
) -> List[ByteScan]:
    """The scans finding the anchors of ``by_anchor`` (anchor: handler ids) in UTF-8 bytes.

    ``trie`` builds one regex over anchors and the handlers of each with those of its prefixes.
    """
    scans: List[ByteScan] = []
    for members in group_anchors(by_anchor, rank).values():
        keyed: Dict[str, Set[int]] = {}
        for anchor, key in members:
            keyed.setdefault(key, set()).update(by_anchor[anchor])
        pattern, targets = trie(keyed)
        by_key = {key.encode("utf-8"): found for key, found in targets.items()}
        if len(by_key) == 1 and len(next(iter(by_key))) >= _FIND_MIN:
            scans.append((None, by_key))
        else:
            scans.append((re.compile(pattern.pattern.encode("utf-8")), by_key))
    return scans


def hits(scans: List[ByteScan], raw: bytes) -> List[Hit]:
    """Every key at every position of ``raw``, in order of position.

    A regex gives the longest key at the leftmost position, whose handlers
    include those of the shorter keys there (their prefixes); keys of two
    scans never start at one position (they start with different characters).
    """
    out: List[Hit] = []
    for scan, targets in scans:
        if scan is None:
            ((key, found),) = targets.items()
            at = raw.find(key)
            while at >= 0:
                out.append((at, at + len(key), found))
                at = raw.find(key, at + 1)
            continue
        search = scan.search
        m = search(raw)
        while m is not None:
            at = m.start()
            out.append((at, m.end(), targets[m.group()]))
            m = search(raw, at + 1)
    if len(scans) > 1:
        out.sort(key=lambda hit: hit[0])
    return out
