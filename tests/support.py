"""Running the app for real: a Streamlit server on localhost and Debian's Chromium.

Shared by the browser tests and the benchmark.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def streamlit_server(
    script: Path = ROOT / "app.py", env: dict[str, str] | None = None, timeout: float = 60.0
) -> Iterator[str]:
    """Start ``streamlit run`` on a free localhost port; yield its base URL."""
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
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {process.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy in time")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def marker_positions(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Viewport positions of every marker, from the figure's own axes, with the whole map
    scrolled into view first (a click outside the viewport reaches nothing)."""
    page.evaluate("() => document.querySelector('.st-key-map').scrollIntoView({block: 'center'})")
    page.wait_for_timeout(100)
    return page.evaluate(MARKER_POSITIONS_JS)


def wait_for_map(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(MAP_SELECTOR, timeout=30_000)
    page.wait_for_function(
        "() => { const p = document.querySelector('.st-key-map .js-plotly-plot');"
        " return p && p._fullLayout && p._fullLayout.xaxis && p.data && p.data.length > 0; }",
        timeout=30_000,
    )
