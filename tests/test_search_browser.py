"""The site search in headless Chromium: every symptom line of the KB, typed or pasted.

The lines come from kb/, not from a list kept here, and fall in four classes:

* distinctive: a line whose searched words only its own guide holds (in its
  indexed title, summary, packages and telling symptoms): its guide must come
  first.  The words are the line's, or for pip's framing that names a package
  ("ERROR: Failed building wheel for tiktoken"), the package's name;
* shared: a line whose searched words several guides hold: one of those first;
* generic: pip's framing around any failed build, naming nothing: no guide is
  ranked, the box says why and offers the paste page;
* lines derived to match nothing (a word that no guide's text comes near):
  the box says no guide matches and offers the paste page.

Needs Chromium and chromedriver (``bash .ci/install-browser.sh``), like
tests/test_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterator, List, Set, Tuple
from urllib.parse import urlsplit

import pytest

from browser import StaticServer, chromium, require_browser, wait_for_page
from searchbox import Answer, CountingServer, ask
from sitebuild import ROOT, kb_config, mkdocs

from generator import kb as kb_mod
from generator.site import search
from test_search import SEPARATOR

pytestmark = pytest.mark.browser

KB = kb_mod.load(ROOT / "kb")
_PATTERN = re.compile(SEPARATOR)


def _words(text: str) -> FrozenSet[str]:
    return frozenset(w.lower() for w in search.tokens(text, _PATTERN))


#: guide id -> the lower-case words the index holds for it.
INDEXED: Dict[str, FrozenSet[str]] = {
    doc.url.split("/")[1]: _words(doc.content(_PATTERN)) for doc in search.documents(KB)
}
ALL_WORDS: Set[str] = set().union(*INDEXED.values())


def _holders(line: str) -> List[str]:
    """The guides whose indexed words hold the words the box searches for ``line``."""
    names = search.framing(line)
    words = _words(line) if names is None else _words(names[0])
    return sorted(gid for gid, held in INDEXED.items() if words <= held)


def _classify() -> Tuple[List[Tuple[str, str]], List[Tuple[str, List[str]]], List[str], List[str]]:
    distinctive: List[Tuple[str, str]] = []
    shared: Dict[str, List[str]] = {}
    generic: Set[str] = set()
    unknown_package: Set[str] = set()
    for rec in KB.records:
        for line in rec.incident.symptoms:
            names = search.framing(line)
            if names == ():
                generic.add(line)
                continue
            holders = _holders(line)
            if names and not holders:
                # A general guide quoting pip's line for some package: no guide is about that package.
                unknown_package.add(line)
                continue
            assert names or rec.incident.id in holders, (rec.incident.id, line)
            if holders == [rec.incident.id]:
                distinctive.append((rec.incident.id, line))
            else:
                shared[line] = holders
    return distinctive, sorted(shared.items()), sorted(generic), sorted(unknown_package)


DISTINCTIVE, SHARED, GENERIC, UNKNOWN_PACKAGE = _classify()


def _own_lines() -> List[Tuple[str, str]]:
    """Each guide's first distinctive line; failing one, its first framing line naming its package.

    The second is for a guide whose every telling line other guides quote too
    (orjson's build errors are PyO3's and cargo's): pip's line naming the
    package is then what tells it apart, and the guide about that package,
    before those that only mention it, must come first.
    """
    first = {gid: line for gid, line in reversed(DISTINCTIVE)}
    for rec in KB.records:
        if rec.incident.id not in first:
            for line in rec.incident.symptoms:
                names = search.framing(line)
                if names and names[0].lower() in {p.lower() for p in rec.incident.packages}:
                    first[rec.incident.id] = line
                    break
    return sorted(first.items())


#: Each guide's own line (see :func:`_own_lines`): the one typed key by key.
FIRST_DISTINCTIVE = _own_lines()

#: Error lines of other failures; those with a word no guide's text comes near are used.
_ELSEWHERE = [
    "Can not find valid pkg-config name",
    "fatal: could not read Username for 'https://example.invalid': terminal prompts disabled",
    "zipimport.ZipImportError: can't decompress data; zlib not available",
    "OSError: [Errno 28] No space left on device",
    "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.",
    "ImportError: libGL.so.1: cannot open shared object file: No such file or directory",
    "ssl.SSLCertVerificationError: certificate verify failed: unable to get local issuer certificate",
    "c++: fatal error: Killed signal terminated program cc1plus",
]


def _far_from_every_guide(word: str) -> bool:
    # Pagefind stems words and completes the last one as a prefix: a word is far
    # when no indexed word shares its first four letters, either way round.
    w = word.lower()
    return not any(x.startswith(w[:4]) or w.startswith(x[:4]) for x in ALL_WORDS)


NOTHING = [line for line in _ELSEWHERE if any(_far_from_every_guide(w) for w in _words(line))]


def test_the_kb_gives_every_class_of_line() -> None:
    # Each class must hold lines, or the tests below check nothing.
    assert len(FIRST_DISTINCTIVE) == len(KB.records), sorted(
        {r.incident.id for r in KB.records} - {gid for gid, _ in FIRST_DISTINCTIVE}
    )
    assert SHARED and GENERIC and len(NOTHING) >= 3, (SHARED, GENERIC, NOTHING)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from kb/ (no index data: search does not read it)."""
    require_browser()
    tmp = tmp_path_factory.mktemp("search-site")
    proc = mkdocs(kb_config(tmp, ROOT / "kb", index=False), tmp / "site")
    assert proc.returncode == 0, proc.stderr
    return tmp / "site"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/``, serving the site."""
    with StaticServer(site) as server:
        yield server.url


@pytest.fixture(scope="module")
def driver(base_url: str) -> Iterator[Any]:
    with chromium() as d:
        d.get(base_url)
        wait_for_page(d)
        yield d


def _guide(href: str, base_url: str) -> str:
    path = urlsplit(href).path[len(urlsplit(base_url).path):]
    m = re.fullmatch(r"guides/([^/]+)/", path)
    assert m, f"a result links to {href}, not to a guide"
    return m.group(1)


def _count(answer: Answer) -> int:
    m = re.search(r"(\d+) guides? match", answer.meta)
    assert m, f"the box says {answer.meta!r}, not how many guides match"
    return int(m.group(1))


def _check_ranked(answer: Answer, line: str, base_url: str, expected: List[str]) -> List[str]:
    problems = []
    ranked = [_guide(h, base_url) for h in answer.hrefs]
    if not ranked or ranked[0] not in expected:
        problems.append(f"{line!r}: first {ranked[:3]}, expected one of {expected}")
    elif "Missing" in answer.text:
        problems.append(f"{line!r}: the results say {answer.text[:200]!r}")
    elif _count(answer) < len(ranked):
        problems.append(f"{line!r}: the box says {answer.meta!r} but lists {len(ranked)}")
    return problems


@pytest.mark.parametrize("gid, line", FIRST_DISTINCTIVE, ids=[gid for gid, _ in FIRST_DISTINCTIVE])
def test_a_typed_distinctive_line_lands_on_its_guide(driver: Any, base_url: str, gid: str, line: str) -> None:
    answer = ask(driver, line, "typed")
    assert _check_ranked(answer, line, base_url, [gid]) == []
    # Answered by the guides that hold its words (this one alone, unless it is pip's line naming
    # a package that other guides mention), not by a page of near-misses.
    assert _count(answer) == len(_holders(line)), (line, answer.meta, answer.hrefs)


@pytest.mark.parametrize("entry", ["pasted-js", "pasted-cdp"])
def test_every_pasted_distinctive_line_lands_on_its_guide(driver: Any, base_url: str, entry: str) -> None:
    problems = []
    for gid, line in DISTINCTIVE:
        answer = ask(driver, line, entry)
        problems += _check_ranked(answer, line, base_url, [gid])
        shown = answer.lines[0] if answer.lines else ""
        # The result quotes the line it matched (framing lines are not indexed, so not quoted).
        if problems == [] and search.framing(line) is None and _words(line) - _words(shown):
            problems.append(f"{line!r}: the first result quotes {shown!r}, not the line")
    assert problems == [], "\n".join(problems)


def test_a_shared_line_lands_on_a_guide_that_holds_it(driver: Any, base_url: str) -> None:
    problems = []
    for line, holders in SHARED:
        answer = ask(driver, line)
        problems += _check_ranked(answer, line, base_url, holders)
        ranked = {_guide(h, base_url) for h in answer.hrefs}
        if len(holders) <= 10 and not set(holders) <= ranked:
            problems.append(f"{line!r}: lists {sorted(ranked)}, not every guide holding it {holders}")
    assert problems == [], "\n".join(problems)


GENERIC_EXAMPLES = [
    "Getting requirements to build wheel did not run successfully.",
    "error: subprocess-exited-with-error",
    "note: This error originates from a subprocess, and is likely not a problem with pip.",
]


@pytest.mark.parametrize("line", sorted(set(GENERIC) | set(GENERIC_EXAMPLES)))
def test_a_generic_line_ranks_no_guide(driver: Any, base_url: str, line: str) -> None:
    answer = ask(driver, line)
    assert answer.hrefs == [], (line, answer.titles)
    assert "does not tell which guide applies" in answer.meta
    assert [urlsplit(h).path for h in answer.meta_links] == [urlsplit(base_url).path + "paste/"]


@pytest.mark.parametrize("line", UNKNOWN_PACKAGE)
def test_a_line_naming_a_package_no_guide_is_about_says_so(driver: Any, base_url: str, line: str) -> None:
    answer = ask(driver, line)
    name = search.framing(line)[0]  # type: ignore[index]
    assert answer.hrefs == [], (line, answer.titles)
    assert f"no guide is about {name}" in answer.meta, answer.meta
    assert [urlsplit(h).path for h in answer.meta_links] == [urlsplit(base_url).path + "paste/"]


@pytest.mark.parametrize("line", NOTHING)
def test_a_line_that_matches_nothing_says_so(driver: Any, base_url: str, line: str) -> None:
    answer = ask(driver, line)
    assert answer.hrefs == [], (line, answer.titles)
    assert answer.meta.startswith("No guide matches this line."), answer.meta
    assert [urlsplit(h).path for h in answer.meta_links] == [urlsplit(base_url).path + "paste/"]


def test_the_index_is_fetched_only_when_the_box_is_used(site: Path) -> None:
    with CountingServer(site) as server, chromium() as d:
        d.get(server.url + "guides/")
        wait_for_page(d)
        before = [path for path, _ in server.take()]
        ask(d, FIRST_DISTINCTIVE[0][1])
        after = [path for path, _ in server.take()]
    assert not [p for p in before if p.startswith("/pagefind/")], before
    assert "/pagefind/pagefind.js" in after and "/pagefind/wheelfix-search.json" in after, after
    # Only the chunks of the words searched and the results checked: not every fragment.
    fragments = [p for p in after if p.startswith("/pagefind/fragment/")]
    assert 1 <= len(fragments) < len(KB.records), fragments
    assert len([p for p in after if p.startswith("/pagefind/index/")]) >= 1, after


@pytest.mark.parametrize("width", [375, 1280])
def test_the_results_fit_the_screen(driver: Any, base_url: str, width: int) -> None:
    size = driver.get_window_size()
    driver.set_window_size(width, 900)
    try:
        driver.get(base_url)
        wait_for_page(driver)
        assert ask(driver, "error: can't find Rust compiler").hrefs
        box = driver.execute_script(
            "const r = document.querySelector('.wf-search__output').getBoundingClientRect();"
            "return [r.left, r.right, document.documentElement.clientWidth];"
        )
    finally:
        driver.set_window_size(size["width"], size["height"])
    left, right, viewport = box
    assert 0 <= left and right <= viewport, f"at {width} px the results span {left:.0f}..{right:.0f} of {viewport} px"
