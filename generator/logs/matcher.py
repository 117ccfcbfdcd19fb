"""Matching logs against a loaded signatures bundle, with flat memory.

Every condition carries a literal that any line it matches contains (its
*need*).  :class:`Matcher` searches whole blocks of the log for all needs at
once (one compiled alternation over text, or the few literal-first regexes
of :mod:`generator.logs.rawscan` over undecoded bytes), and decodes,
normalises and tests only the lines that hold one; memory stays flat because only the first matching line of each
condition is kept.  The same scan finds the lines the long-tail diagnosis
(:mod:`generator.logs.diagnose`) reads.  Bundles are loaded by
:func:`generator.logs.bundle.load_bundle`.

Why this module is longer than ~400 lines: the per-log session (``_Session``)
and the two-halves reader of big files (``_match_halves``) share the
session's private state (its export and merge); apart they would need a
public protocol for that state and would import each other.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from dataclasses import dataclass
from typing import Any, BinaryIO, Dict, FrozenSet, Iterable, List, Mapping, Optional, Pattern, Set, Tuple

from generator.logs import linre, rawscan
from generator.logs import text as logtext
from generator.logs.buildsection import BOX_ANCHOR, MARKER_ANCHORS, SectionReader, box_name
from generator.logs.diagnose import MENTION_ANCHORS, RULE_ANCHORS, Diagnoser, mention_details

logger = logging.getLogger("wheelfix.signatures")


@dataclass(frozen=True)
class Guide:
    """What a match needs to show of a guide."""

    id: str
    title: str
    url: str
    fix: str


@dataclass
class Match:
    """A guide whose signature matched a log.

    ``lines`` are ``(line number, normalised text)``, 1-based, in log order:
    the first line each condition matched (and the line naming the package).
    ``url`` is the guide's path relative to the site (see :func:`guide_url`).
    """

    id: str
    title: str
    url: str
    fix: str
    score: int
    lines: List[Tuple[int, str]]



class Condition:
    __slots__ = ("text", "program", "users")

    def __init__(self, text: Optional[str], program: Optional[linre.Program]) -> None:
        self.text = text
        self.program = program
        self.users: List[Tuple[int, int]] = []  # (signature index, condition index)

    def test(self, line: str) -> bool:
        if self.text is not None:
            return self.text in line
        assert self.program is not None
        return self.program.search(line)


class Signature:
    __slots__ = ("guide", "package", "size", "score")

    def __init__(self, guide: int, package: Optional[str], size: int, score: int) -> None:
        self.guide = guide
        self.package = package
        self.size = size
        self.score = score


_MENTION = -1  # handler id: the line may name a package
_RULE0 = -2  # handler id _RULE0 - r: the line may be evidence for diagnosis rule r
_MARKER = _RULE0 - len(RULE_ANCHORS)  # the line may mark a failure (generator.logs.buildsection)
_BOX = _MARKER - 1  # the raw line may name a failed package in pip's box margin

# Characters roughly by how often they occur in build logs, most frequent
# first; an anchor starts at a literal's rarest character so that the block
# scan (which tries a match only where a first character fits) skips most text.
_FREQUENT = " etaoinsrlcd/p.um-_hgfby0123456789kwvx:=',\"()[]ETSRIONACLDPFB"
_RANK = {c: i for i, c in enumerate(_FREQUENT)}
_ANCHOR_LEN = 24


def _anchor(literal: str) -> str:
    span = min(len(literal), 6)
    best = max(range(len(literal) - span + 1), key=lambda i: (_RANK.get(literal[i], len(_FREQUENT)), -i))
    return literal[best: best + _ANCHOR_LEN]


def _rank(ch: str) -> int:
    return _RANK.get(ch, len(_FREQUENT))


def _by_frequency(item: Tuple[str, Any]) -> Tuple[int, str]:
    return _RANK.get(item[0], len(_FREQUENT)), item[0]


def _trie_pattern(words: Iterable[str]) -> str:
    trie: Dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: Dict[str, Any]) -> str:
        # The regex engine tries a node's alternatives in order, and at most
        # one fits (they start with distinct characters): the common
        # characters go first, so the usual candidate is settled sooner.
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items(), key=_by_frequency) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            # Greedy optional: the longest anchor at a position wins, and the
            # shorter ones there are its prefixes (see Matcher._targets).
            return "(?:" + body + ")?" if len(alts) == 1 else body + "?"
        return body

    return emit(trie)


class Matcher:
    """Matches logs against a loaded bundle; see :func:`load_bundle`."""

    def __init__(self, guides: List[Guide], signatures: List[Signature], conditions: List[Condition],
                 needs: Dict[str, Set[int]]) -> None:
        self.guides = guides
        self._sigs = signatures
        self._conds = conditions
        self._packages: FrozenSet[str] = frozenset(s.package for s in signatures if s.package)
        self._needs = needs
        self._compiled_for: Optional[bool] = None
        self._scan_re: Optional[Pattern[str]] = None
        self._targets: Dict[str, FrozenSet[int]] = {}
        self._byte_scans: List[rawscan.ByteScan] = []

    def _compile(self, diagnose: bool) -> None:
        if self._compiled_for == diagnose:
            return
        self._scan_re, self._targets, self._byte_scans = self._scanner(
            diagnose, frozenset(), mentions=bool(self._packages) or diagnose
        )
        self._compiled_for = diagnose

    def _scanner(
        self, diagnose: bool, done: FrozenSet[int], mentions: bool
    ) -> Tuple[Pattern[str], Dict[str, FrozenSet[int]], List[rawscan.ByteScan]]:
        """The block scan for every anchor still useful, the handlers of each anchor, and the scans of bytes.

        ``done``: conditions already matched, whose anchors matter no more.
        """
        by_anchor: Dict[str, Set[int]] = {}
        for literal, users in self._needs.items():
            live = users - done
            if live:
                by_anchor.setdefault(_anchor(literal), set()).update(live)
        # A scan key is a piece of each anchor (see _anchor): the handlers
        # test the whole anchor on the line.
        if mentions:
            for literal in MENTION_ANCHORS:
                by_anchor.setdefault(_anchor(literal), set()).add(_MENTION)
        if diagnose:
            # Only rare strings: the evidence on every compiler line is read
            # in failing sections (generator.logs.buildsection), not found by the scan.
            for r, literal in enumerate(RULE_ANCHORS):
                by_anchor.setdefault(_anchor(literal), set()).add(_RULE0 - r)
            for literal in MARKER_ANCHORS:
                by_anchor.setdefault(_anchor(literal), set()).add(_MARKER)
            by_anchor.setdefault(_anchor(BOX_ANCHOR), set()).add(_BOX)
        return (*_trie_scan(by_anchor), rawscan.byte_scans(by_anchor, _rank, _trie_scan))

    def match(self, lines: Iterable[str]) -> List[Match]:
        """Match raw log lines (one item a line); best first."""
        return self.analyse(lines, diagnoser=None)

    def analyse(self, lines: Iterable[str], diagnoser: Optional[Diagnoser]) -> List[Match]:
        """Like :meth:`match`, also feeding ``diagnoser`` the lines the scan finds.

        Failing sections (see :mod:`generator.logs.buildsection`) are read only from
        blocks (:meth:`match_stream`); :func:`generator.logs.diagnose.diagnose` reads lines.
        """
        session = _Session(self, diagnoser)
        for number, line in enumerate(logtext.lines_of(lines), start=1):
            session.line(number, line, self._line_targets(line))
        return session.results()

    def match_stream(self, stream: BinaryIO, diagnoser: Optional[Diagnoser] = None) -> List[Match]:
        """Match a binary stream of any size with flat memory; best first.

        Gives the same result as :meth:`match` over the stream's lines.
        """
        feeder = self.feeder(diagnoser)
        split = _split_point(stream)
        if split is None:
            number = 1
            for raw in logtext.iter_raw_blocks(stream):
                number += feeder.block_bytes(number, raw)
            return feeder.results()
        return _match_halves(feeder, stream, *split)

    def feeder(self, diagnoser: Optional[Diagnoser] = None) -> "_Session":
        """A push interface: call ``.block(first_line_number, text)`` then ``.results()``."""
        return _Session(self, diagnoser)

    def _line_targets(self, line: str) -> Set[int]:
        assert self._scan_re is not None
        return _all_targets(self._scan_re, self._targets, line)


def _trie_scan(by_anchor: Mapping[str, Set[int]]) -> Tuple[Pattern[str], Dict[str, FrozenSet[int]]]:
    """One regex finding every anchor, and each anchor's handlers with those of its prefixes."""
    targets: Dict[str, FrozenSet[int]] = {}
    for anchor in by_anchor:
        found: Set[int] = set()
        for k in range(1, len(anchor) + 1):
            found |= by_anchor.get(anchor[:k], set())
        targets[anchor] = frozenset(found)
    pattern = _trie_pattern(by_anchor) if by_anchor else "(?!)"
    return re.compile(pattern), targets


