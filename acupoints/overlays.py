"""Layers drawn over the body map on the Consultation page.

- channel (meridian) lines through the atlas's points, in the order of their numbers;
- a B-cun grid over the back: the posterior midline, the 0.5, 1.5 and 3 B-cun lines, and a
  line at every vertebral level;
- the painful-area regions, with one clickable handle each;
- the points of a treatment set, numbered.

Everything is added to the figure ``figures.build_map_figure`` makes, so markers, guides
and positions are exactly the map's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from acupoints.catalog import Catalog
from acupoints.figures import MapRequest, build_map_figure
from acupoints.geometry import Placement, Side
from acupoints.models import BodyModel, SpinalRowSite, View
from acupoints.regions import RegionMap

REGION_PREFIX = "region:"
HANDLE_TRACE_NAME = "Painful areas"
SET_TRACE_NAME = "In the set"
HIGHLIGHT_FADED_OPACITY = 0.2


@dataclass(frozen=True)
class ChannelStyle:
    label: str
    colour: str
    dash: str


# Okabe-Ito colours not already used for the regions' markers, and a different dash for
# each channel, so lines can be told apart without colour.
CHANNEL_STYLES: dict[str, ChannelStyle] = {
    "BL": ChannelStyle("Bladder (BL)", "#E69F00", "solid"),
    "GV": ChannelStyle("Governor Vessel (GV)", "#CC79A7", "dash"),
    "GB": ChannelStyle("Gallbladder (GB)", "#56B4E9", "dot"),
    "SI": ChannelStyle("Small Intestine (SI)", "#555555", "dashdot"),
    "ST": ChannelStyle("Stomach (ST)", "#8F7A00", "longdash"),
}
# Numbers follow each channel's course, with one exception: BL41-BL54 are a second line
# on the back, parallel to the first, that rejoins it at BL40; BL55 onwards run on down
# the leg from BL40. Each run below is drawn as its own line.
CHANNEL_RUNS: dict[str, tuple[tuple[int, ...], ...]] = {
    "BL": (
        tuple(range(1, 41)),
        (*range(41, 55), 40),
        (40, *range(55, 68)),
    ),
}
DEFAULT_RUN = tuple(range(1, 100))
_NUMBER = re.compile(r"^([A-Z]{2})(\d{1,2})$")

GRID_COLOUR = "#0072B2"
GRID_LEVEL_COLOUR = "#A9C4D8"
# (distance from the midline in B-cun, dash, what is found there)
GRID_LINES: tuple[tuple[float, str, str], ...] = (
    (0.5, "dot", "0.5"),
    (1.5, "dash", "1.5"),
    (3.0, "dashdot", "3"),
)
GRID_HALF_WIDTH = 3.6

REGION_CHOSEN_FILL = "rgba(213, 94, 0, 0.22)"
REGION_CHOSEN_LINE = "#D55E00"
REGION_OPEN_FILL = "rgba(0, 114, 178, 0.05)"
REGION_OPEN_LINE = "#5A8DB5"


def channel_number(code: str) -> tuple[str, int] | None:
    """``"BL23"`` -> ``("BL", 23)``; extra points (``EX-B2``) have no channel number."""
    match = _NUMBER.match(code)
    return (match.group(1), int(match.group(2))) if match else None


def _side_coordinate(placements: list[Placement], side: Side) -> tuple[float, float] | None:
    for placement in placements:
        if placement.side in (side, "midline"):
            return placement.x, placement.y
    return None


def channel_paths(catalog: Catalog, prefix: str, view: View) -> list[list[tuple[float, float]]]:
    """Polylines through a channel's points in this view, ordered by point number: one per
    run of the channel and per side of the body (one only, on the midline)."""
    numbered: dict[int, str] = {}
    for code, point in catalog.points.items():
        parsed = channel_number(code)
        if parsed is None or parsed[0] != prefix or point.view != view:
            continue
        if any(isinstance(site, SpinalRowSite) for site in point.location.sites):
            continue
        numbered[parsed[1]] = code
    paths: list[list[tuple[float, float]]] = []
    for run in CHANNEL_RUNS.get(prefix, (DEFAULT_RUN,)):
        codes = [numbered[number] for number in run if number in numbered]
        for side in ("left", "right"):
            path = [
                xy
                for code in codes
                if (xy := _side_coordinate(catalog.placements[code], side)) is not None
            ]
            if len(path) >= 2 and path not in paths:
                paths.append(path)
    return paths


def _polyline(points: Sequence[tuple[float, float]], closed: bool = False) -> str:
    text = "M " + " L ".join(f"{x:.3f},{y:.3f}" for x, y in points)
    return text + (" Z" if closed else "")


def channel_shapes(catalog: Catalog, view: View, prefixes: Iterable[str]) -> list[dict]:
    """Layout shapes for the chosen channels; the first of each carries its legend entry."""
    shapes: list[dict] = []
    for prefix in prefixes:
        style = CHANNEL_STYLES.get(prefix)
        if style is None:
            continue
        for index, path in enumerate(channel_paths(catalog, prefix, view)):
            shapes.append(
                {
                    "type": "path",
                    "path": _polyline(path),
                    "line": {"color": style.colour, "width": 2.5, "dash": style.dash},
                    "opacity": 0.85,
                    "layer": "below",
                    "name": f"{style.label} channel",
                    "legendgroup": f"channel-{prefix}",
                    "showlegend": index == 0,
                }
            )
    return shapes


def bcun_grid(body: BodyModel) -> tuple[list[dict], list[dict]]:
    """Shapes and labels of the B-cun grid over the back (for the posterior view)."""
    spinal = [level for name, level in body.levels.items() if name[0] in "CTLS"]
    top = max(level.y for level in spinal) + 1.0
    bottom = min(level.y for level in spinal)
    shapes: list[dict] = [
        {
            "type": "line",
            "x0": -GRID_HALF_WIDTH,
            "x1": GRID_HALF_WIDTH,
            "y0": level.y,
            "y1": level.y,
            "line": {"color": GRID_LEVEL_COLOUR, "width": 0.8},
            "layer": "below",
        }
        for level in spinal
    ]
    shapes.append(
        {
            "type": "line",
            "x0": 0,
            "x1": 0,
            "y0": bottom,
            "y1": top,
            "line": {"color": GRID_COLOUR, "width": 1.5},
            "layer": "below",
            "name": "B-cun grid",
            "showlegend": True,
        }
    )
    annotations: list[dict] = [
        {
            "x": 0,
            "y": top + 0.9,
            "text": "midline",
            "showarrow": False,
            "font": {"size": 9, "color": GRID_COLOUR},
        }
    ]
    for distance, dash, label in GRID_LINES:
        for sign in (-1, 1):
            shapes.append(
                {
                    "type": "line",
                    "x0": sign * distance,
                    "x1": sign * distance,
                    "y0": bottom,
                    "y1": top,
                    "line": {"color": GRID_COLOUR, "width": 1, "dash": dash},
                    "layer": "below",
                }
            )
        annotations.append(
            {
                "x": distance,
                "y": bottom - 0.8,
                "text": label,
                "showarrow": False,
                "font": {"size": 9, "color": GRID_COLOUR},
            }
        )
    annotations += [
        {
            "x": GRID_HALF_WIDTH + 0.2,
            "y": body.levels[name].y,
            "text": name,
            "showarrow": False,
            "xanchor": "left",
            "font": {"size": 8, "color": "#5C7A91"},
        }
        for name in body.levels
        if name[0] in "CTL"
    ]
    return shapes, annotations


def region_shapes(region_map: RegionMap, chosen: Iterable[str]) -> list[dict]:
    chosen_ids = set(chosen)
    shapes: list[dict] = []
    for region_id, region in region_map.regions.items():
        picked = region_id in chosen_ids
        for polygon in region.polygons():
            shapes.append(
                {
                    "type": "path",
                    "path": _polyline(polygon, closed=True),
                    "fillcolor": REGION_CHOSEN_FILL if picked else REGION_OPEN_FILL,
                    "line": {
                        "color": REGION_CHOSEN_LINE if picked else REGION_OPEN_LINE,
                        "width": 2 if picked else 1,
                        "dash": "solid" if picked else "dot",
                    },
                    "layer": "below",
                }
            )
    return shapes


def region_handle_trace(region_map: RegionMap, chosen: Iterable[str]) -> go.Scatter:
    """One clickable marker per region outline; ``customdata`` is ``region:<id>``. Chosen
    regions get a filled marker and a tick, open ones a ring: shape, not only colour."""
    chosen_ids = set(chosen)
    xs: list[float] = []
    ys: list[float] = []
    ids: list[str] = []
    texts: list[str] = []
    symbols: list[str] = []
    for region_id, region in region_map.regions.items():
        picked = region_id in chosen_ids
        for x, y in region.handles():
            xs.append(x)
            ys.append(y)
            ids.append(REGION_PREFIX + region_id)
            texts.append(f"{'✓ ' if picked else ''}{region.short}")
            symbols.append("circle" if picked else "circle-open")
    return go.Scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        name=HANDLE_TRACE_NAME,
        customdata=ids,
        text=texts,
        textposition=["middle left" if x < 0 else "middle right" for x in xs],
        textfont={"size": 11, "color": "#7A3300"},
        # Labels may run past the plotted range into the figure's margin.
        cliponaxis=False,
        hovertemplate="%{text}: click to mark or unmark<extra></extra>",
        marker={
            "size": 18,
            "symbol": symbols,
            "color": REGION_CHOSEN_LINE,
            "line": {"color": REGION_CHOSEN_LINE, "width": 2},
        },
        showlegend=False,
    )


def region_of(customdata: str) -> str | None:
    """The region id a handle's ``customdata`` names, or None for anything else."""
    if customdata.startswith(REGION_PREFIX):
        return customdata.removeprefix(REGION_PREFIX)
    return None


