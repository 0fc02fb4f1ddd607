"""Structured locations -> positions on the map, through one body model.

Positions are in body units: x in B-cun from the midline, y in B-cun above the sole.
A site is resolved on one side (x >= 0); the figure mirrors it for the other side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from acupoints.models import (
    BetweenSite,
    BodyModel,
    OffsetSite,
    Point,
    Site,
    SpinalRowSite,
    SpinalSite,
    View,
)

Side = Literal["left", "right", "midline"]


class GeometryError(ValueError):
    """A site names something the body model does not have, or refers in a circle."""


@dataclass(frozen=True)
class Position:
    lateral: float
    y: float


@dataclass(frozen=True)
class Placement:
    """One marker: a point's site on one side, in the plot coordinates of a view."""

    code: str
    side: Side
    x: float
    y: float


def levels_between(body: BodyModel, first: str, last: str) -> list[str]:
    names = list(body.levels)
    for name in (first, last):
        if name not in body.levels:
            raise GeometryError(f"unknown level '{name}'")
    start, stop = names.index(first), names.index(last)
    if start > stop:
        raise GeometryError(f"level '{first}' is below '{last}'")
    return names[start : stop + 1]


class Resolver:
    """Resolves references (landmarks, or other points' first sites) to positions."""

    def __init__(self, body: BodyModel, points: Mapping[str, Point]) -> None:
        self.body = body
        self.points = points
        self._cache: dict[str, Position] = {}
        self._resolving: set[str] = set()

    def reference(self, name: str) -> Position:
        landmark = self.body.landmarks.get(name)
        if landmark is not None:
            return Position(landmark.x, landmark.y)
        if name in self._cache:
            return self._cache[name]
        point = self.points.get(name)
        if point is None:
            raise GeometryError(f"unknown landmark or point '{name}'")
        if name in self._resolving:
            raise GeometryError(f"'{name}' is placed relative to itself")
        self._resolving.add(name)
        try:
            position = self.site(point.location.sites[0])[0]
        finally:
            self._resolving.discard(name)
        self._cache[name] = position
        return position

    def level(self, name: str) -> float:
        level = self.body.levels.get(name)
        if level is None:
            raise GeometryError(f"unknown level '{name}'")
        return level.y

    def site(self, site: Site) -> list[Position]:
        handlers: dict[type, Callable[[Site], list[Position]]] = {
            SpinalSite: self._spinal,
            SpinalRowSite: self._row,
            BetweenSite: self._between,
            OffsetSite: self._offset,
        }
        return handlers[type(site)](site)

    def _spinal(self, site: SpinalSite) -> list[Position]:
        return [Position(site.lateral_bcun, self.level(site.level))]

    def _row(self, site: SpinalRowSite) -> list[Position]:
        return [
            Position(site.lateral_bcun, self.level(name))
            for name in levels_between(self.body, site.first, site.last)
        ]

    def _between(self, site: BetweenSite) -> list[Position]:
        start, end = self.reference(site.start), self.reference(site.end)
        t = site.fraction
        return [
            Position(
                start.lateral + (end.lateral - start.lateral) * t, start.y + (end.y - start.y) * t
            )
        ]

    def _offset(self, site: OffsetSite) -> list[Position]:
        origin = self.reference(site.origin)
        return [Position(origin.lateral + site.lateral_bcun, origin.y + site.superior_bcun)]

    def positions(self, point: Point) -> list[Position]:
        return [position for site in point.location.sites for position in self.site(site)]


def to_view_x(lateral: float, side: Side, view: View) -> float:
    """Plot x for a lateral distance: the patient's left is on the viewer's left from behind."""
    if side == "midline":
        return 0.0
    toward_viewer_left = (side == "left") == (view == "posterior")
    return -lateral if toward_viewer_left else lateral


def place(point: Point, positions: list[Position]) -> list[Placement]:
    """Markers for a point in its own view: two per site when bilateral and off the midline."""
    placements: list[Placement] = []
    for position in positions:
        on_midline = abs(position.lateral) < 1e-9
        sides: tuple[Side, ...] = (
            ("midline",) if on_midline or not point.bilateral else ("left", "right")
        )
        for side in sides:
            placements.append(
                Placement(
                    point.code, side, to_view_x(position.lateral, side, point.view), position.y
                )
            )
    return placements


FINGER_EQUIVALENTS: dict[float, str] = {
    0.5: "about half a thumb-width",
    1.0: "about one thumb-width",
    1.5: "about two finger-widths (index and middle finger)",
    2.0: "about two thumb-widths",
    3.0: "about four finger-widths (one hand's breadth)",
    3.5: "a hand's breadth plus half a thumb-width",
    4.0: "a hand's breadth plus one thumb-width",
}


def bcun_in_fingers(bcun: float) -> str:
    """An everyday equivalent of a B-cun distance, using the standard's finger-cun.

    The thumb's width is 1 B-cun, index and middle finger together 1.5, four fingers 3.
    """
    if bcun <= 0:
        return "on the midline"
    if bcun in FINGER_EQUIVALENTS:
        return FINGER_EQUIVALENTS[bcun]
    return f"about {bcun / 3.0:.1f} hand-breadths (four fingers each)"
