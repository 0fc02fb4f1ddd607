"""Running the app for real: a Streamlit server on localhost and Debian's Chromium.

Shared by the browser tests and the benchmark.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# For many pages of one site open at once in one context (the load test): the pages not in
# front keep full-speed timers and rendering, and they share one renderer process, which
# compiles the page's 5 MB of JavaScript once instead of once per page (pages open twice
# as fast on 2 cores).
MANY_PAGES_ARGS = [
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--process-per-site",
]
MAP_SELECTOR = ".st-key-map .js-plotly-plot"
DETAIL_HEADING = ".st-key-detail h3"
CLICK_GAP_MS = 400

MARKER_POSITIONS_JS = """() => {
  const plot = document.querySelector('.st-key-map .js-plotly-plot');
  const layout = plot._fullLayout;
  const box = plot.querySelector('.main-svg').getBoundingClientRect();
  const found = [];
  plot.data.forEach(trace => trace.x.forEach((x, i) => found.push({
    code: trace.customdata[i],
    x: box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
    y: box.top + layout.yaxis._offset + layout.yaxis.l2p(trace.y[i]),
  })));
  return found;
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_browser() -> None:
    """Skip a browser test where Chromium is missing, but fail it in CI, where a skipped
    browser test would hide a broken install."""
    import pytest

    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium package (make test does)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class RunningServer:
    url: str
    pid: int
    log_fd: int

    def rss_kib(self) -> int:
        """Resident memory of the server process (VmRSS), in KiB."""
        return read_rss_kib(self.pid)

    def log_text(self) -> str:
        """Everything the server has written to stderr so far."""
        # pread leaves the offset the server writes at untouched.
        return os.pread(self.log_fd, os.fstat(self.log_fd).st_size, 0).decode(errors="replace")


def read_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def streamlit_process(
    script: Path = ROOT / "app.py",
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    options: dict[str, str] | None = None,
) -> Iterator[RunningServer]:
    """Start ``streamlit run`` on a free localhost port; yield its URL and process id.

    ``options`` are extra ``--name value`` server flags, e.g.
    ``{"server.disconnectedSessionTTL": "2"}``.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    for name, value in (options or {}).items():
        command += [f"--{name}", value]
    # The log goes to a file, not a pipe: a pipe nobody reads fills up under load and
    # then blocks the server mid-write.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(process, url, log, timeout)
            yield RunningServer(url, process.pid, log.fileno())
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(process: subprocess.Popen, url: str, log, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"streamlit exited: {log.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("streamlit did not become healthy in time")
        time.sleep(0.2)


@contextmanager
def streamlit_server(
    script: Path = ROOT / "app.py",
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    options: dict[str, str] | None = None,
) -> Iterator[str]:
    """Start ``streamlit run`` on a free localhost port; yield its base URL."""
    with streamlit_process(script, env, timeout, options) as server:
        yield server.url


def launch_chromium(playwright, extra_args: list[str] | None = None):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + (extra_args or [])
    )


def marker_positions(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Viewport positions of every marker, from the figure's own axes, with the whole map
    scrolled into view first (a click outside the viewport reaches nothing)."""
    # An instant scroll is done when the call returns, so the positions read next are final.
    page.evaluate(
        "() => document.querySelector('.st-key-map')"
        ".scrollIntoView({block: 'center', behavior: 'instant'})"
    )
    return page.evaluate(MARKER_POSITIONS_JS)


def wait_for_map(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(MAP_SELECTOR, timeout=30_000)
    page.wait_for_function(
        "() => { const p = document.querySelector('.st-key-map .js-plotly-plot');"
        " return p && p._fullLayout && p._fullLayout.xaxis && p.data && p.data.length > 0; }",
        timeout=30_000,
    )


# Times a click or a tap in the page itself: from the mousedown (or, for a tap, the
# touchstart, which comes first) to the moment a MutationObserver sees the detail heading
# start with the expected code. Playwright's own round trips fall outside the measured span.
ARM_CLICK_TIMER_JS = """code => {
  window.__clickLatency = null;
  let started = null;
  const start = () => { if (started === null) started = performance.now(); };
  for (const type of ['mousedown', 'touchstart']) {
    window.addEventListener(type, start, {capture: true, once: true});
  }
  const shows = () => {
    const heading = document.querySelector('.st-key-detail h3');
    return heading !== null && heading.textContent.startsWith(code + ' ');
  };
  const observer = new MutationObserver(() => {
    if (started !== null && shows()) {
      window.__clickLatency = performance.now() - started;
      observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def timed_click(  # type: ignore[no-untyped-def]
    page, x: float, y: float, code: str, timeout_ms: int = 15_000, tap: bool = False
) -> float:
    """Click (or tap) at (x, y); return the milliseconds until the detail heading shows
    ``code``."""
    page.evaluate(ARM_CLICK_TIMER_JS, code)
    if tap:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)
    page.wait_for_function("() => window.__clickLatency !== null", timeout=timeout_ms)
    return float(page.evaluate("() => window.__clickLatency"))


def separated_markers(markers: list[dict], min_gap_px: float = 6.0) -> list[dict]:
    """One marker per point, only where no other point's marker is close enough to take
    the click, in the order the figure draws them."""
    chosen: dict[str, dict] = {}
    for marker in markers:
        if marker["code"] in chosen:
            continue
        clear = all(
            (marker["x"] - other["x"]) ** 2 + (marker["y"] - other["y"]) ** 2 >= min_gap_px**2
            for other in markers
            if other["code"] != marker["code"]
        )
        if clear:
            chosen[marker["code"]] = marker
    return list(chosen.values())


def spread(items: list, count: int) -> list:
    """``count`` items taken evenly through the list (all of them if there are fewer)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(index * step)] for index in range(count)]


