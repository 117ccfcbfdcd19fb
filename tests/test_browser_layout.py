"""The built site in headless Chromium: at phone width (375 px) every table reads to its last column; the home page.

The pages visited are read from the built site (every guide, package and
readiness page), not listed by hand, so a new guide is checked as soon as it exists.
Set ``WHEELFIX_BROWSER_SITE`` to test a site already built there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import urlsplit

import pytest

from browser import StaticServer, chromium, require_browser, set_value_and_input, wait_for, wait_for_page
from indexserver import IndexServer
from sitebuild import ROOT, mkdocs

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": True}

# For each table: its last column's cells (the last cell of every row), and whether each can be
# brought into view (a heading cell spanning several columns: its right end).  A cell is reachable when it lies inside the viewport as the page is, or
# when its nearest sideways-scrolling ancestor, itself inside the viewport, shows it once
# scrolled to its end.  Pinned (sticky) row headers must stay inside that box after the scroll.
_REACH_JS = r"""
const viewport = document.documentElement.clientWidth;
const inside = (r, left, right) => r.left >= left - 1 && r.right <= right + 1;
function scroller(el) {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.overflowX === 'auto' || s.overflowX === 'scroll') return p;
  }
  return null;
}
const out = [];
document.querySelectorAll('article table').forEach((table, i) => {
  if (!table.offsetParent && table.closest('details:not([open])')) {
    table.closest('details').open = true;   // a folded table is read by opening it
  }
  const rows = Array.from(table.rows).filter(r => r.cells.length);
  const last = rows.map(r => r.cells[r.cells.length - 1]);
  const box = scroller(table);
  const problems = [];
  if (box) {
    const b = box.getBoundingClientRect();
    if (!inside(b, 0, viewport)) problems.push(`its scroll box spans ${b.left}..${b.right} of ${viewport} px`);
    box.scrollLeft = box.scrollWidth;
    const after = box.getBoundingClientRect();
    last.forEach((cell, k) => {
      // A heading spanning several columns (a target group) can be wider than the box: its end must show.
      const r = cell.getBoundingClientRect();
      const left = cell.colSpan > 1 ? Math.max(r.left, after.left) : r.left;
      if (!inside({left, right: r.right}, after.left, Math.min(after.right, viewport))) problems.push(`row ${k}: last cell at ${r.left}..${r.right}, box ${after.left}..${after.right}`);
    });
    table.querySelectorAll('th[scope=row]').forEach((th, k) => {
      const r = th.getBoundingClientRect();
      if (box.scrollLeft > 0 && !inside(r, after.left, after.right)) problems.push(`row header ${k} scrolled out of its box: ${r.left}..${r.right}`);
    });
    box.scrollLeft = 0;
  } else {
    last.forEach((cell, k) => {
      const r = cell.getBoundingClientRect();
      if (!inside(r, 0, viewport)) problems.push(`row ${k}: last cell at ${r.left}..${r.right} of ${viewport} px, and nothing scrolls`);
    });
  }
  out.push({index: i, cls: table.className, width: table.scrollWidth, scrolls: !!box, cells: last.length, problems});
});
return {viewport, tables: out};
"""


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_browser()
    prebuilt = os.environ.get("WHEELFIX_BROWSER_SITE")
    if prebuilt:
        return Path(prebuilt)
    site = tmp_path_factory.mktemp("site")
    with IndexServer() as server:
        env = {"PIP_INDEX_URL": server.index_url, "WHEELFIX_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
        proc = mkdocs(ROOT / "mkdocs.yml", site, env=env)
    assert proc.returncode == 0, proc.stderr
    return site


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    with StaticServer(site_dir) as server:
        yield server.url


@pytest.fixture(scope="module")
def phone(site_dir: Path) -> Iterator[Any]:
    with chromium() as d:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        yield d


def _pages(site_dir: Path) -> List[str]:
    """Every guide, package and readiness page of the built site, as paths under its root."""
    found = []
    for section in ("guides", "packages", "readiness"):
        for page in sorted((site_dir / section).rglob("index.html")):
            found.append(page.parent.relative_to(site_dir).as_posix() + "/")
    return found


def test_every_table_reaches_its_last_column_at_phone_width(phone: Any, base_url: str, site_dir: Path) -> None:
    pages = _pages(site_dir)
    assert any(p.startswith("guides/") for p in pages) and any(p.startswith("packages/") for p in pages), pages
    failures: List[str] = []
    wide = 0
    checked: Dict[str, int] = {}
    for page in pages:
        phone.get(base_url + page)
        wait_for_page(phone)
        found = phone.execute_script(_REACH_JS)
        assert found["viewport"] <= PHONE["width"], f"the page is laid out {found['viewport']} px wide, not at phone width"
        checked[page] = len(found["tables"])
        for table in found["tables"]:
            wide += table["width"] > found["viewport"]
            failures += [f"{page} table {table['index']} ({table['cls'] or 'plain'}): {p}" for p in table["problems"][:3]]
    assert not failures, f"{len(failures)} unreachable cell(s) at {PHONE['width']} px:\n" + "\n".join(failures[:40])
    # The check must be able to fail: the fixture KB has tables wider than a phone.
    assert wide > 0, f"no table wider than the viewport among {sum(checked.values())} tables: the check proved nothing"


def test_a_wide_table_scrolls_with_its_release_column_pinned(phone: Any, base_url: str, site_dir: Path) -> None:
    page = next(p for p in _pages(site_dir) if p.startswith("packages/"))
    phone.get(base_url + page)
    wait_for_page(phone)
    state = phone.execute_script(
        """
        const box = document.querySelector('.wf-scroll');
        box.closest('details') && (box.closest('details').open = true);
        const th = box.querySelector('tbody th[scope=row]');
        const before = th.getBoundingClientRect().left;
        box.scrollLeft = box.scrollWidth;
        const after = th.getBoundingClientRect().left;
        return {scrolled: box.scrollLeft, before, after, box: box.getBoundingClientRect().left};
        """
    )
    assert state["scrolled"] > 0, f"{page}: the matrix does not scroll at phone width: {state}"
    assert abs(state["after"] - state["box"]) <= 1, f"{page}: the release column moved with the scroll: {state}"


# --- the home page: search and paste, in the first screen --------------------------------------


@pytest.fixture(scope="module")
def desktop(site_dir: Path) -> Iterator[Any]:
    with chromium() as d:
        yield d


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_home_page_shows_search_and_paste_in_the_first_screen(desktop: Any, phone: Any, base_url: str, width: str) -> None:
    driver = desktop if width == "desktop" else phone
    driver.get(base_url)
    wait_for_page(driver)
    where = driver.execute_script(
        """
        const at = (sel) => { const e = document.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
        return {height: window.innerHeight, search: at('#wf-home-q'), paste: at('#wheelfix-log'), button: at('#wheelfix-paste button')};
        """
    )
    for part in ("search", "paste"):
        assert where[part] is not None, f"the home page has no {part} box"
        assert where[part]["top"] < where["height"], f"{width}: the {part} box starts below the first screen: {where}"


def test_the_home_paste_box_finds_the_guide(desktop: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By

    log = sorted((ROOT / "kb" / "samples" / "tiktoken-cargo-read-only-filesystem").glob("*.log"))[0]
    desktop.get(base_url)
    wait_for_page(desktop)
    set_value_and_input(desktop, desktop.find_element(By.ID, "wheelfix-log"), log.read_text(encoding="utf-8"))
    desktop.find_element(By.CSS_SELECTOR, "#wheelfix-paste button").click()
    link = wait_for(desktop, lambda d: d.find_elements(By.CSS_SELECTOR, "#wheelfix-results li a"), "the home page's paste results")[0]
    assert urlsplit(link.get_attribute("href")).path == urlsplit(base_url).path + "guides/tiktoken-cargo-read-only-filesystem/"


def test_the_home_search_box_opens_the_site_search_with_the_line(desktop: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By

    line = "Read-only file system (os error 30)"
    desktop.get(base_url)
    wait_for_page(desktop)
    field = desktop.find_element(By.ID, "wf-home-q")
    field.send_keys(line)
    field.submit()
    wait_for(desktop, lambda d: "q=" in d.current_url, "the search to open")
    wait_for_page(desktop)
    query = wait_for(desktop, lambda d: d.find_element(By.CSS_SELECTOR, ".wf-search__input"), "the site's search box")
    wait_for(desktop, lambda d: query.get_attribute("value").strip(), "the site search to take the line")
    assert query.get_attribute("value") == line
    items = wait_for(desktop, lambda d: d.find_elements(By.CSS_SELECTOR, ".wf-search__results a"), "search results for the line")
    assert "/guides/" in items[0].get_attribute("href")
