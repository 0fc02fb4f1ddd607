"""Study mode in a real browser: clicks on the blank map are scored in B-cun."""

from __future__ import annotations

import re

import pytest

from acupoints.catalog import Catalog
from acupoints.study import score_click
from acupoints.study_figures import GRID_TRACE_NAME
from acupoints.ui.study_page import MAP_CONTAINER_KEY, QUESTION_CONTAINER_KEY
from tests.support import CLICK_GAP_MS

pytestmark = pytest.mark.browser

PLOT = f".st-key-{MAP_CONTAINER_KEY} .js-plotly-plot"
QUESTION = f".st-key-{QUESTION_CONTAINER_KEY}"

# Viewport position of a map position (in B-cun), from the figure's own axes.
DATA_TO_PIXEL_JS = """([selector, x, y]) => {
  const plot = document.querySelector(selector);
  const layout = plot._fullLayout;
  const box = plot.querySelector('.main-svg').getBoundingClientRect();
  return {
    x: box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
    y: box.top + layout.yaxis._offset + layout.yaxis.l2p(y),
  };
}"""
# The invisible click grid of the blank map, as [x, y] pairs.
GRID_JS = """([selector, name]) => {
  const plot = document.querySelector(selector);
  const grid = plot.data.find(trace => trace.name === name);
  return Array.from(grid.x, (x, i) => [x, grid.y[i]]);
}"""
BLANK_MAP_READY_JS = """([selector, name]) => {
  const plot = document.querySelector(selector);
  return !!(plot && plot._fullLayout && plot._fullLayout.xaxis && plot.data
            && plot.data.length === 1 && plot.data[0].name === name);
}"""


def wait_for_blank_map(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(BLANK_MAP_READY_JS, arg=[PLOT, GRID_TRACE_NAME], timeout=30_000)


def asked_code(page) -> str:  # type: ignore[no-untyped-def]
    heading = page.locator(f"{QUESTION} h3").first.inner_text()
    match = re.fullmatch(r"Where is (\S+)\?", heading.strip())
    assert match, heading
    return match.group(1)


def click_map_at(page, x: float, y: float, tap: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Click (or tap) the map at a position in B-cun; return the feedback once it arrives."""
    page.evaluate(
        "selector => document.querySelector(selector).scrollIntoView({block: 'center'})",
        PLOT,
    )
    page.wait_for_timeout(100)
    pixel = page.evaluate(DATA_TO_PIXEL_JS, [PLOT, x, y])
    if tap:
        page.touchscreen.tap(pixel["x"], pixel["y"])
    else:
        page.mouse.click(pixel["x"], pixel["y"])
    page.wait_for_function(
        "selector => document.querySelector(selector).innerText.includes('marks')",
        arg=QUESTION,
        timeout=10_000,
    )
    page.wait_for_timeout(CLICK_GAP_MS)
    return page.locator(QUESTION).inner_text()


def reported_distance(feedback: str) -> float:
    match = re.search(r"Your click was ([0-9.]+) B-cun", feedback)
    assert match, feedback
    return float(match.group(1))


def reported_marks(feedback: str) -> float:
    match = re.search(r"([0-9.]+) of 10 marks", feedback)
    assert match, feedback
    return float(match.group(1))


def test_a_click_on_the_point_scores_full_marks_and_shows_where_it_is(
    page, server_url, catalog: Catalog
) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/Study")
    wait_for_blank_map(page)
    code = asked_code(page)
    site = catalog.placements[code][0]
    feedback = click_map_at(page, site.x, site.y)
    # The click lands on the nearest grid marker, at most 0.36 B-cun from the point.
    assert reported_distance(feedback) <= 0.4
    assert reported_marks(feedback) == 10.0
    assert catalog.points[code].guide[0] in feedback
    truth = page.evaluate(
        "selector => document.querySelector(selector).data"
        ".flatMap(trace => Array.from(trace.customdata || []))",
        PLOT,
    )
    assert code in truth


def test_a_click_on_empty_body_is_scored_by_its_distance_in_bcun(
    page, server_url, catalog: Catalog
) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/Study")
    for question in range(2):
        wait_for_blank_map(page)
        code = asked_code(page)
        grid = page.evaluate(GRID_JS, [PLOT, GRID_TRACE_NAME])
        # A spot on the body with no point under it, between 1 and 2.5 B-cun from the
        # nearest site: part marks.
        target = next(
            (x, y) for x, y in grid if 1.0 <= score_click(catalog, code, x, y).distance_bcun <= 2.5
        )
        expected = score_click(catalog, code, *target)
        feedback = click_map_at(page, *target)
        assert reported_distance(feedback) == pytest.approx(expected.distance_bcun, abs=0.051)
        assert reported_marks(feedback) == pytest.approx(expected.score, abs=0.051)
        assert 0 < reported_marks(feedback) < 10
        assert f"Question {question + 1} of 10" in feedback
        page.get_by_role("button", name="Next question").click()
        page.wait_for_timeout(CLICK_GAP_MS)