def wait_until_settled(page, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page has drawn something and its script run has finished."""
    # Visible ones only: an element that draws nothing (a script, say) may come first.
    page.locator("[data-testid=stMainBlockContainer] .stElementContainer").filter(
        visible=True
    ).first.wait_for(timeout=timeout_ms)
    page.wait_for_selector('.stApp[data-test-script-state="notRunning"]', timeout=timeout_ms)


# True once nothing on the page will still change by itself: no element left stale from
# the previous run, fonts and images loaded, every chart laid out, and no fade still
# running (Streamlit fades elements in and out over up to 300 ms; a colour-contrast check
# taken mid-fade measures the wrong colours). Endless animations, such as a spinner, are
# not waited for.
DRAWN_JS = """() => {
  if (document.querySelector('[data-stale="true"]')) return false;
  if (document.fonts.status !== 'loaded') return false;
  if (![...document.images].every(image => image.complete)) return false;
  if (![...document.querySelectorAll('.js-plotly-plot')].every(plot => plot._fullLayout))
    return false;
  return document.getAnimations().every(animation =>
    animation.playState !== 'running'
    || animation.effect.getComputedTiming().iterations === Infinity);
}"""


def wait_until_drawn(page, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script run has finished and the browser has finished drawing it."""
    wait_until_settled(page, timeout_ms)
    page.wait_for_function(DRAWN_JS, timeout=timeout_ms)


def wait_until(condition, timeout_s: float, interval_s: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``condition()`` until it holds (True) or ``timeout_s`` passes (False): waits only
    as long as the condition needs, where a fixed sleep waits for the worst case."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval_s)
    return True


def page_links(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The URL of every page in the app's menu, each once (a page may link to another in
    more than one place, as the phone layout does)."""
    from acupoints.ui import PAGES

    # The links arrive one by one as their code loads: wait for the whole menu.
    page.wait_for_function(
        "count => new Set([...document.querySelectorAll('a[data-testid=stPageLink-NavLink]')]"
        ".map(link => link.href)).size >= count",
        arg=len(PAGES),
        timeout=30_000,
    )
    links: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('a[data-testid=stPageLink-NavLink]')]"
        ".map(link => link.href)"
    )
    return list(dict.fromkeys(links))
