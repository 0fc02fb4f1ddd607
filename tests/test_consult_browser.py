"""The Consultation page in a real browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from acupoints.catalog import Catalog
from acupoints.handout import build_handout_html
from acupoints.pages_content import load_expect_content
from acupoints.sets import build_treatment_set, load_set_library

pytestmark = pytest.mark.browser

MAP = ".st-key-consult-map .js-plotly-plot"
SUGGESTIONS = ".st-key-consult-suggestions"
# Every clickable thing on the map with its viewport position, from the figure's own axes.
MAP_TARGETS_JS = """() => {
  const plot = document.querySelector('.st-key-consult-map .js-plotly-plot');
  const layout = plot._fullLayout;
  const box = plot.querySelector('.main-svg').getBoundingClientRect();
  const found = [];
  plot.data.forEach(trace => (trace.customdata || []).forEach((id, i) => found.push({
    id: id,
    x: box.left + layout.xaxis._offset + layout.xaxis.l2p(trace.x[i]),
    y: box.top + layout.yaxis._offset + layout.yaxis.l2p(trace.y[i]),
  })));
  return found;
}"""
_PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def wait_for_map(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(MAP, timeout=30_000)
    page.wait_for_function(
        "() => { const p = document.querySelector('.st-key-consult-map .js-plotly-plot');"
        " return p && p._fullLayout && p._fullLayout.xaxis && p.data && p.data.length > 0; }",
        timeout=30_000,
    )


def map_targets(page) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The first marker of each id, with the map scrolled into view (a click outside the
    viewport reaches nothing)."""
    page.evaluate(
        "() => document.querySelector('.st-key-consult-map').scrollIntoView({block: 'center'})"
    )
    page.wait_for_timeout(150)
    targets: dict[str, dict] = {}
    for target in page.evaluate(MAP_TARGETS_JS):
        targets.setdefault(target["id"], target)
    return targets


def open_regions(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/Consultation")
    wait_for_map(page)
    page.get_by_text("Where does it hurt?", exact=True).first.click()
    page.wait_for_function(
        "() => { const p = document.querySelector('.st-key-consult-map .js-plotly-plot');"
        " return p && p.data.some(t => (t.customdata || []).some(c => c.startsWith('region:')));"
        " }",
        timeout=15_000,
    )


def set_in_url(url: str) -> str | None:
    values = parse_qs(urlparse(url).query).get("set")
    return values[0] if values else None


def test_clicking_a_region_shows_the_points_in_it_after_the_red_flags(page, server_url) -> None:  # type: ignore[no-untyped-def]
    open_regions(page, server_url)
    handle = map_targets(page)["region:lower_back_left"]
    page.mouse.click(handle["x"], handle["y"])
    page.wait_for_function(
        "() => { const s = document.querySelector('.st-key-consult-suggestions');"
        " return s && s.innerText.includes('BL23 · Kidney Shu')"
        " && s.innerText.includes('BL40 · Middle of the Crook'); }",
        timeout=10_000,
    )
    suggestions = page.locator(SUGGESTIONS).inner_text()
    assert "in the lower back (left)" in suggestions
    assert "BL40 · Middle of the Crook" in suggestions
    flags = page.locator(".st-key-consult-red-flags")
    assert "see a doctor now" in flags.inner_text()
    assert flags.bounding_box()["y"] < page.locator(SUGGESTIONS).bounding_box()["y"]

    # A second click on the same handle unmarks the area.
    page.wait_for_timeout(400)
    handle = map_targets(page)["region:lower_back_left"]
    page.mouse.click(handle["x"], handle["y"])
    page.wait_for_function(
        "() => document.querySelector('.st-key-consult-suggestions')"
        ".innerText.includes('No area marked yet')",
        timeout=10_000,
    )


def test_choosing_a_region_from_the_list_shows_its_points(page, server_url) -> None:  # type: ignore[no-untyped-def]
    open_regions(page, server_url)
    box = page.locator(".st-key-consult_regions_widget input")
    box.click()
    box.fill("Calf")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => { const s = document.querySelector('.st-key-consult-suggestions');"
        " return s && s.innerText.includes('BL57'); }",
        timeout=10_000,
    )


def test_marker_click_adds_the_point_to_the_set_link_and_handout(page, server_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/Consultation?set=BL23")
    wait_for_map(page)
    marker = map_targets(page)["BL40"]
    page.mouse.click(marker["x"], marker["y"])
    add = page.locator(".st-key-consult_add_clicked button")
    add.wait_for(timeout=10_000)
    add.click()
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('set') === 'BL23,BL40'", timeout=10_000
    )
    assert set_in_url(page.url) == "BL23,BL40"
    # A button with a help tooltip is drawn twice, once hidden (Streamlit measures it).
    handout_button = page.locator(".st-key-consult_handout button").filter(visible=True)
    with page.expect_download() as download_info:
        handout_button.first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".html")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "BL23 · Kidney Shu" in text and "BL40 · Middle of the Crook" in text


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_handout_for_the_ten_wordiest_points_prints_on_at_most_six_pages(
    browser, catalog: Catalog, paper: str
) -> None:  # type: ignore[no-untyped-def]
    wordiest = sorted(
        catalog.points,
        key=lambda code: (
            -len(
                " ".join(
                    [
                        catalog.points[code].summary,
                        *catalog.points[code].guide,
                        catalog.points[code].evidence.caveat,
                    ]
                )
            )
        ),
    )[:10]
    treatment_set = build_treatment_set(wordiest, name="Ten points")
    handout = build_handout_html(
        catalog,
        treatment_set,
        load_set_library(catalog).handout,
        load_expect_content(catalog.studies),
        paper,  # type: ignore[arg-type]
    )
    page = browser.new_page()
    try:
        page.set_content(handout)
        page.emulate_media(media="print")
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        page.close()
    # At 11 pt, with the cautions, aftercare and one research summary, these ten points
    # took 6 pages on A4 and on Letter when measured (2 at the old 7.8 pt, without them).
    assert 1 <= len(_PDF_PAGE.findall(pdf)) <= 6
