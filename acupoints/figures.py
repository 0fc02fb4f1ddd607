"""Plotly figures built from the catalog: pure functions, testable through ``fig.data``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import plotly.graph_objects as go

from acupoints.catalog import Catalog
from acupoints.geometry import Placement
from acupoints.models import REGION_LABELS, BodyModel, Region, SpinalRowSite, View

# Okabe-Ito colours: distinguishable with the common forms of colour blindness, and each
# region also has its own marker shape so colour is never the only cue.
REGION_STYLE: dict[Region, tuple[str, str]] = {
    "upper_back": ("#0072B2", "circle"),
    "lower_back": ("#D55E00", "square"),
    "distal": ("#009E73", "diamond"),
}
ROW_TRACE_NAME = "Huatuojiaji row"
SILHOUETTE_FILL = "#F3EDE4"
GUIDE_COLOUR = "#8C8C8C"
# Marker sizes (single points, rows) per zoom: smaller when the whole body is in view.
MARKER_SIZES = {"whole body": (10, 6)}
ZOOMED_MARKER_SIZES = (14, 9)
# Tall enough for detail, short enough to fit on one phone or landscape-tablet screen
# below the controls. A fixed height (not one set by a stylesheet) lets the page reserve
# the map's space before Plotly has drawn it, so nothing moves when it arrives.
MAP_HEIGHT = 660
MAP_MARGIN = {"l": 4, "r": 4, "t": 36, "b": 4}
FOCUS_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "whole body": ((-13.5, 13.5), (-1.0, 76.0)),
    "head and neck": ((-6.0, 6.0), (60.0, 77.0)),
    "upper back": ((-9.5, 9.5), (52.0, 69.0)),
    "lower back": ((-8.5, 8.5), (32.0, 52.0)),
    "legs": ((-7.0, 7.0), (-1.0, 36.0)),
    "hands": ((-13.0, 13.0), (31.0, 42.0)),
}


@dataclass(frozen=True)
class MapRequest:
    """Everything a map depends on; equal requests build equal figures (and can be cached)."""

    view: View = "posterior"
    visible: frozenset[str] | None = None
    highlight: str | None = None
    focus: str = "whole body"


def _path(points: Iterable[tuple[float, float]], closed: bool = False) -> str:
    coords = [f"{x:.2f},{y:.2f}" for x, y in points]
    return "M " + " L ".join(coords) + (" Z" if closed else "")


def silhouette_path(body: BodyModel) -> str:
    right = list(body.outline)
    left = [(-x, y) for x, y in reversed(right)]
    return _path(right + left, closed=True)


def guide_shapes(body: BodyModel, view: View) -> list[dict]:
    """Layout shapes for the body and its faint landmarks (never selectable)."""
    shapes: list[dict] = [
        {
            "type": "path",
            "path": silhouette_path(body),
            "fillcolor": SILHOUETTE_FILL,
            "line": {"color": "#B9AD9C", "width": 1.5},
            "layer": "below",
        }
    ]
    for drawing in body.drawings:
        if view not in drawing.views:
            continue
        sides = (1, -1) if drawing.mirror else (1,)
        for sign in sides:
            points = [(sign * x, y) for x, y in drawing.points]
            if drawing.kind == "ring":
                for x, y in points:
                    shapes.append(
                        {
                            "type": "circle",
                            "x0": x - 0.35,
                            "x1": x + 0.35,
                            "y0": y - 0.35,
                            "y1": y + 0.35,
                            "line": {"color": GUIDE_COLOUR, "width": 1},
                            "layer": "below",
                        }
                    )
                continue
            dash = "dot" if drawing.kind == "dashed" else "solid"
            shapes.append(
                {
                    "type": "path",
                    "path": _path(points),
                    "line": {"color": GUIDE_COLOUR, "width": 1, "dash": dash},
                    "layer": "below",
                }
            )
    if view == "posterior":
        for name, level in body.levels.items():
            if name[0] in "CTL":
                shapes.append(
                    {
                        "type": "line",
                        "x0": -0.3,
                        "x1": 0.3,
                        "y0": level.y,
                        "y1": level.y,
                        "line": {"color": GUIDE_COLOUR, "width": 1},
                        "layer": "below",
                    }
                )
    return shapes


def level_annotations(body: BodyModel, view: View) -> list[dict]:
    if view != "posterior":
        return []
    return [
        {
            "x": -0.6,
            "y": body.levels[name].y,
            "text": name,
            "showarrow": False,
            "xanchor": "right",
            "font": {"size": 10, "color": "#6B6B6B"},
        }
        for name in body.labelled_levels
    ]


def _hover_text(catalog: Catalog, placement: Placement) -> str:
    point = catalog.points[placement.code]
    side = "" if placement.side == "midline" else f" · {placement.side} side"
    return f"<b>{point.code}</b> {point.english}<br>{point.pinyin}{side}"


def _marker_trace(
    catalog: Catalog,
    name: str,
    placements: list[Placement],
    region: Region,
    highlight: str | None,
    size: int,
    legend: bool,
) -> go.Scatter:
    colour, symbol = REGION_STYLE[region]
    selected = None
    if highlight is not None:
        selected = [index for index, item in enumerate(placements) if item.code == highlight]
    return go.Scatter(
        x=[item.x for item in placements],
        y=[item.y for item in placements],
        mode="markers",
        name=name,
        legendgroup=region,
        showlegend=legend,
        customdata=[item.code for item in placements],
        text=[_hover_text(catalog, item) for item in placements],
        hovertemplate="%{text}<extra></extra>",
        marker={
            "color": colour,
            "symbol": symbol,
            "size": size,
            "line": {"color": "white", "width": 1},
        },
        selectedpoints=selected,
        # The chosen marker stays solid and the rest fade: a cue of lightness, not of hue.
        # No size or colour change: either makes Plotly redraw every marker on each click,
        # 7-12 ms more per click on a 400-point map (make bench).
        selected={"marker": {"opacity": 1.0}},
        unselected={"marker": {"opacity": 0.35}},
    )


def marker_traces(catalog: Catalog, request: MapRequest) -> list[go.Scatter]:
    """One trace per region, with rows of many sites drawn first and smaller so that the
    points they sit beside stay on top and clickable."""
    rows: dict[Region, list[Placement]] = {}
    singles: dict[Region, list[Placement]] = {}
    for code, point in catalog.points.items():
        if point.view != request.view:
            continue
        if request.visible is not None and code not in request.visible:
            continue
        is_row = any(isinstance(site, SpinalRowSite) for site in point.location.sites)
        (rows if is_row else singles).setdefault(point.region, []).extend(catalog.placements[code])
    single_size, row_size = MARKER_SIZES.get(request.focus, ZOOMED_MARKER_SIZES)
    traces = [
        _marker_trace(
            catalog, ROW_TRACE_NAME, placements, region, request.highlight, row_size, True
        )
        for region, placements in rows.items()
    ]
    traces += [
        _marker_trace(
            catalog,
            REGION_LABELS[region],
            singles[region],
            region,
            request.highlight,
            single_size,
            True,
        )
        for region in REGION_STYLE
        if region in singles
    ]
    return traces


def build_map_figure(catalog: Catalog, request: MapRequest) -> go.Figure:
    """The clickable body map for one view."""
    x_range, y_range = FOCUS_RANGES.get(request.focus, FOCUS_RANGES["whole body"])
    figure = go.Figure(data=marker_traces(catalog, request))
    figure.update_layout(
        shapes=guide_shapes(catalog.body, request.view),
        annotations=level_annotations(catalog.body, request.view),
        height=MAP_HEIGHT,
        margin=MAP_MARGIN,
        plot_bgcolor="white",
        paper_bgcolor="white",
        dragmode=False,
        hovermode="closest",
        clickmode="event+select",
        legend={
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": 1.0,
            "yanchor": "bottom",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        xaxis={"range": list(x_range), "visible": False, "fixedrange": True, "constrain": "domain"},
        yaxis={
            "range": list(y_range),
            "visible": False,
            "fixedrange": True,
            "scaleanchor": "x",
            "scaleratio": 1,
        },
    )
    return figure
