"""The built site in headless Chromium: search, the paste page, table contrast, no external requests.

Needs Chromium and chromedriver from Debian (``bash .ci/install-browser.sh``);
without them these tests fail, unless ``WHEELFIX_SKIP_BROWSER=1`` is set.
Set ``WHEELFIX_SHOTS_DIR`` to keep the screenshots of the wheel table, and
``WHEELFIX_BROWSER_SITE`` to test a site already built there (e.g. a deploy
artefact) instead of building one.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest

from browser import (
    StaticServer,
    chromium,
    outside_traffic,
    requests_sent,
    require_browser,
    set_value_and_input,
    wait_for,
    wait_for_page,
)
from indexserver import IndexServer
from searchbox import ENTRY, ask
from sitebuild import ROOT, mkdocs

from generator.logs.bundle import load_bundle

pytestmark = pytest.mark.browser

TIKTOKEN = "tiktoken-cargo-read-only-filesystem"
# The general guide for cargo's read-only CARGO_HOME error: a bare error line (no package
# named) lands on it; the tiktoken guide, the specific one, follows in the results.
READ_ONLY = "cargo-read-only-filesystem"
SAMPLES = sorted((ROOT / "kb" / "samples").glob("*/*.log"))


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once against the recorded index on 127.0.0.1."""
    require_browser()  # before the build: a missing browser should say so at once
    prebuilt = os.environ.get("WHEELFIX_BROWSER_SITE")
    if prebuilt:
        assert (Path(prebuilt) / "index.html").is_file(), f"WHEELFIX_BROWSER_SITE={prebuilt} holds no built site"
        return Path(prebuilt)
    site = tmp_path_factory.mktemp("site")
    with IndexServer() as server:
        env = {"PIP_INDEX_URL": server.index_url, "WHEELFIX_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
        proc = mkdocs(ROOT / "mkdocs.yml", site, env=env)
    assert proc.returncode == 0, proc.stderr
    return site


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/``, serving the built site."""
    with StaticServer(site_dir) as server:
        yield server.url


@pytest.fixture(scope="module")
def driver(site_dir: Path) -> Iterator[Any]:
    with chromium() as d:
        yield d


def _path(url: str, base_url: str) -> str:
    """``url``'s path relative to the site root (query and fragment dropped)."""
    path = urlsplit(url).path
    root = urlsplit(base_url).path
    assert path.startswith(root), f"{url} is outside the site {base_url}"
    return path[len(root):]


# --- 1. search: an error line, typed or pasted, lands on its guide ------------------------

QUERIES = [
    # The last line of the error, with parentheses and a hyphen.
    "Read-only file system (os error 30)",
    # cargo's message: a colon, backticks and slashes.
    "error: failed to create directory `/usr/local/cargo/registry/cache`",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("entry", sorted(ENTRY))  # typed key by key, pasted by script, pasted by the browser
def test_search_lands_on_the_guide(driver: Any, base_url: str, entry: str, query: str) -> None:
    driver.get(base_url)
    wait_for_page(driver)
    answer = ask(driver, query, entry)
    listed = [_path(href, base_url) for href in answer.hrefs]
    assert listed and listed[0] == f"guides/{READ_ONLY}/", f"query {query!r} ({entry}) ranked first: {listed[:5]}"
    # The specific guide follows in the results.
    assert f"guides/{TIKTOKEN}/" in listed, listed


# --- 2. the paste page picks the same guide as `wheelfix explain` -------------------------


def _python_ranking(site_dir: Path, log: bytes) -> List[str]:
    """Guide ids, best first, as ``wheelfix explain`` ranks them with the site's signatures.json."""
    matcher = load_bundle(json.loads((site_dir / "signatures.json").read_text(encoding="utf-8")))
    # explain feeds the matcher the log's bytes as a stream (generator/cli/commands/explain.py).
    return [m.id for m in matcher.match_stream(io.BytesIO(log))]


def _page_ranking(driver: Any, base_url: str, log: bytes) -> List[str]:
    """Paste ``log`` into the paste page; the guide ids it shows, best first ([] for no match)."""
    from selenium.webdriver.common.by import By

    driver.get(base_url + "paste/")
    wait_for_page(driver)
    textarea = driver.find_element(By.ID, "wheelfix-log")
    # What a browser paste yields: the log decoded as text.
    set_value_and_input(driver, textarea, log.decode("utf-8", "replace"))
    driver.find_element(By.CSS_SELECTOR, "#wheelfix-paste button").click()

    def rendered(d: Any) -> Optional[Tuple[str, List[str]]]:
        results = d.find_element(By.ID, "wheelfix-results")
        text = results.text.strip()
        if not text or text == "Matching…":
            return None
        return text, [a.get_attribute("href") for a in results.find_elements(By.CSS_SELECTOR, "li > a")]

    text, links = wait_for(driver, rendered, "the paste page's results")
    if not links:
        assert text.startswith("No guide matches"), f"the paste page shows neither guides nor 'no match': {text!r}"
    ids = []
    for link in links:
        m = re.fullmatch(r"guides/([^/]+)/", _path(link, base_url))
        assert m, f"a result links to {link}, not to a guide"
        ids.append(m.group(1))
    return ids


@pytest.mark.parametrize("log", SAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in SAMPLES])
def test_paste_page_finds_the_samples_guide(driver: Any, base_url: str, site_dir: Path, log: Path) -> None:
    shown = _page_ranking(driver, base_url, log.read_bytes())
    by_python = _python_ranking(site_dir, log.read_bytes())
    top = shown[0] if shown else None
    assert top == (by_python[0] if by_python else None), f"paste page shows {shown}, `wheelfix explain` ranks {by_python}"
    assert top == log.parent.name, f"paste page shows {shown} for a sample of {log.parent.name}"


@pytest.mark.parametrize(
    "order",
    [
        "sorted",  # every sample log, one after another: each guide matches
        "reversed",  # the same, last first: the ranking must not follow the order of the lines
    ],
)
def test_paste_page_ranks_like_explain(driver: Any, base_url: str, site_dir: Path, order: str) -> None:
    # No single sample matches more than its own guide, so ranking is only tested on a mix.
    logs = SAMPLES if order == "sorted" else SAMPLES[::-1]
    mixed = b"\n".join(p.read_bytes().rstrip(b"\n") for p in logs) + b"\n"
    by_python = _python_ranking(site_dir, mixed)
    assert len(by_python) >= 2, f"the mixed log matches {by_python}: too few guides to test a ranking"
    shown = _page_ranking(driver, base_url, mixed)
    # The page shows the best five.
    assert shown == by_python[:5]


def _paste_and_wait(driver: Any, base_url: str, text: str, **settings: str) -> Tuple[str, Dict[str, str]]:
    """Paste ``text`` with the paste box's ``data-*`` settings; the results' text and the box's data."""
    from selenium.webdriver.common.by import By

    driver.get(base_url + "paste/")
    wait_for_page(driver)
    box = driver.find_element(By.ID, "wheelfix-paste")
    for name, value in settings.items():
        driver.execute_script("arguments[0].dataset[arguments[1]] = arguments[2];", box, name, value)
    set_value_and_input(driver, driver.find_element(By.ID, "wheelfix-log"), text)
    box.find_element(By.CSS_SELECTOR, "button").click()

    def done(d: Any) -> Optional[str]:
        shown = d.find_element(By.ID, "wheelfix-results").text.strip()
        return shown if shown and shown != "Matching…" else None

    shown = wait_for(driver, done, "the paste page's results")
    return shown, driver.execute_script("return Object.assign({}, arguments[0].dataset);", box)


def test_paste_page_matches_in_a_worker(driver: Any, base_url: str) -> None:
    # A worker keeps the page responsive however long matching takes.
    shown, data = _paste_and_wait(driver, base_url, SAMPLES[0].read_text("utf-8"))
    assert data.get("matchedIn") == "worker", f"matched in {data.get('matchedIn')!r}, results: {shown[:200]!r}"
    assert not shown.startswith("No guide matches")


def test_paste_page_refuses_a_paste_over_its_size_bound(driver: Any, base_url: str) -> None:
    text = SAMPLES[0].read_text("utf-8")
    shown, data = _paste_and_wait(driver, base_url, text, maxChars="100")
    assert shown.startswith(f"This log has {len(text)} characters; this page matches at most 100."), shown
    assert "wheelfix explain" in shown and "matchedIn" not in data


def test_paste_page_stops_matching_after_its_time_budget(driver: Any, base_url: str) -> None:
    # 1 ms is far less than starting a worker and matching 2 MB takes: the page must stop it and say so.
    text = SAMPLES[0].read_text("utf-8")
    big = text * (2_000_000 // len(text) + 1)
    shown, data = _paste_and_wait(driver, base_url, big, timeBudgetMs="1")
    assert shown.startswith("Matching this log took more than 1 ms, so it was stopped."), shown
    assert "matchedIn" not in data


def test_samples_exist() -> None:
    # The parametrized test above would pass vacuously on an empty list.
    assert any(p.parent.name == TIKTOKEN for p in SAMPLES)


# --- 3. wheel tables read in light mode, dark mode and without colour ---------------------

STATES = ["wheel", "sdist", "none", "yanked"]
SYMBOLS = {"✓", "⚙", "✗", "⊘"}

_COLOURS_JS = """
const out = [];
for (const el of document.querySelectorAll(arguments[0])) {
  const stack = [];
  for (let e = el; e; e = e.parentElement) stack.push(getComputedStyle(e).backgroundColor);
  stack.push("rgb(255, 255, 255)");  // the canvas behind everything
  out.push({tag: el.tagName, text: el.textContent.trim(), color: getComputedStyle(el).color, backgrounds: stack});
}
return out;
"""


def _rgba(value: str) -> Tuple[float, float, float, float]:
    m = re.fullmatch(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", value.strip())
    assert m, f"cannot read the computed colour {value!r}"
    r, g, b, a = m.groups()
    return float(r), float(g), float(b), 1.0 if a is None else float(a)


def _over(top: Tuple[float, float, float, float], below: Tuple[float, float, float]) -> Tuple[float, float, float]:
    r, g, b, a = top
    return (r * a + below[0] * (1 - a), g * a + below[1] * (1 - a), b * a + below[2] * (1 - a))


def _effective_background(stack: List[str]) -> Tuple[float, float, float]:
    """The colour seen behind an element: its background over its ancestors', alpha-blended."""
    colour: Tuple[float, float, float] = _rgba(stack[-1])[:3]
    for value in reversed(stack[:-1]):
        colour = _over(_rgba(value), colour)
    return colour


def _luminance(rgb: Tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: Tuple[float, float, float], bg: Tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize(
    "fg, bg, ratio",
    [
        ((0, 0, 0), (255, 255, 255), 21.0),  # the maximum
        ((255, 255, 255), (255, 255, 255), 1.0),  # no contrast
        ((118, 118, 118), (255, 255, 255), 4.54),  # #767676, the lightest grey passing AA on white
    ],
)
def test_contrast_formula(fg: Tuple[float, float, float], bg: Tuple[float, float, float], ratio: float) -> None:
    assert contrast(fg, bg) == pytest.approx(ratio, abs=0.01)


def test_effective_background_blends_transparent_layers() -> None:
    # A transparent cell over a half-transparent black row over white is mid grey.
    assert _effective_background(["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0.5)", "rgb(255, 255, 255)"]) == (127.5, 127.5, 127.5)


@pytest.mark.parametrize("scheme", ["default", "slate"])  # Material's light and dark palettes
def test_wheel_table_is_readable(driver: Any, base_url: str, scheme: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base_url + f"guides/{TIKTOKEN}/")
    wait_for_page(driver)
    driver.execute_script("document.body.setAttribute('data-md-color-scheme', arguments[0])", scheme)
    assert driver.execute_script("return document.body.getAttribute('data-md-color-scheme')") == scheme

    shots = os.environ.get("WHEELFIX_SHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        block = driver.find_element(By.CSS_SELECTOR, ".wf-table")  # the table with its legend
        # Scroll it below Material's fixed header, which would otherwise cover the column heads.
        driver.execute_script("window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY - 120)", block)
        block.screenshot(str(Path(shots) / f"table-{scheme}.png"))

    # Without colour: every cell is a symbol, and the legend says in words what each means.
    cells = driver.execute_script(_COLOURS_JS, ".wf-matrix td")
    assert cells, "the wheel table has no cells"
    legend = {e["text"][:1]: e for e in driver.execute_script(_COLOURS_JS, ".wf-legend [class^=wf-]")}
    for symbol in SYMBOLS:
        assert symbol in legend, f"the legend has no entry for {symbol}: {sorted(legend)}"
        assert re.fullmatch(re.escape(symbol) + r"\s+\w.*", legend[symbol]["text"]), (
            f"legend entry {legend[symbol]['text']!r} does not name its symbol in words"
        )
    bad = sorted({c["text"] for c in cells} - SYMBOLS)
    assert not bad, f"cells whose text is not one of {sorted(SYMBOLS)}: {bad}"

    # Each state class shows one symbol, the one its legend entry shows.
    for state in STATES:
        in_legend = driver.execute_script(_COLOURS_JS, f".wf-legend .wf-{state}")
        assert len(in_legend) == 1, f"the legend has {len(in_legend)} entries for .wf-{state}"
        symbol = in_legend[0]["text"][:1]
        shown = {c["text"] for c in driver.execute_script(_COLOURS_JS, f".wf-matrix td.wf-{state}")}
        assert shown <= {symbol}, f".wf-{state} cells show {sorted(shown)}, the legend says {symbol}"

    # With colour: 4.5:1 (WCAG AA, normal text) for every state, in cells and legend alike.
    failures = []
    measured: Dict[str, float] = {}
    for state in STATES:
        for el in driver.execute_script(_COLOURS_JS, f".wf-matrix .wf-{state}, .wf-legend .wf-{state}"):
            background = _effective_background(el["backgrounds"])
            ratio = contrast(_over(_rgba(el["color"]), background), background)
            measured[state] = min(ratio, measured.get(state, ratio))
            if ratio < 4.5:
                failures.append(f".wf-{state} {el['tag']} {el['text']!r}: {el['color']} on {el['backgrounds'][0]} = {ratio:.2f}")
    assert set(measured) == set(STATES), f"no element of some state on the page: measured {sorted(measured)}"
    assert not failures, f"contrast below 4.5 in scheme {scheme}:\n" + "\n".join(failures[:10])


# --- 4. no request leaves 127.0.0.1 -------------------------------------------------------


def test_no_external_requests(site_dir: Path, base_url: str) -> None:
    sent: List[Tuple[str, str]] = []
    with chromium(performance_log=True) as d:
        d.get(base_url)
        wait_for_page(d)
        assert ask(d, "cargo").hrefs
        sent += requests_sent(d)

        d.get(base_url + f"guides/{TIKTOKEN}/")
        wait_for_page(d)
        sent += requests_sent(d)

        _page_ranking(d, base_url, SAMPLES[0].read_bytes())  # results shown: signatures.json was fetched
        sent += requests_sent(d)

    urls = [u for u, _ in sent]
    assert any(u.endswith("/signatures.json") for u in urls), f"the paste page fetched no signatures.json: {urls}"
    # The search's own fetches run in a worker, which this log does not see; the net log test below does.
    assert any(u.endswith("/pagefind/pagefind.js") for u in urls), f"the search loaded no index: {urls}"
    site = urlsplit(base_url).netloc

    def allowed(url: str, document: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            return parts.netloc == site
        if parts.scheme in ("data", "blob"):
            return True
        # Chromium's own pages (its start tab) load chrome:// resources; no network is involved.
        return parts.scheme == "chrome" and urlsplit(document).scheme == "chrome"

    outside = sorted({f"{u}  (from {doc or '?'})" for u, doc in sent if not allowed(u, doc)})
    assert not outside, f"requests that do not go to {site}:\n" + "\n".join(outside)


_FETCH_JS = """
const done = arguments[arguments.length - 1];
Promise.all(arguments[0].map(url => fetch(url, {mode: "no-cors", cache: "no-store"}).then(() => "reached", e => "failed: " + e.message)))
  .then(done);
"""


def test_the_browser_reaches_only_loopback(site_dir: Path, base_url: str, tmp_path: Path) -> None:
    # Chromium's own net log sees the browser process too (updates, sign-in, network time,
    # the start page), which the DevTools performance log of the page above does not.
    # It also sees the search's worker fetching the index.
    net_log = tmp_path / "net-log.json"
    port = urlsplit(base_url).port
    with chromium(net_log=net_log) as d:
        d.get(base_url)
        wait_for_page(d)
        assert ask(d, "cargo").hrefs
        d.get(base_url + f"guides/{TIKTOKEN}/")
        wait_for_page(d)
        _page_ranking(d, base_url, SAMPLES[0].read_bytes())
        outcomes = d.execute_async_script(_FETCH_JS, [
            base_url,  # the site itself: reachable
            f"http://wheelfix-blocked.localhost:{port}/",  # loopback by name, but not excluded from the rules
            "https://example.com/",
        ])
    assert outcomes[0] == "reached", outcomes
    # Chromium resolves *.localhost to loopback by itself; failing here shows the resolver rules are in force.
    assert outcomes[1].startswith("failed"), outcomes
    assert outcomes[2].startswith("failed"), outcomes
    assert base_url.rstrip("/") in net_log.read_text(encoding="utf-8"), "the net log did not record the site's own requests"
    assert "/pagefind/index/" in net_log.read_text(encoding="utf-8"), "the net log did not record the search's worker"
    assert outside_traffic(net_log) == []


# --- 5. short links ----------------------------------------------------------------------


def test_short_link_leads_to_the_guide(driver: Any, base_url: str) -> None:
    driver.get(base_url + f"e/{TIKTOKEN}/")
    wait_for(driver, lambda d: "/guides/" in d.current_url, "the short link to redirect")
    wait_for_page(driver)
    assert _path(driver.current_url, base_url) == f"guides/{TIKTOKEN}/"
    assert "tiktoken" in driver.title


# --- the browser itself: missing means a clear failure, not a silent skip ------------------


@pytest.mark.parametrize(
    "skip_env, ci, outcome",
    [
        (None, "true", pytest.fail.Exception),  # CI: a missing browser must turn the run red
        ("1", "true", pytest.skip.Exception),  # opted out explicitly, even in CI
        ("0", "true", pytest.fail.Exception),  # only "1" opts out
        (None, None, pytest.skip.Exception),  # a developer's fresh machine: skip, saying how to run them
    ],
)
def test_a_missing_browser_names_the_install_script(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, skip_env: Optional[str], ci: Optional[str], outcome: type
) -> None:
    import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    if skip_env is None:
        monkeypatch.delenv(browser.SKIP_ENV, raising=False)
    else:
        monkeypatch.setenv(browser.SKIP_ENV, skip_env)
    with pytest.raises(outcome) as caught:
        browser.require_browser()
    assert ".ci/install-browser.sh" in str(caught.value)
    assert str(tmp_path / "no-chromium") in str(caught.value)
