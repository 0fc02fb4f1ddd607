"""What the benchmark measures, each in a real headless Chromium against ``streamlit run``.

Times are taken inside the page with ``performance.now()``, so Playwright's own round trips
to the browser stay outside every measured span.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support import (
    DETAIL_HEADING,
    marker_positions,
    separated_markers,
    timed_click,
    wait_for_map,
)

VIEWPORT = {"width": 1400, "height": 1000}
# A phone held upright, taking touches: the tap measurements run here.
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
# Pause after each answered click: longer than the chart's double-click window (50 ms) and
# long enough for the rest of the rerun to arrive before the next click.
CLICK_GAP_MS = 350
FLOOR_BUTTON = ".st-key-next button"

# Installed before any page script runs: records when the map's markers are first drawn
# and visible, in ms since navigation started.
MAP_SHOWN_JS = """(() => {
  window.__mapShownAt = null;
  const check = () => {
    const marker = document.querySelector('.st-key-map .js-plotly-plot .scatterlayer .point');
    if (marker === null || window.__mapShownAt !== null) return;
    if (getComputedStyle(marker.closest('.js-plotly-plot')).visibility === 'hidden') return;
    window.__mapShownAt = performance.now();
    observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {subtree: true, childList: true, attributes: true});
})();"""


@dataclass
class FrameCounter:
    """Bytes the page received over its websocket since the last reset."""

    total: int = 0
    largest: int = 0

    def attach(self, page) -> None:  # type: ignore[no-untyped-def]
        page.on("websocket", lambda socket: socket.on("framereceived", self._add))

    def _add(self, payload: str | bytes) -> None:
        size = len(payload)
        self.total += size
        self.largest = max(self.largest, size)

    def reset(self) -> None:
        self.total = 0
        self.largest = 0


@dataclass
class ClickTarget:
    """One page to click, with where its n-th click goes and what heading it must bring."""

    name: str
    page: Any
    plan: Callable[[int], tuple[float, float, str]]
    frames: FrameCounter
    distinct_points: int
    latencies_ms: list[float] = field(default_factory=list)
    bytes_per_click: list[int] = field(default_factory=list)
    largest_frame: int = 0
    misses: int = 0
    tap: bool = False


def summarize(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else 0
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "p95": round(p95 if len(ordered) > 1 else ordered[0], 1),
        "min": round(ordered[0], 1),
        "max": round(ordered[-1], 1),
    }


def new_context(browser, touch: bool):  # type: ignore[no-untyped-def]
    return browser.new_context(**PHONE) if touch else browser.new_context(viewport=VIEWPORT)


def open_map_session(  # type: ignore[no-untyped-def]
    browser, url: str, touch: bool = False
) -> tuple[Any, FrameCounter, dict[str, dict]]:
    """A session on the atlas, and the markers that can be clicked apart, by code."""
    page = new_context(browser, touch).new_page()
    frames = FrameCounter()
    frames.attach(page)
    page.goto(url)
    wait_for_map(page)
    markers = {marker["code"]: marker for marker in separated_markers(marker_positions(page))}
    return page, frames, markers


def map_target(
    name: str,
    session: tuple[Any, FrameCounter, dict[str, dict]],
    codes: list[str],
    tap: bool = False,
) -> ClickTarget:
    """Clicks that visit the markers of ``codes`` in turn."""
    page, frames, markers = session
    if len(codes) < 2:
        raise RuntimeError(f"{name}: fewer than two markers can be clicked apart")

    def plan(number: int) -> tuple[float, float, str]:
        marker = markers[codes[number % len(codes)]]
        return marker["x"], marker["y"], marker["code"]

    return ClickTarget(name, page, plan, frames, distinct_points=len(codes), tap=tap)


def open_floor_target(browser, url: str, name: str = "floor", tap: bool = False) -> ClickTarget:  # type: ignore[no-untyped-def]
    """A session on the bare button page; its n-th click shows heading ``F<n+1>``."""
    page = new_context(browser, tap).new_page()
    frames = FrameCounter()
    frames.attach(page)
    page.goto(url)
    page.wait_for_selector(DETAIL_HEADING)
    box = page.locator(FLOOR_BUTTON).bounding_box()

    def plan(number: int) -> tuple[float, float, str]:
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, f"F{number + 1}"

    return ClickTarget(name, page, plan, frames, distinct_points=1, tap=tap)


def run_clicks(targets: list[ClickTarget], rounds: int) -> None:
    """Click every target once per round, rotating the order each round so that all of
    them share the machine's noise alike."""
    for number in range(rounds):
        shift = number % len(targets)
        for target in targets[shift:] + targets[:shift]:
            x, y, code = target.plan(number)
            target.page.bring_to_front()
            target.frames.reset()
            try:
                target.latencies_ms.append(timed_click(target.page, x, y, code, tap=target.tap))
            except Exception:  # a click that never showed its point is counted, not fatal
                target.misses += 1
            target.page.wait_for_timeout(CLICK_GAP_MS)
            target.bytes_per_click.append(target.frames.total)
            target.largest_frame = max(target.largest_frame, target.frames.largest)


def first_load(browser, url: str, warm_visits: int = 1) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    """ms from navigation start to the map drawn: once with an empty cache (a new
    context), then ``warm_visits`` times again in the same context."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(MAP_SHOWN_JS)
    page = context.new_page()
    try:
        times = []
        for _ in range(1 + warm_visits):
            page.goto(url)
            page.wait_for_function("() => window.__mapShownAt !== null", timeout=60_000)
            times.append(float(page.evaluate("() => window.__mapShownAt")))
        return times[0], times[1:]
    finally:
        context.close()


def open_sessions(context, url: str, count: int) -> list:  # type: ignore[no-untyped-def]
    pages = []
    for _ in range(count):
        page = context.new_page()
        page.goto(url)
        wait_for_map(page)
        pages.append(page)
    return pages


# Sums the page's layout shifts as web-vitals does (none within 500 ms of an input).
LAYOUT_SHIFT_JS = """(() => {
  window.__layoutShift = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) window.__layoutShift += entry.value;
    }
  }).observe({type: 'layout-shift', buffered: true});
})();"""


def layout_shift_on_load(browser, url: str, context_options: dict[str, Any]) -> float:  # type: ignore[no-untyped-def]
    """Cumulative layout shift of one first visit (empty cache), once the page is idle."""
    from tests.support import wait_until_settled

    context = browser.new_context(**context_options)
    context.add_init_script(LAYOUT_SHIFT_JS)
    page = context.new_page()
    try:
        page.goto(url)
        wait_until_settled(page)
        page.wait_for_timeout(1500)
        return float(page.evaluate("() => window.__layoutShift"))
    finally:
        context.close()
