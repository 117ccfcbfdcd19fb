"""Helpers for the browser tests: serve a built site on 127.0.0.1, drive headless Chromium.

Chromium and its driver come from Debian (``.ci/install-browser.sh``), named by
path so that selenium-manager never looks for, or downloads, a browser of its
own.  When they are missing the tests fail, naming that script, unless
``WHEELFIX_SKIP_BROWSER=1`` is set: CI installs the browser, and a silent skip
there would hide a broken page.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import os
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Tuple, TypeVar

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_SCRIPT = ".ci/install-browser.sh"
SKIP_ENV = "WHEELFIX_SKIP_BROWSER"

#: Seconds an explicit wait may take before the test fails; generous, since a
#: loaded CI machine is slow and a wait returns as soon as its condition holds.
WAIT = 30.0

#: Every host name (and address) but localhost and 127.0.0.1 resolves to nothing, inside Chromium, before any DNS
#: query: the tests talk to 127.0.0.1 only, and nothing else may leave the machine.
HOST_RESOLVER_RULES = "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"

# --headless=new renders like a real window; the resolver rules and the rest keep
# Chromium from calling home (updates, sync, network time, autofill, field trials,
# the start page, preconnects), and from needing a GPU or a large /dev/shm.
# test_browser.py::test_the_browser_reaches_only_loopback checks its net log.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    f"--host-resolver-rules={HOST_RESOLVER_RULES}",
    "--no-proxy-server",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--homepage=about:blank",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-features=NetworkTimeServiceQuerying,AutofillServerCommunication,OptimizationHints,MediaRouter,Translate",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    # Desktop width: Material shows its search box in the header from 60em on.
    "--window-size=1280,1000",
)

T = TypeVar("T")


def require_browser() -> None:
    """Fail in CI, skip elsewhere, when Chromium or its driver is missing.

    CI (``CI`` set) installs the browser with .ci/install-browser.sh, so a missing
    browser there is a broken set-up and fails.  On a developer's fresh machine the
    README's test command must still pass, so the browser tests skip, saying how to
    run them; ``WHEELFIX_SKIP_BROWSER=1`` skips them anywhere.
    """
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not (p.is_file() and os.access(p, os.X_OK))]
    if not missing:
        try:
            import selenium  # noqa: F401
        except ImportError:
            missing.append("the selenium Python package")
    if not missing:
        return
    message = f"browser tests need {', '.join(missing)}: run `bash {INSTALL_SCRIPT}` (and `pip install selenium`)"
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(message + f" ({SKIP_ENV}=1 is set)")
    if not os.environ.get("CI"):
        pytest.skip(message + " (they always run in CI)")
    pytest.fail(message + f", or set {SKIP_ENV}=1 to skip them", pytrace=False)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


class StaticServer:
    """A ThreadingHTTPServer on 127.0.0.1:0 serving one directory (a built site)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The site's base URL, with a trailing slash: ``http://127.0.0.1:PORT/``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def __enter__(self) -> "StaticServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def chromium(performance_log: bool = False, net_log: Optional[Path] = None) -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, quit (and profile removed) on exit.

    With ``performance_log``, DevTools network events can be read with
    ``driver.get_log("performance")``.  With ``net_log``, the browser process
    writes every network event, its own background ones included, to that file
    (complete once the block exits).
    """
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="wheelfix-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    if net_log is not None:
        options.add_argument(f"--log-net-log={net_log}")
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(
    driver: Any,
    condition: Callable[[Any], Optional[T]],
    what: str,
    timeout: float = WAIT,
    state: Optional[Callable[[], str]] = None,
) -> T:
    """Wait until ``condition(driver)`` is truthy and return it.

    On timeout the test fails naming ``what`` and, if given, what ``state()``
    says the page shows instead.
    """
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        # Material re-renders search results while a query settles: an element read in
        # one pass can be replaced before the next read, so a stale one means "not yet".
        result = WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: condition(d) or False
        )
    except TimeoutException:
        shown = f"; instead {state()}" if state is not None else ""
        pytest.fail(f"timed out after {timeout:g}s waiting for {what} on {driver.current_url}{shown}", pytrace=False)
    return result


def wait_for_page(driver: Any) -> None:
    """Wait until the current document has finished loading."""
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete", "the page to load")


def set_value_and_input(driver: Any, element: Any, text: str) -> None:
    """Put ``text`` into a form field the way a context-menu paste does: value, then an ``input`` event."""
    driver.execute_script(
        "const el = arguments[0]; el.focus(); el.value = arguments[1];"
        "el.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste', data: arguments[1]}));",
        element,
        text,
    )


def requests_sent(driver: Any) -> List[Tuple[str, str]]:
    """``(url, document url)`` of every request in the performance log since the last call.

    The document is the page that made the request; the log is drained.
    """
    import json

    sent = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            params = message["params"]
            sent.append((params["request"]["url"], params.get("documentURL", "")))
    return sent


#: Net log events that mean a name went to a resolver: a DNS server or the system's getaddrinfo.
_LOOKUPS = ("DNS_TRANSACTION", "HOST_RESOLVER_DNS_TASK", "HOST_RESOLVER_SYSTEM_TASK")


def _is_loopback(endpoint: str) -> bool:
    host = endpoint.rsplit(":", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def outside_traffic(net_log: Path) -> List[str]:
    """What a Chromium net log (``--log-net-log``) shows leaving the machine.

    A name sent to a resolver, a TCP connection attempt to a non-loopback
    address, or a UDP datagram sent to one.  (A UDP connect without a datagram,
    as Chromium's IPv6 reachability probe does, sends nothing.)
    """
    data = json.loads(net_log.read_text(encoding="utf-8"))
    names = {number: name for name, number in data["constants"]["logEventTypes"].items()}
    found: List[str] = []
    udp_peer: dict[int, str] = {}
    for event in data["events"]:
        kind = names.get(event["type"], "")
        params = event.get("params") or {}
        source = event["source"]["id"]
        if kind in _LOOKUPS:
            found.append(f"{kind} {params.get('hostname') or params.get('host') or ''}".strip())
        elif kind in ("TCP_CONNECT", "TCP_CONNECT_ATTEMPT"):
            for endpoint in params.get("address_list", []) + ([params["address"]] if "address" in params else []):
                if not _is_loopback(endpoint):
                    found.append(f"{kind} {endpoint}")
        elif kind == "UDP_CONNECT" and "address" in params:
            udp_peer[source] = params["address"]
        elif kind == "UDP_BYTES_SENT":
            peer = params.get("address") or udp_peer.get(source, "?")
            if not _is_loopback(peer):
                found.append(f"{kind} {peer}")
    return sorted(set(found))