def set_marker_trace(catalog: Catalog, codes: Sequence[str], view: View) -> go.Scatter:
    """The set's points in this view, numbered in set order. A row of many sites is
    numbered at its first site on each side only, so the spine does not fill with digits."""
    xs: list[float] = []
    ys: list[float] = []
    numbers: list[str] = []
    custom: list[str] = []
    for number, code in enumerate(codes, start=1):
        if code not in catalog.points or catalog.points[code].view != view:
            continue
        placements = catalog.placements[code]
        is_row = any(isinstance(s, SpinalRowSite) for s in catalog.points[code].location.sites)
        for index, placement in enumerate(placements):
            xs.append(placement.x)
            ys.append(placement.y)
            numbers.append(str(number) if not is_row or index < 2 else "")
            custom.append(code)
    return go.Scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        name=SET_TRACE_NAME,
        customdata=custom,
        text=numbers,
        textfont={"size": 11, "color": "white"},
        hovertemplate="<b>%{customdata}</b> · number %{text} in the set<extra></extra>",
        marker={
            "size": 19,
            "color": "#222222",
            "symbol": "circle",
            "line": {"color": "white", "width": 1.5},
        },
        showlegend=True,
    )


def highlight_codes(figure: go.Figure, codes: Iterable[str]) -> None:
    """Show ``codes`` as selected (full size and colour) and dim the rest of the markers."""
    wanted = set(codes)
    for trace in figure.data:
        if trace.customdata is None or trace.name in (HANDLE_TRACE_NAME, SET_TRACE_NAME):
            continue
        trace.selectedpoints = [
            index for index, code in enumerate(trace.customdata) if code in wanted
        ]
        # Many points may be highlighted at once: keep their size (growing them all would
        # merge them into one blob) and fade the others further instead.
        trace.selected = {"marker": {"opacity": 1.0}}
        trace.unselected = {"marker": {"opacity": HIGHLIGHT_FADED_OPACITY}}


