"""Figures for study mode: the blank map to click on, and the map that shows the answer.

Both start from ``build_map_figure`` with no markers, so the silhouette, guide lines, level
labels and zoom ranges are exactly those of the body map.

Plotly reports clicks only on markers, so the blank map carries a grid of invisible,
selectable markers over the part of the body in view (``click_grid``). A click anywhere on
the body selects the nearest grid marker, whose x and y (in B-cun) come back as the
selection. The grid has no ids and no hover text, so it says nothing about the answer.
"""

from __future__ import annotations

from functools import cache

import plotly.graph_objects as go

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES, REGION_STYLE, MapRequest, build_map_figure
from acupoints.models import View
from acupoints.study import FULL_MARKS_WITHIN_BCUN, ZERO_MARKS_FROM_BCUN, LocateAnswer

# Grid spacing in B-cun: a click lands at most spacing/sqrt(2) from the grid point that
# answers it, well inside the full-marks radius. The whole body is drawn small, so a
# coarser grid is both fine enough there and keeps the figure small.
GRID_SPACING: dict[str, float] = {"whole body": 0.5}
DEFAULT_GRID_SPACING = 0.25
GRID_TRACE_NAME = "click anywhere on the body"
CLICK_COLOUR = "#222222"
# The map column is about this wide on a laptop; the figure's height follows the zoom's
# shape so that little of the figure is empty.
EXPECTED_PLOT_WIDTH_PX = 560
HEIGHT_LIMITS_PX = (460, 760)
MARGIN_HEIGHT_PX = 40
RING_COLOUR = "#6B6B6B"


def grid_spacing(focus: str) -> float:
    return GRID_SPACING.get(focus, DEFAULT_GRID_SPACING)


def _inside(polygon: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
    """Even-odd rule: does a ray to the right of (x, y) cross the outline an odd number of
    times?"""
    inside = False
    count = len(polygon)
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[(index + 1) % count]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@cache
def click_grid(
    outline: tuple[tuple[float, float], ...], focus: str
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Grid positions (xs, ys) inside the silhouette and the zoom range, on multiples of the
    spacing so every coordinate is short in JSON."""
    polygon = (*outline, *((-x, y) for x, y in reversed(outline)))
    (x_min, x_max), (y_min, y_max) = FOCUS_RANGES.get(focus, FOCUS_RANGES["whole body"])
    spacing = grid_spacing(focus)
    xs: list[float] = []
    ys: list[float] = []
    row = int(y_min / spacing) + 1
    while row * spacing < y_max:
        y = round(row * spacing, 2)
        column = int(x_min / spacing) + (0 if x_min < 0 else 1)
        while column * spacing < x_max:
            x = round(column * spacing, 2)
            if _inside(polygon, x, y):
                xs.append(x)
                ys.append(y)
            column += 1
        row += 1
    return tuple(xs), tuple(ys)


def figure_height(focus: str) -> int:
    (x_min, x_max), (y_min, y_max) = FOCUS_RANGES.get(focus, FOCUS_RANGES["whole body"])
    natural = EXPECTED_PLOT_WIDTH_PX * (y_max - y_min) / (x_max - x_min) + MARGIN_HEIGHT_PX
    low, high = HEIGHT_LIMITS_PX
    return int(min(max(natural, low), high))


def _base_figure(catalog: Catalog, view: View, focus: str) -> go.Figure:
    figure = build_map_figure(catalog, MapRequest(view=view, visible=frozenset(), focus=focus))
    # Shrink the plot rather than widen the range, in both directions: the map then shows
    # exactly the zoom range, which is where the click grid is.
    figure.update_layout(height=figure_height(focus), yaxis={"constrain": "domain"})
    return figure


def build_locate_figure(catalog: Catalog, view: View, focus: str) -> go.Figure:
    """The blank map for a locate question: no point markers, only the click grid."""
    xs, ys = click_grid(tuple(catalog.body.outline), focus)
    figure = _base_figure(catalog, view, focus)
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=GRID_TRACE_NAME,
            showlegend=False,
            # "none" still fires click events; "skip" would not.
            hoverinfo="none",
            marker={"size": 6, "color": "rgba(0,0,0,0)", "line": {"width": 0}},
            # The clicked spot shows at once, before the answer comes back.
            selected={"marker": {"color": CLICK_COLOUR, "size": 10, "opacity": 1.0}},
            unselected={"marker": {"opacity": 0.0}},
        )
    )
    return figure


def _ring(x: float, y: float, radius: float, dash: str) -> dict:
    return {
        "type": "circle",
        "x0": x - radius,
        "x1": x + radius,
        "y0": y - radius,
        "y1": y + radius,
        "line": {"color": RING_COLOUR, "width": 1, "dash": dash},
        "layer": "below",
    }


def build_feedback_figure(catalog: Catalog, answer: LocateAnswer, focus: str) -> go.Figure:
    """The map after a click: the point's true sites, the click, and the distance between.

    Two rings round the nearest site mark the scoring: full marks inside the inner one,
    none outside the outer one.
    """
    point = catalog.points[answer.code]
    colour, symbol = REGION_STYLE[point.region]
    sites = catalog.placements[answer.code]
    nearest = answer.nearest
    figure = _base_figure(catalog, point.view, focus)
    for radius, dash in ((FULL_MARKS_WITHIN_BCUN, "solid"), (ZERO_MARKS_FROM_BCUN, "dot")):
        figure.add_shape(_ring(nearest.x, nearest.y, radius, dash))
    figure.add_trace(
        go.Scatter(
            x=[answer.click_x, nearest.x],
            y=[answer.click_y, nearest.y],
            mode="lines",
            name=f"{answer.distance_bcun:.1f} B-cun",
            line={"color": CLICK_COLOUR, "width": 1.5, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[site.x for site in sites],
            y=[site.y for site in sites],
            mode="markers",
            name=f"{point.code} {point.english}",
            customdata=[site.code for site in sites],
            hovertemplate=f"<b>{point.code}</b> {point.english}<extra></extra>",
            marker={
                "color": colour,
                "symbol": symbol,
                "size": 14,
                "line": {"color": "white", "width": 1},
            },
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[answer.click_x],
            y=[answer.click_y],
            mode="markers",
            name="Your click",
            hovertemplate="Your click<extra></extra>",
            marker={"color": CLICK_COLOUR, "symbol": "x", "size": 12},
        )
    )
    return figure
