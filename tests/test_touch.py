"""The maps under a finger: touch-emulated Chromium at phone, tablet and desktop sizes.

Taps go through ``page.touchscreen.tap`` (real touch events, from which the browser
makes its own mouse events), never through the mouse, which hides touch bugs.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from acupoints.catalog import Catalog
from acupoints.nearby import nearby_points
from tests.support import (
    CLICK_GAP_MS,
    DETAIL_HEADING,
    marker_positions,
    wait_for_map,
    wait_until_settled,
)
from tests.test_study_browser import asked_code, click_map_at, reported_marks, wait_for_blank_map

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
DESKTOP = {"width": 1400, "height": 1000}
VIEWPORTS = {
    "phone": PHONE,
    "tablet-portrait": TABLET_PORTRAIT,
    "tablet-landscape": TABLET_LANDSCAPE,
    "desktop": DESKTOP,
}
# Sums layout-shift entries the way web-vitals does: shifts within 500 ms of an input
# (hadRecentInput) are the reader's own doing and do not count. The page's own shifts are
# kept apart from one that any Streamlit page with layout="wide" makes on a screen wider
# than its centred column: it first paints its block centred, then widens it. That one
# moves only the page's main block (bench/ measures it on a bare page as well).
LAYOUT_SHIFT_JS = """() => {
  window.__layoutShift = 0;
  window.__wideningShift = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      const widening = entry.sources.length > 0 && entry.sources.every(source =>
        source.node && source.node.dataset && source.node.dataset.testid === 'stMainBlockContainer'
        && source.previousRect.width < source.currentRect.width);
      if (widening) window.__wideningShift += entry.value;
      else window.__layoutShift += entry.value;
    }
  }).observe({type: 'layout-shift', buffered: true});
}"""
LAYOUT_SHIFT_LIMIT = 0.1
SCROLL_TOP_JS = "() => document.querySelector('[data-testid=stMain]').scrollTop"


def open_touch_page(browser, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=viewport, has_touch=True, is_mobile=viewport["width"] < 640
    )
    page = context.new_page()
    page.add_init_script(f"({LAYOUT_SHIFT_JS})()")
    return context, page


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def touch_page(request, browser, server_url) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context, page = open_touch_page(browser, VIEWPORTS[request.param])
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, server_url) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context, page = open_touch_page(browser, PHONE)
    yield page
    context.close()


def point_in_url(url: str) -> str | None:
    values = parse_qs(urlparse(url).query).get("point")
    return values[0] if values else None


def wait_for_heading(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "code => { const h = document.querySelector('.st-key-detail h3');"
        " return h && h.innerText.startsWith(code + ' '); }",
        arg=code,
        timeout=10_000,
    )


def tap_and_expect(page, marker: dict) -> None:  # type: ignore[no-untyped-def]
    page.touchscreen.tap(marker["x"], marker["y"])
    wait_for_heading(page, marker["code"])
    assert point_in_url(page.url) == marker["code"]
    page.wait_for_timeout(CLICK_GAP_MS)


def well_apart(markers: list[dict], gap_px: float) -> list[dict]:
    """Markers with no other point's marker within ``gap_px``: where a tap is unambiguous."""
    return [
        marker
        for marker in markers
        if all(
            (marker["x"] - other["x"]) ** 2 + (marker["y"] - other["y"]) ** 2 >= gap_px**2
            for other in markers
            if other["code"] != marker["code"]
        )
    ]


def layout_shift(page) -> float:  # type: ignore[no-untyped-def]
    return float(page.evaluate("() => window.__layoutShift"))


def test_every_tap_shows_the_point_tapped_the_first_tap_included(touch_page, server_url) -> None:  # type: ignore[no-untyped-def]
    page = touch_page
    page.goto(server_url)
    wait_for_map(page)
    markers = well_apart(marker_positions(page), gap_px=16)
    codes = {marker["code"] for marker in markers}
    # Before the fix a tap showed the point tapped before it: a sequence of different
    # points, each checked at once, catches that from the first tap on.
    chosen = [next(m for m in markers if m["code"] == code) for code in sorted(codes)[:5]]
    assert len(chosen) == 5
    for marker in chosen:
        # Scrolling the map into view may move it: take positions fresh for each tap.
        fresh = next(m for m in marker_positions(page) if m["code"] == marker["code"])
        tap_and_expect(page, fresh)
    assert page.locator(DETAIL_HEADING).first.inner_text().startswith(chosen[-1]["code"])


def test_a_tap_in_a_crowded_spot_picks_the_nearest_and_offers_its_neighbours(
    phone_page, server_url, catalog: Catalog
) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto(server_url)
    wait_for_map(page)
    markers = marker_positions(page)
    target = next(m for m in markers if m["code"] == "BL31")
    others = [m for m in markers if m["code"] != "BL31"]
    nearest_other = (
        min((m["x"] - target["x"]) ** 2 + (m["y"] - target["y"]) ** 2 for m in others) ** 0.5
    )
    assert nearest_other < 44, "BL31 should be crowded at the whole-body view"
    tap_and_expect(page, target)
    site = catalog.placements["BL31"][0]  # the first BL31 marker drawn, as tapped
    expected = [
        item.code for item in nearby_points(catalog, "posterior", "whole body", site.x, site.y)
    ]
    offered = page.locator(".st-key-nearby [data-testid=stButtonGroup] button").all_inner_texts()
    offered_codes = [text.split(" ·")[0].strip() for text in offered]
    assert offered_codes == expected
    assert page.get_by_role("button", name="Zoom in to the lower back").is_visible()
    # The second tap reaches the neighbour.
    neighbour = expected[0]
    page.locator(".st-key-nearby [data-testid=stButtonGroup] button", has_text=neighbour).tap()
    wait_for_heading(page, neighbour)
    assert point_in_url(page.url) == neighbour


