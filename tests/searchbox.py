"""Driving the site's search box (docs/assets/javascripts/search.js) in headless Chromium.

The box renders its answer asynchronously and marks it with the line it
answers (``data-query``), so a reader of the results waits for the answer to
the whole line, not for one to a prefix typed on the way.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

from browser import StaticServer, _QuietHandler, set_value_and_input, wait_for

SEARCH_INPUT = "input.wf-search__input"

_ANSWER_JS = """
const out = document.querySelector('.wf-search__output');
if (!out || out.hidden || out.getAttribute('data-query') !== arguments[0]) return null;
return {
  meta: out.querySelector('.wf-search__meta').textContent,
  metaLinks: [...out.querySelectorAll('.wf-search__meta a')].map(a => a.href),
  hrefs: [...out.querySelectorAll('.wf-search__result a')].map(a => a.href),
  titles: [...out.querySelectorAll('.wf-search__title')].map(e => e.textContent),
  lines: [...out.querySelectorAll('.wf-search__result a')].map(a => (a.querySelector('.wf-search__line') || {}).textContent || ''),
  text: out.textContent,
};
"""


@dataclass(frozen=True)
class Answer:
    """What the box shows for one query."""

    meta: str
    meta_links: List[str]
    hrefs: List[str]
    titles: List[str]
    lines: List[str]
    text: str


def _type(driver: Any, box: Any, text: str) -> None:
    box.send_keys(text)


def _paste_js(driver: Any, box: Any, text: str) -> None:
    # A paste from the context menu: the value changes and an "input" event fires, no key events.
    set_value_and_input(driver, box, text)


def _paste_cdp(driver: Any, box: Any, text: str) -> None:
    # The browser's own text insertion (as for a paste or an IME), with trusted input events.
    driver.execute_cdp_cmd("Input.insertText", {"text": text})


#: How a query gets into the box.
ENTRY: Dict[str, Callable[[Any, Any, str], None]] = {"typed": _type, "pasted-js": _paste_js, "pasted-cdp": _paste_cdp}


def search_box(driver: Any) -> Any:
    from selenium.webdriver.common.by import By

    return wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, SEARCH_INPUT), "the search box")[0]


def ask(driver: Any, text: str, entry: str = "pasted-cdp") -> Answer:
    """Empty the box, enter ``text`` (one line) as ``entry`` says, and return the answer to it."""
    box = search_box(driver)
    box.click()
    driver.execute_script("arguments[0].value = '';", box)
    ENTRY[entry](driver, box, text)
    line = text.strip()

    def answer(d: Any) -> Optional[Answer]:
        shown = d.execute_script(_ANSWER_JS, line)
        if not shown:
            return None
        return Answer(shown["meta"], shown["metaLinks"], shown["hrefs"], shown["titles"], shown["lines"], shown["text"])

    return wait_for(
        driver, answer, f"the search box's answer to {text!r} ({entry})",
        state=lambda: f"the box holds {box.get_attribute('value')!r}",
    )


class _CountingHandler(_QuietHandler):
    """Serves files like the static server and records (path, bytes sent) of each."""

    def copyfile(self, source: IO[bytes], outputfile: IO[bytes]) -> None:  # type: ignore[override]
        data = source.read()
        outputfile.write(data)
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.sent.append((self.path.split("?")[0], len(data)))  # type: ignore[attr-defined]


class CountingServer(StaticServer):
    """A :class:`StaticServer` that records every file it sends, from pages and workers alike.

    The DevTools log of a page does not see the requests of its web workers
    (Pagefind searches in one), so the server counts instead.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(_CountingHandler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.sent = []  # type: ignore[attr-defined]
        self.httpd.lock = threading.Lock()  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def take(self) -> List[Tuple[str, int]]:
        """(path, bytes) of each file sent since the last call."""
        with self.httpd.lock:  # type: ignore[attr-defined]
            sent: List[Tuple[str, int]] = list(self.httpd.sent)  # type: ignore[attr-defined]
            self.httpd.sent.clear()  # type: ignore[attr-defined]
        return sent
