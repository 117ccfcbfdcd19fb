"""A site built from attack strings runs none of them, and shows the plain-text ones literally.

The knowledge base holds, in every field, every payload of
tests/data/payloads/payloads.yaml that ``wheelfix check`` accepts there (plain
text is escaped, not refused: titles like ``</title><script>...``, symptoms
like ``<module>``), one record and one environment per payload.  The site is
built by the real ``mkdocs build --strict``.  A trap defined before any page
script records every call of ``__pwned`` (what the payloads call) and of
``alert``/``confirm``/``prompt``; every page is visited, the search and the
paste page are used, and the DOM is searched for handlers, scriptable URLs and
injected elements.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from browser import StaticServer, chromium, require_browser, set_value_and_input, wait_for, wait_for_page
from searchbox import ask
from payloadkb import ENV_FIELDS, PAYLOADS, RECORD_FIELDS, Path_, fit, payload_kb
from sitebuild import kb_config, mkdocs

from generator.kb import safetext
from generator.site.markup import one_line

pytestmark = pytest.mark.browser

TRAP = """
window.__pwned_calls = [];
window.__pwned = function (id) { window.__pwned_calls.push(String(id)); };
["alert", "confirm", "prompt", "print"].forEach(function (name) {
  window[name] = function (x) { window.__pwned_calls.push(name + ": " + x); };
});
"""

#: Wait for queued events (an image's error, a details element's toggle) to have fired.
_SETTLE_JS = """
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(window.__pwned_calls || null), 0)));
"""

#: What in the live DOM could run or was injected by record text.
_DOM_JS = r"""
const out = [];
const HANDWRITTEN = "#wheelfix-paste, #wheelfix-results, #wf-home-search";
const URL_ATTRIBUTES = ["href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcdoc"];
for (const el of document.querySelectorAll("*")) {
  for (const a of el.attributes) {
    const name = a.name.toLowerCase();
    if (name.startsWith("on")) out.push(el.tagName + " " + name);
    if (["autofocus", "srcdoc", "data-toc-label"].includes(name)) out.push(el.tagName + " " + name);
    if (name === "markdown" && !el.matches(HANDWRITTEN)) out.push(el.tagName + " " + name);
    if (URL_ATTRIBUTES.includes(name)) {
      const m = /^([a-z][a-z0-9+.\-]*):/i.exec(a.value.replace(/[\x00-\x20]/g, ""));
      if (m && !["http", "https"].includes(m[1].toLowerCase())) out.push(el.tagName + " " + name + "=" + a.value);
    }
  }
  if (el.tagName === "SCRIPT" && el.textContent.includes("__pwned") ) out.push("script holding a payload");
}
for (const el of document.querySelectorAll(".md-content :is(script, iframe, frame, object, embed, img, base, form, input, textarea, style, link, meta)")) {
  // The paste box's textarea and scripts (docs/paste.md, the home page) and the home page's search
  // form (a GET to the home page itself, which Material's search reads) are the only ones the site writes.
  if (el.matches("#wheelfix-paste textarea, #wf-home-search, #wf-home-search input") || (el.tagName === "SCRIPT" && el.src && new URL(el.src).origin === location.origin)) continue;
  out.push(el.tagName + " in the content");
}
return out;
"""

#: What a guide shows of its title and symptoms.
_GUIDE_JS = """
const h1 = document.querySelector(".md-content h1");
const topic = document.querySelector(".md-header__topic[data-md-component=header-topic]");
return {
  title: document.title,
  h1: h1 ? Array.from(h1.childNodes).filter(n => !(n.classList && n.classList.contains("headerlink"))).map(n => n.textContent).join("") : null,
  topic: topic ? topic.textContent : null,
  code: Array.from(document.querySelectorAll(".md-content pre")).map(p => p.textContent).join("\\n"),
};
"""


def _accepted(path: Path_, text: str) -> bool:
    kind = dict(RECORD_FIELDS + ENV_FIELDS)[path]
    return not (safetext.plain_findings(text) if kind == "plain" else safetext.markdown_findings(text))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Dict[str, str]]]:
    require_browser()
    tmp = tmp_path_factory.mktemp("payload-site")
    ids = payload_kb(tmp / "kb", _accepted)
    site = tmp / "site"
    proc = mkdocs(kb_config(tmp, tmp / "kb", index=False), site)
    assert proc.returncode == 0, proc.stderr
    # A page that does run a payload: the trap and the DOM search must both see it.
    (site / "control.html").write_text("<!doctype html><title>c</title><img src=x onerror=\"__pwned('control')\">", encoding="utf-8")
    with StaticServer(site) as server:
        yield server.url, site, ids


@pytest.fixture(scope="module")
def driver(built: Any) -> Iterator[Any]:
    with chromium() as d:
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})
        yield d


def _visit(driver: Any, url: str) -> List[str]:
    """Load ``url``; what ran, and what the DOM holds that could run."""
    driver.get(url)
    wait_for_page(driver)
    calls = driver.execute_async_script(_SETTLE_JS)
    assert calls is not None, f"the trap was not installed on {url}"
    return [f"ran: {c}" for c in calls] + driver.execute_script(_DOM_JS)


def test_the_detectors_see_a_payload_that_runs(driver: Any, built: Any) -> None:
    base, _, _ = built
    found = _visit(driver, base + "control.html")
    assert "ran: control" in found and "IMG onerror" in found, found


def test_no_page_runs_a_payload_and_titles_read_literally(driver: Any, built: Any) -> None:
    base, site, ids = built
    assert len(ids) >= len(PAYLOADS) - 5, "most payloads should make it into titles"
    pages = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    # Short links redirect to their guide; one is enough to cover the redirect page itself.
    pages = [p for p in pages if not p.startswith("e/")] + [next(p for p in pages if p.startswith("e/"))]
    assert len(pages) > len(PAYLOADS), pages
    problems = {}
    wrong = []
    for page in pages:
        url = base + ("" if page == "." else page + "/")
        found = _visit(driver, url)
        if found:
            problems[page] = found
        rid = page[len("guides/"):]
        if page.startswith("guides/") and rid in ids:
            wrong.extend(_literal_problems(driver, rid, ids[rid]))
    assert not problems, problems
    assert not wrong, "\n".join(wrong)


def _literal_problems(driver: Any, rid: str, name: str) -> List[str]:
    """How the current guide page fails to show its title and symptom as written."""
    title = one_line(fit(("title",), PAYLOADS[name]))
    shown = driver.execute_script(_GUIDE_JS)
    wrong = []
    if shown["title"] != f"{title} - wheelfix":
        wrong.append(f"{rid} ({name}): <title> shows {shown['title']!r}")
    if one_line(shown["h1"] or "") != title:
        wrong.append(f"{rid} ({name}): the heading shows {shown['h1']!r}")
    if one_line(shown["topic"] or "") != title:
        wrong.append(f"{rid} ({name}): the header shows {shown['topic']!r}")
    if PAYLOADS[name] not in shown["code"]:
        wrong.append(f"{rid} ({name}): the symptoms do not show {PAYLOADS[name]!r}")
    return wrong


def test_search_results_run_nothing_and_show_titles(driver: Any, built: Any) -> None:
    base, _, _ = built
    driver.get(base)
    wait_for_page(driver)
    answer = ask(driver, "onerror", "typed")
    assert answer.hrefs, answer.meta
    calls = driver.execute_async_script(_SETTLE_JS)
    assert calls == [] and driver.execute_script(_DOM_JS) == []
    assert "onerror=__pwned(" in answer.text, answer.text[:500]


def test_paste_page_shows_titles_as_text(driver: Any, built: Any) -> None:
    from selenium.webdriver.common.by import By

    base, _, ids = built
    numbers = sorted(int(rid.split("-")[1]) for rid in ids)
    driver.get(base + "paste/")
    wait_for_page(driver)
    log = "\n".join(f"payload marker {n}" for n in numbers)
    set_value_and_input(driver, driver.find_element(By.ID, "wheelfix-log"), log)
    driver.find_element(By.CSS_SELECTOR, "#wheelfix-paste button").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#wheelfix-results li > a"), "the paste page's results")
    calls = driver.execute_async_script(_SETTLE_JS)
    assert calls == [] and driver.execute_script(_DOM_JS) == []
    titles = [one_line(a.get_attribute("textContent")) for a in driver.find_elements(By.CSS_SELECTOR, "#wheelfix-results li > a")]
    expected = {one_line(fit(("title",), PAYLOADS[name])) for name in ids.values()}
    assert titles and set(titles) <= expected, titles