def _all_targets(scan: Pattern[str], targets: Dict[str, FrozenSet[int]], line: str) -> Set[int]:
    # Every anchor at every position: the scan gives the longest anchor at
    # the leftmost position, whose prefix-closure covers the shorter ones.
    search = scan.search
    found: Set[int] = set()
    m = search(line)
    while m is not None:
        found |= targets[m.group()]
        m = search(line, m.start() + 1)
    return found


_Plan = Tuple[Tuple[int, ...], bool, Tuple[int, ...], bool]


def _plan(targets: FrozenSet[int]) -> _Plan:
    """What a set of handler ids asks for: conditions, mentions, rules in order, markers."""
    conds = tuple(sorted(t for t in targets if t >= 0))
    rules = tuple(sorted(_RULE0 - t for t in targets if _MARKER < t <= _RULE0))
    return conds, _MENTION in targets, rules, _MARKER in targets


#: Lines per block whose anchors lead only to conditions already matched
#: before the block scan is rebuilt without those anchors.
_REBUILD_AFTER = 64


class _Session:
    """The state of matching one log."""

    def __init__(self, matcher: Matcher, diagnoser: Optional[Diagnoser]) -> None:
        matcher._compile(diagnoser is not None)
        assert matcher._scan_re is not None
        self._m = matcher
        self._diagnoser = diagnoser
        self._hits: List[List[Optional[Tuple[int, str]]]] = [[None] * s.size for s in matcher._sigs]
        self._done: Set[int] = set()  # conditions already seen
        self._mentions: Dict[str, Tuple[int, str]] = {}
        # The scan may drop anchors as conditions match (see _prune); it
        # starts as the matcher's shared one.
        self._scan_re: Pattern[str] = matcher._scan_re
        self._targets = matcher._targets
        self._byte_scans = matcher._byte_scans
        self._wants_mentions = bool(matcher._packages) or diagnoser is not None
        self._built_done: FrozenSet[int] = frozenset()
        self._wasted = 0  # lines scanned since the last build whose anchors were all used up
        self._plans: Dict[FrozenSet[int], "_Plan"] = {}
        self._sections = None if diagnoser is None else SectionReader(diagnoser)

    def line(self, number: int, line: str, targets: Iterable[int]) -> None:
        """Take one normalised line whose anchors lead to ``targets``."""
        self._take(number, line, targets if isinstance(targets, frozenset) else frozenset(targets))

    def _take(self, number: int, line: str, targets: FrozenSet[int]) -> bool:
        """Match and diagnose one line; True if it marks a failure (see generator.logs.buildsection)."""
        plan = self._plans.get(targets)
        if plan is None:
            plan = self._plans[targets] = _plan(targets)
        cond_ids, wants_mentions, rules, marker = plan
        done = self._done
        useful = bool(rules) or marker
        for t in cond_ids:
            if t in done:
                continue
            useful = True
            cond = self._m._conds[t]
            if cond.test(line):
                done.add(t)
                for sig, pos in cond.users:
                    self._hits[sig][pos] = (number, line)
        if wants_mentions:
            # Names matter to the diagnosis, or to signatures until all theirs are seen.
            useful = useful or self._diagnoser is not None or len(self._mentions) < len(self._m._packages)
            mentions = mention_details(line)
            for name, _version, _kind, _listed in mentions:
                if name in self._m._packages and name not in self._mentions:
                    self._mentions[name] = (number, line)
        else:
            mentions = []
        if not useful:
            self._wasted += 1
        if self._diagnoser is None or not (mentions or rules or marker):
            return False
        return self._diagnoser.feed(number, line, mentions, rules)

    def block(self, first: int, text: str) -> int:
        """Take a block from :func:`generator.logs.text.iter_blocks` (whole lines); returns its number of lines."""
        search = self._scan_re.search
        targets = self._targets
        normalise_line = logtext.normalise_line
        counted_to, number = 0, first
        markers: List[Tuple[int, int]] = []
        hit = search(text)
        while hit is not None:
            at = hit.start()
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", hit.end())
            if end < 0:
                end = len(text)
            # Every anchor at every position of the line, each found once: the
            # scan gives the longest anchor at the leftmost position, whose
            # prefix-closure covers the shorter ones there.  Anchors hold no
            # line break, so one starting before ``end`` ends within the line.
            found = targets[hit.group()]
            hit = search(text, at + 1)
            while hit is not None and hit.start() < end:
                found = found | targets[hit.group()]
                hit = search(text, hit.start() + 1)
            number += text.count("\n", counted_to, start)
            counted_to = start
            # Anchors are looked for in the raw line; normalisation only cuts
            # its ends, so every anchor of the normalised line is among them.
            raw = text[start:end]
            if self._take(number, normalise_line(raw), found):
                markers.append((number, start))
            if _BOX in found and self._diagnoser is not None:
                name = box_name(raw)
                if name is not None:
                    self._diagnoser.name_failed("stated", name, number)
        # The lines were counted up to the last line with a hit: count the
        # rest only (each pass over the block costs ~0.5 ns a character).
        lines = number - first + text.count("\n", counted_to) + 1
        if self._sections is not None:
            self._sections.block(first, text, markers, lines)
        if self._wasted >= _REBUILD_AFTER:
            self._prune()
        return lines

    def block_bytes(self, first: int, raw: bytes) -> int:
        """:meth:`block` for a block of :func:`generator.logs.text.iter_raw_blocks`, decoding only what it reads.

        A block that decoding alone does not turn into its text (see
        :func:`generator.logs.text.is_plain`) is decoded whole and goes to :meth:`block`.
        """
        if not logtext.is_plain(raw):
            return self.block(first, logtext.decode_block(raw))
        normalise_line = logtext.normalise_line
        counted_to, number = 0, first
        markers: List[Tuple[int, int]] = []
        found_at = rawscan.hits(self._byte_scans, raw)
        i, n = 0, len(found_at)
        while i < n:
            at, stop, found = found_at[i]
            start = raw.rfind(b"\n", 0, at) + 1
            end = raw.find(b"\n", stop)
            if end < 0:
                end = len(raw)
            i += 1
            while i < n and found_at[i][0] < end:  # the other anchors of this line
                found = found | found_at[i][2]
                i += 1
            number += raw.count(b"\n", counted_to, start)
            counted_to = start
            line = raw[start:end].decode("utf-8", "replace")
            if self._take(number, normalise_line(line), found):
                markers.append((number, start))
            if _BOX in found and self._diagnoser is not None:
                name = box_name(line)
                if name is not None:
                    self._diagnoser.name_failed("stated", name, number)
        lines = number - first + raw.count(b"\n", counted_to) + 1
        if self._sections is not None:
            self._sections.block_raw(first, raw, markers, lines)
        if self._wasted >= _REBUILD_AFTER:
            self._prune()
        return lines

    def _prune(self) -> None:
        """Rebuild the scan without the anchors that lead only to matched conditions."""
        self._wasted = 0
        m = self._m
        wants_mentions = self._diagnoser is not None or bool(m._packages - self._mentions.keys())
        done = frozenset(self._done)
        if done == self._built_done and wants_mentions == self._wants_mentions:
            return
        self._built_done, self._wants_mentions = done, wants_mentions
        self._scan_re, self._targets, self._byte_scans = m._scanner(self._diagnoser is not None, done, wants_mentions)

    def _export(self) -> Tuple[List[Tuple[int, int, int, str]], Dict[str, Tuple[int, str]]]:
        """What :meth:`_absorb` needs of this session: the lines found, picklable."""
        hits = [
            (k, pos, hit[0], hit[1])
            for k, row in enumerate(self._hits)
            for pos, hit in enumerate(row)
            if hit is not None
        ]
        return hits, dict(self._mentions)

    def _absorb(self, later: Tuple[List[Tuple[int, int, int, str]], Dict[str, Tuple[int, str]]], shift: int) -> None:
        """Merge the :meth:`_export` of a session fed the lines after the ``shift`` lines seen here.

        Only the first line found for a condition or a package counts, so
        what this session already found wins.
        """
        hits, mentions = later
        for k, pos, number, line in hits:
            if self._hits[k][pos] is None:
                self._hits[k][pos] = (number + shift, line)
        for name, (number, line) in mentions.items():
            if name not in self._mentions:
                self._mentions[name] = (number + shift, line)

    def results(self) -> List[Match]:
        """The matches found so far, best first (the diagnosis, if any, is complete once this is called)."""
        if self._sections is not None:
            self._sections.finish()
        best: Dict[int, Tuple[int, List[Tuple[int, str]]]] = {}
        for k, sig in enumerate(self._m._sigs):
            hits = self._hits[k]
            if any(h is None for h in hits):
                continue
            shown = {h for h in hits if h is not None}
            if sig.package:
                mention = self._mentions.get(sig.package)
                if mention is None:
                    continue
                shown.add(mention)
            current = best.get(sig.guide)
            if current is None or sig.score > current[0]:
                best[sig.guide] = (sig.score, sorted(shown))
        out = []
        for gi, (score, lines) in best.items():
            g = self._m.guides[gi]
            out.append(Match(id=g.id, title=g.title, url=g.url, fix=g.fix, score=score, lines=lines))
        out.sort(key=lambda x: (-x.score, x.id))
        return out