@dataclass(frozen=True)
class ConsultMapRequest:
    """Everything the Consultation page's map depends on (hashable, so it can key a cache)."""

    view: View = "posterior"
    focus: str = "whole body"
    channels: tuple[str, ...] = ()
    grid: bool = False
    set_codes: tuple[str, ...] = ()
    # None: no regions drawn; otherwise the chosen region ids (possibly none).
    regions: tuple[str, ...] | None = None
    highlight: tuple[str, ...] = ()


def overlay_layers(
    catalog: Catalog, view: View, channels: Iterable[str], grid: bool
) -> tuple[list[dict], list[dict]]:
    """Shapes and annotations for the channel lines and the grid (the grid on the back
    view only, where the spine is)."""
    shapes = channel_shapes(catalog, view, channels)
    annotations: list[dict] = []
    if grid and view == "posterior":
        grid_shapes, annotations = bcun_grid(catalog.body)
        shapes = grid_shapes + shapes
    return shapes, annotations


def build_consult_figure(
    catalog: Catalog, region_map: RegionMap, request: ConsultMapRequest
) -> go.Figure:
    """The body map with the Consultation page's layers; clicks report point codes, or
    ``region:<id>`` for a region's handle."""
    figure = build_map_figure(catalog, MapRequest(view=request.view, focus=request.focus))
    shapes = list(figure.layout.shapes)
    annotations = list(figure.layout.annotations)
    if request.regions is not None and request.view == "posterior":
        shapes += region_shapes(region_map, request.regions)
    extra_shapes, extra_annotations = overlay_layers(
        catalog, request.view, request.channels, request.grid
    )
    shapes += extra_shapes
    annotations += extra_annotations
    if request.highlight:
        highlight_codes(figure, request.highlight)
    if request.set_codes:
        figure.add_trace(set_marker_trace(catalog, request.set_codes, request.view))
    if request.regions is not None and request.view == "posterior":
        figure.add_trace(region_handle_trace(region_map, request.regions))
    figure.update_layout(shapes=shapes, annotations=annotations)
    return figure
