"""The map in a real browser: Debian's Chromium, driven by Playwright, against streamlit run."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from acupoints.figures import FOCUS_RANGES
from tests.support import (
    CLICK_GAP_MS,
    DETAIL_HEADING,
    marker_positions,
    wait_for_map,
)

pytestmark = pytest.mark.browser


def point_in_url(url: str) -> str | None:
    values = parse_qs(urlparse(url).query).get("point")
    return values[0] if values else None


def heading(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(DETAIL_HEADING).first.inner_text()


def click_and_expect(page, marker: dict) -> None:  # type: ignore[no-untyped-def]
    page.mouse.click(marker["x"], marker["y"])
    page.wait_for_function(
        "code => { const h = document.querySelector('.st-key-detail h3');"
        " return h && h.innerText.startsWith(code + ' '); }",
        arg=marker["code"],
        timeout=10_000,
    )
    page.wait_for_timeout(CLICK_GAP_MS)


def test_click_on_markers_shows_their_details_and_updates_the_url(page, server_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url)
    wait_for_map(page)
    markers = {m["code"]: m for m in marker_positions(page)}
    for code in ("BL23", "BL40", "GV14", "SI3", "GB30"):
        click_and_expect(page, markers[code])
        assert heading(page).startswith(f"{code} ·")
        assert point_in_url(page.url) == code


def choose_focus(page, label: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(".st-key-focus input")
    box.click()
    box.fill(label)
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    wait_for_map(page)


def test_every_marker_answers_a_click_at_a_zoom_that_separates_it(
    page, server_url, catalog
) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url)
    wait_for_map(page)
    answered: set[str] = set()
    for focus in ("head and neck", "upper back", "lower back", "legs", "hands"):
        choose_focus(page, focus)
        (x_min, x_max), (y_min, y_max) = FOCUS_RANGES[focus]
        targets = {
            placement.code
            for code, placements in catalog.placements.items()
            if catalog.points[code].view == "posterior" and code not in answered
            for placement in placements
            if x_min < placement.x < x_max and y_min < placement.y < y_max
        }
        for code in sorted(targets):
            marker = next(m for m in marker_positions(page) if m["code"] == code)
            click_and_expect(page, marker)
            assert point_in_url(page.url) == code
            answered.add(code)
    posterior = {code for code, point in catalog.points.items() if point.view == "posterior"}
    assert posterior - answered == set()


def test_panel_survives_a_click_on_empty_space(page, server_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/?point=BL23")
    wait_for_map(page)
    assert heading(page).startswith("BL23 ·")
    box = page.locator(".st-key-map .js-plotly-plot").bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + box["height"] - 12)
    page.wait_for_timeout(1500)
    assert heading(page).startswith("BL23 ·")
    assert point_in_url(page.url) == "BL23"


def test_shared_link_opens_on_the_point(page, server_url) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/?point=EX-B7")
    wait_for_map(page)
    assert heading(page).startswith("EX-B7 ·")


def test_hostile_link_shows_no_markup_and_no_traceback(page, server_url) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server_url}/?point=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    wait_for_map(page)
    body = page.locator("body").inner_text()
    assert "does not have" in body
    assert "<img" not in body
    assert "Traceback" not in body
    assert dialogs == []


def test_front_view_markers_answer_clicks(page, server_url, catalog) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url)
    wait_for_map(page)
    page.get_by_text("Front", exact=True).click()
    page.wait_for_function(
        "() => { const p = document.querySelector('.st-key-map .js-plotly-plot');"
        " return p && p.data.some(t => t.customdata.includes('ST36')); }",
        timeout=10_000,
    )
    anterior = {code for code, point in catalog.points.items() if point.view == "anterior"}
    markers = {m["code"]: m for m in marker_positions(page)}
    assert set(markers) == anterior
    for code in sorted(anterior):
        click_and_expect(page, markers[code])
        assert point_in_url(page.url) == code