#: A regular file with at least this many bytes left is read by two
#: processes at once (where ``os.fork`` exists), each taking one half; the
#: results are merged so that they are exactly those of one pass.
PARALLEL_MIN = 32 << 20


class _Region:
    """The bytes of a file descriptor from ``start`` to ``end`` (None: to the end of file).

    Reads with ``os.pread``, so two processes sharing the descriptor do not
    move each other's offset.
    """

    def __init__(self, fd: int, start: int, end: Optional[int]) -> None:
        self._fd, self._pos, self._end = fd, start, end

    def read(self, size: int) -> bytes:
        if self._end is not None:
            size = min(size, self._end - self._pos)
            if size <= 0:
                return b""
        data = os.pread(self._fd, size, self._pos)
        self._pos += len(data)
        return data


def _split_point(stream: BinaryIO) -> Optional[Tuple[int, int, int]]:
    """``(fd, start, split)`` when ``stream`` is worth reading in two halves, else None.

    ``split`` is just after a line break (``\\n``, ``\\r\\n`` or a lone ``\\r``), so both halves hold whole lines.
    """
    if not hasattr(os, "fork") or not hasattr(os, "pread"):
        return None
    try:
        fd = stream.fileno()
        info = os.fstat(fd)
        start = stream.tell()
    except (AttributeError, OSError, ValueError):  # io.BytesIO, pipes, closed streams
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size - start < PARALLEL_MIN:
        return None
    try:
        if os.pread(fd, 2, start) in (b"\xff\xfe", b"\xfe\xff"):
            return None  # UTF-16: a byte 0x0a is no line break there
        pos = start + (info.st_size - start) // 2
        while True:
            window = os.pread(fd, 1 << 16, pos)
            if not window:
                return None
            cut = logtext.first_break(window)
            if cut >= 0:
                end = pos + cut + 1
                if window[cut] == 0x0D and os.pread(fd, 1, end) == b"\n":
                    end += 1  # never between the two bytes of a CRLF
                return fd, start, end
            pos += len(window)
    except OSError:
        return None


