"""Tests for generator.logs.bundle and generator.logs.matcher: the regex subset, the bundle, matching and ranking."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from generator.logs import text as logtext
from generator.logs.bundle import BUNDLE_FORMAT, bundle_from_guides, guide_url, load_bundle, load_bundle_file
from generator.logs.patterns import check_pattern, check_text, compile_pattern, required_literals, SignatureError

LOGS = Path(__file__).parent / "data" / "logs"
GUIDES = json.loads((LOGS / "guides.json").read_text("utf-8"))
EXPECTED = json.loads((LOGS / "expected.json").read_text("utf-8"))


def _guide(gid: str, *sigs: Dict[str, Any]) -> Dict[str, Any]:
    return {"id": gid, "title": gid.upper(), "url": f"guides/{gid}/", "fix": f"fix {gid}", "signatures": list(sigs)}


@pytest.mark.parametrize(
    "pattern",
    [
        "fatal error: Python\\.h: No such file or directory",  # escapes
        "API version 0x[0-9a-f]+ but",  # class + quantifier
        "^ERROR: Failed building wheel for (?:tiktoken|tokenizers)$",  # anchors, non-capturing group, alternation
        "(gcc|clang): error",  # capturing group
        "error\\s+C1083\\b",  # \s and \b are the same in both engines under re.ASCII
        "exit (?:code|status):? \\d{1,3}",  # {m,n}
        "abc.*?def",  # lazy quantifier
        "[\\]x]yzw",  # escaped ] in a class
    ],
)
def test_check_pattern_accepts(pattern: str) -> None:
    check_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "rule"),
    [
        ("(a+)+b", "nested quantifiers are not allowed"),  # exponential backtracking
        ("(?:ab*c)+x", "nested quantifiers are not allowed"),  # a quantifier inside a quantified group
        ("(abc)\\1", "backreferences"),  # backreference
        ("foo(?=bar)", "lookahead is not allowed"),  # lookahead
        ("(?<!x)foo", "lookbehind is not allowed"),  # lookbehind
        ("(?P<n>foo)", "named groups are not allowed"),  # Python-only named group
        ("(?<n>foo)", "named groups are not allowed"),  # JavaScript-only named group
        ("(?i)foo", "inline flags are not allowed"),  # global flag
        ("(?i:foo)bar", "inline flags are not allowed"),  # scoped flag
        ("(?>foo)", "atomic groups are not allowed"),  # atomic group
        ("fo*+obar", "possessive quantifiers are not allowed"),  # possessive
        ("\\Afoo", "'\\A' is not allowed"),  # Python-only anchor
        ("foo\\Z", "'\\Z' is not allowed"),  # Python-only anchor
        ("\\afoo", "the escape '\\a' is not allowed"),  # bell in Python, 'a' in JavaScript
        ("[]foo]", "may not start with ']'"),  # literal ] in Python, empty class in JavaScript
        ("foo{,3}bar", "'{,n}' is not allowed"),  # {0,3} in Python, literal in JavaScript
        ("foo[[:alpha:]]", "must be escaped"),  # nested set warning in Python
        ("(?#c)foo", "comments are not allowed"),  # comment group
        ("foo(", "is not a valid regular expression"),  # syntax error
        ("ab|cd", "a literal of at least 3 characters"),  # nothing to prefilter on
        ("x?", "matches an empty line"),  # matches everything
    ],
)
def test_check_pattern_rejects(pattern: str, rule: str) -> None:
    with pytest.raises(SignatureError) as info:
        check_pattern(pattern, "signatures[0].match[1]")
    message = str(info.value)
    assert rule in message
    assert repr(pattern) in message and "at signatures[0].match[1]" in message


def test_check_pattern_message_names_pattern_place_and_rule() -> None:
    with pytest.raises(SignatureError) as info:
        check_pattern("(a+)+", "signatures[0].match[1]")
    assert str(info.value) == (
        "regex '(a+)+' at signatures[0].match[1]: nested quantifiers are not allowed "
        "(patterns must run in linear time and mean the same in Python and JavaScript)"
    )


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("ab", "at least 3 characters"),  # too short to mean anything
        ("  error: x", "as it appears after normalisation"),  # leading blanks are normalised away
        ("a\nb", "must fit on one line"),  # matching is per line
    ],
)
def test_check_text_rejects(text: str, rule: str) -> None:
    with pytest.raises(SignatureError, match=re.escape(rule)):
        check_text(text, "x")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"text": "can't find Rust"}, ["can't find Rust"]),  # text is its own literal
        ({"regex": "fatal error: Python\\.h: No"}, ["fatal error: Python.h: No"]),  # escapes resolved
        ({"regex": "version 0x[0-9a-f]+ but th"}, ["version 0x"]),  # the longest run wins
        ({"regex": "(?:gcc|clang): error"}, [": error"]),  # a shared run beats alternatives
        ({"regex": "^(?:pg_config|mysql_config) not"}, ["mysql_config", "pg_config"]),  # alternatives beat a shorter run
        ({"regex": "^x(?:abcdef)+y"}, ["abcdef"]),  # a group repeated at least once
    ],
)
def test_required_literals(condition: Dict[str, str], expected: List[str]) -> None:
    assert required_literals(condition) == expected


def test_bundle_passes_fields_through_and_scores() -> None:
    guide = _guide("g", {"package": "tiktoken", "match": [{"text": "failed to create directory `"}, {"regex": "Read-only file system \\(os error 30\\)"}]})
    guide.update({"versions": {"tiktoken": "<0.8"}, "build_requires": ["Rust"], "summary": "s", "short_url": "e/g/", "packages": ["tiktoken"], "python": ">=3.13", "platforms": ["render"]})
    bundle = bundle_from_guides([guide])
    assert bundle["format"] == BUNDLE_FORMAT == 2
    (entry,) = bundle["guides"]
    for key in ("versions", "build_requires", "summary", "short_url", "packages", "python", "platforms"):
        assert entry[key] == guide[key]
    (sig,) = entry["signatures"]
    assert sig["need"] == [["failed to create directory `"], ["Read-only file system (os error 30)"]]
    # a regex condition carries the program the matchers run (generator.logs.linre)
    assert sig["match"][0] == {"text": "failed to create directory `"}
    assert sig["match"][1] == {"regex": "Read-only file system \\(os error 30\\)", "program": compile_pattern(sig["match"][1]["regex"])[1]}
    # 1000 (package) + 2 * 100 (conditions) + min(99, total literal length)
    assert sig["score"] == 1000 + 200 + min(99, len("failed to create directory `") + len("Read-only file system (os error 30)"))
    json.dumps(bundle)  # JSON-ready


@pytest.mark.parametrize(
    ("guides", "message"),
    [
        ([{"title": "x"}], "needs an 'id'"),
        ([_guide("a"), _guide("a")], "appears twice"),
        ([_guide("a", {"match": []})], "a: signatures[0].match: must be a non-empty list"),
        ([_guide("a", {"match": [{"text": "abc", "regex": "abc"}]})], "exactly one of"),
        ([_guide("a", {"match": [{"regex": "(x+)+y"}]})], "a: signatures[0].match[0]: nested quantifiers"),
        ([_guide("a", {"package": "", "match": [{"text": "abc"}]})], "package: must be a package name"),
    ],
)
def test_bundle_from_guides_rejects(guides: List[Dict[str, Any]], message: str) -> None:
    with pytest.raises(SignatureError, match=re.escape(message)):
        bundle_from_guides(guides)


def _valid() -> Dict[str, Any]:
    return bundle_from_guides([_guide("a", {"match": [{"text": "abc"}]})])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.update(format=1), "format 1 is not supported (expected 2)"),  # no programs: refused
        (lambda b: b.update(guides={}), "'guides' must be a list"),
        (lambda b: b["guides"][0].pop("title"), "title: must be a string"),
        (lambda b: b["guides"][0]["signatures"][0].pop("score"), "score: must be an integer"),
        (lambda b: b["guides"][0]["signatures"][0].update(need=[]), "equal length"),
        (lambda b: b["guides"][0]["signatures"][0].update(match=[{"regex": "abc"}], need=[["abc"]]), '{"regex": ..., "program": [...]}'),
        (lambda b: b["guides"][0]["signatures"][0].update(need=[["zzz"]]), "must be [the text]"),
    ],
)
def test_load_bundle_rejects_malformed(mutate: Any, message: str) -> None:
    bundle = _valid()
    mutate(bundle)
    with pytest.raises(SignatureError, match=re.escape(message)):
        load_bundle(bundle)


def test_load_bundle_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="cannot be read"):
        load_bundle_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", "utf-8")
    with pytest.raises(SignatureError, match="not JSON"):
        load_bundle_file(bad)


@pytest.fixture(scope="module")
def matcher() -> Any:
    return load_bundle(bundle_from_guides(GUIDES))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tricky_logs_route_to_expected_guide(matcher: Any, name: str) -> None:
    matches = matcher.match_stream(io.BytesIO((LOGS / name).read_bytes()))
    assert (matches[0].id if matches else None) == EXPECTED[name]


@pytest.mark.parametrize(
    ("log", "top", "absent"),
    [
        # the package-bound guide beats the generic one with the same condition
        ("Collecting tiktoken\nerror: can't find Rust compiler\n", "tiktoken-no-rust", None),
        # without the package named, only the generic guide matches
        ("error: can't find Rust compiler\n", "rust-compiler-missing", "tiktoken-no-rust"),
        # a missing ffi.h is not a missing Python.h
        ("Collecting cffi\nfatal error: ffi.h: No such file or directory\n", "cffi-ffi-h-missing", "python-h-missing"),
        # NumPy 2 ABI break is not the old API version mismatch, and vice versa
        ("A module that was compiled using NumPy 1.x cannot be run in\n", "numpy2-abi", "numpy-old-abi"),
        ("module compiled against API version 0x10 but this version of numpy is 0xf\n", "numpy-old-abi", "numpy2-abi"),
        # one of two conditions is not enough
        ("Building wheel for tiktoken\nRead-only file system (os error 30)\n", None, "cargo-read-only"),
        # the package must be the one named: orjson does not satisfy tiktoken
        ("Building wheel for orjson\nfailed to create directory `/x`\nRead-only file system (os error 30)\n", None, "cargo-read-only"),
        # names compare normalised, uv's backticks and versions are understood
        ("Failed to build `TikToken==0.6.0`\nerror: can't find Rust compiler\n", "tiktoken-no-rust", None),
    ],
)
def test_ranking_and_near_misses(matcher: Any, log: str, top: Optional[str], absent: Optional[str]) -> None:
    ids = [m.id for m in matcher.match(log.splitlines())]
    assert (ids[0] if ids else None) == top
    if absent:
        assert absent not in ids


def test_more_conditions_beat_fewer() -> None:
    m = load_bundle(bundle_from_guides([
        _guide("one", {"match": [{"text": "error: linker `cc` not found"}]}),
        _guide("two", {"match": [{"text": "error: linker `cc` not found"}, {"text": "note: No such file"}]}),
    ]))
    got = m.match(["error: linker `cc` not found", "note: No such file or directory (os error 2)"])
    assert [x.id for x in got] == ["two", "one"]
    assert got[0].lines == [(1, "error: linker `cc` not found"), (2, "note: No such file or directory (os error 2)")]


def test_match_reports_line_numbers_and_normalised_text(matcher: Any) -> None:
    (top, *_rest) = matcher.match_stream(io.BytesIO((LOGS / "render.log").read_bytes()))
    assert top.lines == [
        (2, "Collecting tiktoken==0.6.0"),
        (4, "error: failed to create directory `/usr/local/cargo/registry/cache/index.crates.io-6f17d22bba15001f`"),
        (7, "Read-only file system (os error 30)"),
    ]


def _all_logs() -> List[Path]:
    kb = Path(__file__).parent.parent / "kb" / "samples"
    return sorted(p for p in LOGS.rglob("*") if p.is_file()) + sorted(kb.glob("**/*.log"))


def test_stream_and_line_paths_agree(matcher: Any) -> None:
    for path in _all_logs():
        if path.suffix not in (".log", ".bin"):
            continue
        raw = path.read_bytes()
        streamed = matcher.match_stream(io.BytesIO(raw))
        by_line = matcher.match([t for _, t in logtext.iter_lines(io.BytesIO(raw))])
        assert streamed == by_line, path.name
        # and a push feeder given tiny blocks agrees too
        feeder = matcher.feeder()
        for first, block in logtext.iter_blocks(io.BytesIO(raw), chunk_size=7):
            # The feeder counts the lines of a block for its reader.
            assert feeder.block(first, block) == block.count("\n") + 1, path.name
        assert feeder.results() == streamed, path.name
        assert list(logtext.iter_texts(io.BytesIO(raw), chunk_size=7)) == [
            block for _, block in logtext.iter_blocks(io.BytesIO(raw), chunk_size=7)
        ]


def test_prefilter_never_hides_a_match() -> None:
    # Conditions whose literal sits anywhere in the line, including right after
    # a stripped prefix and in lines far longer than the literal.
    conds = ["ERROR: Failed", "Failed building wheel", "wheel for psutil", "(os error 30)", "exit code: 1"]
    m = load_bundle(bundle_from_guides([_guide(f"g{i}", {"match": [{"text": c}]}) for i, c in enumerate(conds)]))
    for path in _all_logs():
        if path.suffix != ".log":
            continue
        text = path.read_text("utf-8", "replace")
        lines = logtext.normalise(text)
        expected = sorted(f"g{i}" for i, c in enumerate(conds) if any(c in line for line in lines))
        got = sorted(x.id for x in m.match_stream(io.BytesIO(path.read_bytes())))
        assert got == expected, path.name


def test_guide_url() -> None:
    assert guide_url("guides/x/", "") == "guides/x/"
    assert guide_url("guides/x/", "http://127.0.0.1:8000/") == "http://127.0.0.1:8000/guides/x/"


def test_garbage_never_crashes(matcher: Any) -> None:
    import random

    rng = random.Random(1)
    for _ in range(50):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(2000)))
        matcher.match_stream(io.BytesIO(blob))


# -- the block scan (anchor keys, pruning of matched conditions) against brute force

_TRICKY = [
    "Using CPython 3.12.1 interpreter at: /usr/bin/python3.12",  # a Python vote
    "creating build/temp.linux-x86_64-cpython-311/src",  # votes 3.11: ties with the line above
    "Downloading x-1.0-cp313-cp313-win_amd64.whl (1 MB)",  # Windows wheel, a third Python
    "2024-06-03T10:15:04.1234567Z ##[error]Failed building wheel for psutil",  # prefix + annotation
    "  Building wheel for cffi (pyproject.toml): started",  # a mention
    "Collecting psutil==5.9.8",  # a package name with a version
    "   Compiling serde v1.0.193",  # noise
    "[ 45%] Building C object CMakeFiles/x.dir/a.c.o",  # a mention anchor that names nothing
    "x86_64-linux-gnu-gcc -I/usr/include/python3.10 -c a.c",  # anchors inside anchors
    "build/lib.macosx-11.0-arm64-cpython-312   ",  # trailing blanks after a build dir
    "creating build/temp.macosx-10.9-universal2-cpython-39",  # another macOS build dir: the last one wins
    "-L/usr/lib/aarch64-linux-gnu -lfoo",  # matches its rule's regex but lacks the anchor
    "call vcvarsall.bat x64",  # likewise (the anchor is .exe)
    "Nov 28 05:12:34 PMSVC and ##[error]C:/Users/x.c cp311-cp311",  # evidence right after stripped prefixes
    "  Downloading foo-1.0.tar.gz (1 kB)",  # a source archive: foo's build is under way
    "  note: This error originates from a subprocess, and is likely not a problem with pip.",  # a nameless marker
    "ERROR: Command errored out with exit status 1:",  # old pip's
    "pip._vendor.pyproject_hooks._impl.BackendUnavailable: Traceback (most recent call last):",
    "\u2570\u2500> pyaudio",  # pip's box naming the failed package
    "  \u2570\u2500> [18 lines of output]",  # ... and not naming one
    "  File \"/tmp/pip-install-ab_1/mysqlclient_0123456789abcdef0123456789abcdef/setup.py\", line 15",
    "  File \"/tmp/x/numpy-1.24.4/setup.py\", line 1",
    "Command \"python setup.py egg_info\" failed with error code 1 in /tmp/pip-build-ab1/mysqlclient/",  # pip < 20
    "  Caused by: Failed to fetch wheel: pillow==9.0.0",  # uv < 0.5
    "  \u2716 Install foo 1.0 failed",  # pdm
    "Collecting numexpr",  # collected last
    "ERROR: Package 'numpy' requires a different Python: 3.13.0 not in '<3.12,>=3.9'",  # the running Python
    "",
]


def _reference(matcher: Any, raw: bytes) -> Any:
    """What matching line by line, and diagnosing every line with every rule, gives."""
    from generator.logs.diagnose import Diagnoser, diagnose

    lines = [t for _, t in logtext.iter_lines(io.BytesIO(raw))]
    # diagnose() normalises lines itself, and pip's box margin matters to it.
    raw_lines = [line for _, block in logtext.iter_blocks(io.BytesIO(raw)) for line in block.split("\n")]
    return matcher.analyse(lines, Diagnoser()), diagnose(raw_lines)


def _streamed(matcher: Any, raw: bytes, chunk_size: int, via: str = "text") -> Any:
    """Feed ``raw`` in blocks of decoded text (``via="text"``) or of undecoded bytes (``"bytes"``)."""
    from generator.logs.diagnose import Diagnoser

    diagnoser = Diagnoser()
    feeder = matcher.feeder(diagnoser)
    if via == "bytes":
        number = 1
        for block in logtext.iter_raw_blocks(io.BytesIO(raw), chunk_size=chunk_size):
            number += feeder.block_bytes(number, block)
    else:
        for first, text in logtext.iter_blocks(io.BytesIO(raw), chunk_size=chunk_size):
            assert feeder.block(first, text) == text.count("\n") + 1
    return (feeder.results(), diagnoser.result()), feeder


def _mixed_log(seed: int, n: int) -> bytes:
    import random

    rng = random.Random(seed)
    own = _TRICKY[:]  # lines written for the guides of guides.json, which the matcher holds
    kb: List[str] = []
    for path in _all_logs():
        if path.suffix == ".log":
            (own if path.parent == LOGS else kb).extend(path.read_text("utf-8", "replace").splitlines())
    # Half the lines come from each pool, so the matcher's anchors recur often enough to
    # exercise pruning, and the halves test finds something, however many kb samples there are.
    return "\n".join(rng.choice(own if rng.random() < 0.5 else kb) for _ in range(n)).encode("utf-8") + b"\n"


@pytest.mark.parametrize("via", ["text", "bytes"])
@pytest.mark.parametrize("chunk_size", [7, 512, 1 << 20])  # a block per line or so, small blocks, one block
def test_block_scan_agrees_with_line_by_line(matcher: Any, chunk_size: int, via: str) -> None:
    for path in _all_logs():
        if path.suffix not in (".log", ".bin"):
            continue
        raw = path.read_bytes()
        got, _feeder = _streamed(matcher, raw, chunk_size, via)
        assert got == _reference(matcher, raw), path.name


@pytest.mark.parametrize("via", ["text", "bytes"])
@pytest.mark.parametrize("seed", range(6))
def test_block_scan_agrees_on_long_mixed_logs(matcher: Any, seed: int, via: str) -> None:
    # Long enough that matched conditions' anchors get dropped from the scan
    # mid-log (the repeated lines hit them again and again).
    raw = _mixed_log(seed, 4000)
    got, feeder = _streamed(matcher, raw, 2048, via)
    assert got == _reference(matcher, raw)
    assert feeder._built_done, "the scan was never rebuilt: pruning untested"


# Bytes that make a block take the decoding path, or decode to something else
# than their characters: invalid and truncated UTF-8, a lone continuation byte,
# ANSI colours, a control byte, Windows paths; and the non-ASCII anchors.
_JUNK = [b"\xff", b"\xe2\x95", b"\x80", b"\xf0\x9f\x98", b"\x1b[31m", b"\x07", b"C:\\Users\\me", "╰─> ".encode(), "×".encode()]


@pytest.mark.parametrize("seed", range(8))
def test_bytes_scan_agrees_on_logs_with_broken_utf8_and_escapes(matcher: Any, seed: int) -> None:
    # Junk spliced into lines, rarely, so that some blocks are plain and go
    # through the scan of bytes and others through decoding; blocks end
    # anywhere, and sections reach back across blocks.
    import random

    rng = random.Random(seed)
    lines = _mixed_log(seed, 1500).split(b"\n")
    for _ in range(12):
        k = rng.randrange(len(lines))
        at = rng.randrange(len(lines[k]) + 1)
        lines[k] = lines[k][:at] + rng.choice(_JUNK) + lines[k][at:]
    raw = b"\n".join(lines)
    want = _reference(matcher, raw)
    for chunk_size in (300, 4096, 1 << 20):
        got, feeder = _streamed(matcher, raw, chunk_size, "bytes")
        assert got == want, chunk_size
        # and the failing sections kept are the same lines as when decoding all
        _got, by_text = _streamed(matcher, raw, chunk_size, "text")
        assert feeder._sections.export() == by_text._sections.export(), chunk_size


@pytest.mark.parametrize("lead", [0, 100, 249, 250, 251, 700])
def test_bytes_scan_keeps_the_sections_decoding_all_keeps(matcher: Any, lead: int) -> None:
    # A marker ``lead`` lines into a block, after lines with non-ASCII
    # characters (so offsets in bytes and in characters differ), then more
    # markers than open sections, and a long tail.
    noise = ["━━ %d gcc -I/usr/include/python3.11 -c é_%d.c" % (i, i) for i in range(lead)]
    marker = ["  note: This error originates from a subprocess, and is likely not a problem with pip."]
    lines = noise + marker + noise[:50] + marker * 8 + ["× tail %d" % i for i in range(400)]
    raw = "\n".join(lines).encode("utf-8")
    for chunk_size in (8192, 1 << 20):
        got, by_bytes = _streamed(matcher, raw, chunk_size, "bytes")
        want, by_text = _streamed(matcher, raw, chunk_size, "text")
        assert got == want
        assert by_bytes._sections.export() == by_text._sections.export()


def test_pruning_keeps_the_anchor_a_pending_condition_shares() -> None:
    # "early" and "late" need the same literal, so they share one anchor;
    # "early" matches at once, "late" only at the end, after thousands of
    # lines whose anchors lead only to matched conditions (so the scan is
    # rebuilt in between, mention anchors included once cffi is named).
    m = load_bundle(bundle_from_guides([
        _guide("early", {"match": [{"text": "wheel for psutil"}]}),
        _guide("late", {"match": [{"regex": "wheel for psutil$"}]}),
        _guide("done", {"match": [{"text": "zzz done here"}]}),
        _guide("pkg", {"package": "cffi", "match": [{"text": "error: ffi.h"}]}),
    ]))
    lines = ["zzz done here", "x wheel for psutil and more", "Collecting cffi", "error: ffi.h"]
    lines += ["zzz done here", "x wheel for psutil and more", "Collecting other"] * 1000
    lines += ["x wheel for psutil"]
    raw = "\n".join(lines).encode()
    feeder = m.feeder()
    for first, block in logtext.iter_blocks(io.BytesIO(raw), chunk_size=4096):
        feeder.block(first, block)
    got = {x.id: x.lines for x in feeder.results()}
    assert got == {
        "done": [(1, "zzz done here")],
        "early": [(2, "x wheel for psutil and more")],
        "late": [(len(lines), "x wheel for psutil")],
        "pkg": [(3, "Collecting cffi"), (4, "error: ffi.h")],
    }
    assert feeder._built_done, "the scan was never rebuilt: pruning untested"
    assert not feeder._wants_mentions  # every package named: mention anchors dropped
    assert got == {x.id: x.lines for x in m.match([line for line in lines])}


# -- big files: two processes, one half each, merged (signatures.PARALLEL_MIN)


def _split_run(matcher: Any, path: Path, monkeypatch: pytest.MonkeyPatch, parallel_min: int) -> Any:
    from generator.logs import matcher as signatures
    from generator.logs.diagnose import Diagnoser

    monkeypatch.setattr(signatures, "PARALLEL_MIN", parallel_min)
    diagnoser = Diagnoser()
    with path.open("rb") as stream:
        assert (signatures._split_point(stream) is not None) == (parallel_min <= path.stat().st_size)
        got = matcher.match_stream(stream, diagnoser)
        assert stream.read() == b""  # left at the end, as one pass would leave it
    return got, diagnoser.result()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="halves need os.fork")
@pytest.mark.parametrize(
    ("seed", "prefix", "lead"),
    [
        (0, b"", 0),  # plain lines: each half finds some things first
        (1, b"", 6000),  # noise first: everything is found by the second half
        (2, b"\xef\xbb\xbf", 6000),  # lines start with a UTF-8 BOM: only the file's first is one
        (3, b"\r\n", 0),  # CRLF and empty lines everywhere
        (4, b"x" * 300, 6000),  # some lines longer than the test's MAX_LINE
    ],
)
def test_halves_agree_with_one_pass(matcher: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    caplog: Any, seed: int, prefix: bytes, lead: int) -> None:
    caplog.set_level("DEBUG", logger="wheelfix.signatures")
    # Long noise lines, so that with ``lead`` the first half holds nothing else.
    lines = [b"noise %d " % i + b"-" * 150 for i in range(lead)] + _mixed_log(seed, 3000).split(b"\n")
    raw = b"\n".join(prefix + line if i % 3 else line for i, line in enumerate(lines))
    monkeypatch.setattr(logtext, "MAX_LINE", 256)
    path = tmp_path / "big.log"
    path.write_bytes(raw)
    halves = _split_run(matcher, path, monkeypatch, 1000)
    one_pass = _split_run(matcher, path, monkeypatch, len(raw) + 1)
    assert halves == one_pass
    assert halves == _reference(matcher, raw)
    if lead:  # the second half found everything: its line numbers were shifted
        assert halves[0] and min(n for m in halves[0] for n, _t in m.lines) > lead
        assert halves[1].python is not None
    assert "reading the second half again" not in caplog.text  # merged, not redone


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="halves need os.fork")
def test_halves_fall_back_to_one_pass_when_the_package_cap_is_reached(
    matcher: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from generator.logs import diagnose

    caplog.set_level("DEBUG", logger="wheelfix.signatures")
    monkeypatch.setattr(diagnose, "MAX_PACKAGES", 20)
    raw = _mixed_log(7, 2000) + b"".join(b"Building wheel for p%d\n" % i for i in range(60)) + _mixed_log(8, 2000)
    path = tmp_path / "big.log"
    path.write_bytes(raw)
    halves = _split_run(matcher, path, monkeypatch, 1000)
    assert halves == _split_run(matcher, path, monkeypatch, len(raw) + 1)
    assert halves == _reference(matcher, raw)
    assert len(halves[1].built_from_source) == 20
    assert "reading the second half again" in caplog.text


# -- regex conditions run in linear time (generator.logs.linre), not in re's backtracking


@pytest.mark.parametrize(
    ("pattern", "pad", "line"),
    [
        ("(a|a)*zzz", "a", 1),
        ("(a|aa)*zzz", "a", 1),
        ("\\s*\\s*\\s*\\s*\\s*zzz", " ", 1),
        ("a.*a.*a.*a.*zzz", "a", 1),
        ("(?:a|a)+[a-z]*zzz$", "a", None),  # "!" before the zzz of line 1, "!" after that of line 3
    ],
)
def test_backtracking_shapes_match_in_linear_steps(pattern: str, pad: str, line: Optional[int]) -> None:
    # Python's re needs 2^n steps (or n^4) for these lines: seconds at 26 characters.
    m = load_bundle(bundle_from_guides([_guide("g", {"match": [{"regex": pattern}]})]))
    lines = ["x" + pad * 20000 + "!zzz", "x" + pad * 20000 + "zz", "x" + pad * 20000 + "zzz!"]
    got = m.match(lines)
    assert [(x.id, x.lines[0][0]) for x in got] == ([] if line is None else [("g", line)])
    (cond,) = m._conds
    assert cond.program is not None
    assert cond.program.steps <= 3 * sum(len(text) + 1 for text in lines) * cond.program.size


def test_api_doc_example_is_a_bundle_as_built() -> None:
    # docs/api.md shows a signatures.json: its programs, needs and score must be what the build writes.
    doc = (Path(__file__).parent.parent / "docs" / "api.md").read_text("utf-8")
    section = doc[doc.index("## `signatures.json`"):]
    example = json.loads(section[section.index("```json") + 7: section.index("```", section.index("```json") + 7)])
    assert example["format"] == BUNDLE_FORMAT
    load_bundle(example)
    (guide,) = example["guides"]
    rebuilt = bundle_from_guides([{
        **guide,
        "signatures": [
            {"package": s["package"], "match": [{k: v for k, v in c.items() if k != "program"} for c in s["match"]]}
            for s in guide["signatures"]
        ],
    }])
    assert rebuilt["guides"][0]["signatures"] == guide["signatures"]


def test_load_bundle_refuses_one_regex_with_two_programs() -> None:
    # Conditions are shared by pattern, so one pattern must run one program.
    bundle = bundle_from_guides([_guide("a", {"match": [{"regex": "boom\\d"}]}), _guide("b", {"match": [{"regex": "boom\\d"}]})])
    load_bundle(bundle)
    bundle["guides"][1]["signatures"][0]["match"][0]["program"] = compile_pattern("boom\\w")[1]
    with pytest.raises(SignatureError, match=re.escape("guides[1].signatures[0].match[0]: regex 'boom\\\\d' appears with two different programs")):
        load_bundle(bundle)
