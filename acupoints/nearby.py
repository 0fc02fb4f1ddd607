"""What a fingertip covers on the map, and which zoom shows a point.

A fingertip is about 44 CSS pixels across (the touch-target size platform guidelines ask
for). How many body units that is depends on the zoom and on the screen; the narrowest
screen the map is laid out for, a phone, gives the largest area, so lists made for it
are never too short on a larger screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES, MAP_HEIGHT, MAP_MARGIN
from acupoints.models import View

FINGERTIP_PX = 44.0
# The map's size on a 390 px wide phone: the page keeps 16 px either side.
PHONE_MAP_PX = (358.0, float(MAP_HEIGHT))
WHOLE_BODY = "whole body"
NEARBY_LIMIT = 6


def px_per_bcun(focus: str, map_px: tuple[float, float] = PHONE_MAP_PX) -> float:
    """Pixels per body unit for a zoom on a map of this size (axes keep a 1:1 ratio, so
    the tighter of the two directions sets the scale)."""
    (x0, x1), (y0, y1) = FOCUS_RANGES.get(focus, FOCUS_RANGES[WHOLE_BODY])
    width = map_px[0] - MAP_MARGIN["l"] - MAP_MARGIN["r"]
    height = map_px[1] - MAP_MARGIN["t"] - MAP_MARGIN["b"]
    return min(width / (x1 - x0), height / (y1 - y0))


def fingertip_bcun(focus: str) -> float:
    """The fingertip's width in body units at this zoom, on a phone."""
    return FINGERTIP_PX / px_per_bcun(focus)


@dataclass(frozen=True)
class Nearby:
    code: str
    distance_bcun: float


def nearby_points(
    catalog: Catalog,
    view: View,
    focus: str,
    x: float,
    y: float,
    visible: frozenset[str] | None = None,
) -> list[Nearby]:
    """Points other than the one at (x, y) whose markers lie within a fingertip of it,
    nearest first, at most ``NEARBY_LIMIT``: the ones a tap there could have meant."""
    radius = fingertip_bcun(focus)
    nearest: dict[str, float] = {}
    for code, placements in catalog.placements.items():
        point = catalog.points[code]
        if point.view != view or (visible is not None and code not in visible):
            continue
        for placement in placements:
            distance = ((placement.x - x) ** 2 + (placement.y - y) ** 2) ** 0.5
            if distance <= radius and distance < nearest.get(code, radius + 1):
                nearest[code] = distance
    ordered = sorted(nearest.items(), key=lambda item: (item[1], item[0]))
    # The marker tapped is at distance 0; everything else is a neighbour.
    neighbours = [Nearby(code, distance) for code, distance in ordered if distance > 1e-9]
    return neighbours[:NEARBY_LIMIT]


def _contains(focus: str, x: float, y: float, margin: float) -> bool:
    (x0, x1), (y0, y1) = FOCUS_RANGES[focus]
    return x0 + margin <= x <= x1 - margin and y0 + margin <= y <= y1 - margin


def _area(focus: str) -> float:
    (x0, x1), (y0, y1) = FOCUS_RANGES[focus]
    return (x1 - x0) * (y1 - y0)


def tightest_zoom(positions: Iterable[tuple[float, float]], margin: float = 0.5) -> str:
    """The zoom of smallest area that shows every position with ``margin`` B-cun to spare
    (the whole body when no closer zoom does)."""
    wanted = list(positions)
    fitting = [
        name for name in FOCUS_RANGES if all(_contains(name, x, y, margin) for x, y in wanted)
    ]
    return min(fitting, key=_area) if fitting else WHOLE_BODY


def closer_zoom(x: float, y: float) -> str | None:
    """The tightest zoom that shows (x, y), or None where only the whole body does."""
    zoom = tightest_zoom([(x, y)])
    return None if zoom == WHOLE_BODY else zoom


def zoom_showing(catalog: Catalog, code: str, focus: str) -> str:
    """``focus`` if it shows a marker of the point, else the whole body."""
    placements = catalog.placements.get(code, [])
    if focus in FOCUS_RANGES and any(_contains(focus, p.x, p.y, 0.5) for p in placements):
        return focus
    return WHOLE_BODY