def _match_halves(feeder: "_Session", stream: BinaryIO, fd: int, start: int, split: int) -> List[Match]:
    """Match the first half here and the second in a child process, then merge."""
    import pickle

    diagnoser = feeder._diagnoser
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        status = 1
        try:
            os.close(read_end)
            later = feeder._m.feeder(None if diagnoser is None else Diagnoser())
            number = 1
            for raw in logtext.iter_raw_blocks(_Region(fd, split, None), sniff=False):  # type: ignore[arg-type]
                number += later.block_bytes(number, raw)
            sections = None if later._sections is None else later._sections.export()
            data = pickle.dumps((later._export(), later._diagnoser, sections), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        except BaseException:  # the parent reads the second half itself
            pass
        finally:
            os._exit(status)
    os.close(write_end)
    state: Any = None
    try:
        number = 1  # of the first line of the second half, in the end
        for raw in logtext.iter_raw_blocks(_Region(fd, start, split)):  # type: ignore[arg-type]
            number += feeder.block_bytes(number, raw)
        with os.fdopen(read_end, "rb") as child:
            read_end = -1
            data = child.read()
        state = pickle.loads(data) if data else None
    finally:
        if read_end >= 0:
            os.close(read_end)
        os.waitpid(pid, 0)
    merged = False
    if state is not None:
        later_state, later_diagnoser, later_sections = state
        if diagnoser is None or diagnoser.absorb(later_diagnoser, number - 1):
            feeder._absorb(later_state, number - 1)
            if feeder._sections is not None:
                feeder._sections.absorb(later_sections)
            merged = True
    if not merged:
        logger.debug("merging the halves failed: reading the second half again")
        for raw in logtext.iter_raw_blocks(_Region(fd, split, None), sniff=False):  # type: ignore[arg-type]
            number += feeder.block_bytes(number, raw)
    stream.seek(0, os.SEEK_END)
    return feeder.results()