def swipe_up(page, x: float, y: float, distance: float = 300) -> None:  # type: ignore[no-untyped-def]
    """A one-finger swipe as a phone sends it: touchstart, touchmoves, touchend."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    steps = 10
    for step in range(1, steps + 1):
        point = {"x": x, "y": y - distance * step / steps}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_swipe_over_the_map_scrolls_the_page_and_chooses_nothing(phone_page, server_url) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto(f"{server_url}/?point=BL23")
    wait_for_map(page)
    wait_for_heading(page, "BL23")
    box = page.locator(".st-key-map .js-plotly-plot").bounding_box()
    start_y = min(box["y"] + box["height"] / 2, PHONE["height"] - 40)
    before = page.evaluate(SCROLL_TOP_JS)
    swipe_up(page, box["x"] + box["width"] / 2, start_y)
    page.wait_for_function(f"() => ({SCROLL_TOP_JS})() > {before + 100}", timeout=5_000)
    page.wait_for_timeout(800)
    assert page.locator(DETAIL_HEADING).first.inner_text().startswith("BL23 ")
    assert point_in_url(page.url) == "BL23"


def test_a_phone_opens_with_the_sidebar_closed_and_the_map_on_the_first_screen(
    phone_page, server_url
) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto(server_url)
    wait_for_map(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    assert sidebar.get_attribute("aria-expanded") != "true"
    box = page.locator(".st-key-map").bounding_box()
    # Menu, disclaimer and controls come first; a good part of the map shows without
    # scrolling, and all of it fits on one screen.
    assert PHONE["height"] - box["y"] >= 300
    assert box["height"] <= PHONE["height"] - 120
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_link_to_a_front_point_opens_on_the_front_view(phone_page, server_url) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto(f"{server_url}/?point=ST36")
    wait_for_map(page)
    wait_for_heading(page, "ST36")
    drawn = page.evaluate(
        "() => document.querySelector('.st-key-map .js-plotly-plot').data"
        ".flatMap(trace => Array.from(trace.customdata))"
    )
    assert "ST36" in drawn
    assert "BL23" not in drawn
    selected = page.evaluate(
        "() => document.querySelector('.st-key-map .js-plotly-plot').data"
        ".flatMap(t => (t.selectedpoints || []).map(i => t.customdata[i]))"
    )
    assert set(selected) == {"ST36"}


# Study mode and Consultation still shift by up to about 0.16 on some first visits (their
# forms' placeholders), so they are measured by the benchmark but not yet held to the limit.
@pytest.mark.parametrize("viewport", ["phone", "tablet-portrait", "tablet-landscape"])
@pytest.mark.parametrize("path", ["/", "/?point=BL23", "/What_to_expect", "/Research"])
def test_pages_load_without_shifting_under_the_reader(browser, server_url, viewport, path) -> None:  # type: ignore[no-untyped-def]
    context, page = open_touch_page(browser, VIEWPORTS[viewport])
    try:
        page.goto(f"{server_url}{path}")
        wait_until_settled(page)
        page.wait_for_timeout(1500)
        assert layout_shift(page) <= LAYOUT_SHIFT_LIMIT
    finally:
        context.close()


def test_taps_do_not_shift_the_page(phone_page, server_url) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto(server_url)
    wait_for_map(page)
    wait_until_settled(page)
    page.wait_for_timeout(1000)
    loaded = layout_shift(page)
    for marker in well_apart(marker_positions(page), gap_px=16)[:3]:
        fresh = next(m for m in marker_positions(page) if m["code"] == marker["code"])
        tap_and_expect(page, fresh)
    page.wait_for_timeout(1000)
    assert layout_shift(page) - loaded <= LAYOUT_SHIFT_LIMIT


def test_a_quiz_round_can_be_played_by_taps(phone_page, server_url, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto(f"{server_url}/Study")
    wait_for_blank_map(page)
    code = asked_code(page)
    site = catalog.placements[code][0]
    feedback = click_map_at(page, site.x, site.y, tap=True)
    assert reported_marks(feedback) == 10.0


def test_a_tap_on_a_region_of_where_does_it_hurt_marks_it(browser, server_url) -> None:  # type: ignore[no-untyped-def]
    from tests.test_consult_browser import map_targets, open_regions

    context, page = open_touch_page(browser, TABLET_PORTRAIT)
    try:
        open_regions(page, server_url)
        handle = map_targets(page)["region:lower_back_left"]
        page.touchscreen.tap(handle["x"], handle["y"])
        page.wait_for_function(
            "() => { const s = document.querySelector('.st-key-consult-suggestions');"
            " return s && s.innerText.includes('BL23 · Kidney Shu'); }",
            timeout=10_000,
        )
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 1920])
def test_no_page_scrolls_sideways_at_the_narrowest_and_widest_screens(
    browser, server_url, width: int
) -> None:  # type: ignore[no-untyped-def]
    context, page = open_touch_page(browser, {"width": width, "height": 900})
    try:
        for path in ("/?point=BL23", "/What_to_expect", "/Research", "/Study", "/Consultation"):
            page.goto(f"{server_url}{path}")
            wait_until_settled(page)
            scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll_width <= width, path
    finally:
        context.close()
