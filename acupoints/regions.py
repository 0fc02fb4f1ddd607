"""Where does it hurt? Body regions as polygons, and the points that lie in or near them.

Regions live in ``data/body_regions.yaml`` in the map's own body units, so finding the
points in a region is plain geometry on the catalog's placements: a point counts when one
of its markers lies inside the polygon or within ``NEAR_BCUN`` of its edge. The same file
holds the landmarks people count vertebrae from, which the walkthrough uses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from acupoints.catalog import Catalog, data_dir, validate
from acupoints.models import Strict
from acupoints.yaml_io import DataError, LoadedYaml, Problem, format_field, load_yaml_file

REGIONS_FILE = "body_regions.yaml"
# A marker this close to a region's edge (in B-cun, about a thumb's width) still counts:
# pain is rarely felt with sharp borders, and points on a border belong to both sides.
NEAR_BCUN = 1.0
REGION_VIEW = "posterior"

NonEmpty = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Vertex = tuple[float, float]


class BodyRegion(Strict):
    id: Slug
    label: NonEmpty
    short: NonEmpty
    polygon: list[Vertex] = Field(min_length=3)
    handle: Vertex
    mirror: bool = False
    distal: list[NonEmpty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _handle_inside(self) -> BodyRegion:
        if not point_in_polygon(self.handle, self.polygon):
            raise ValueError("handle must lie inside the polygon")
        return self

    def polygons(self) -> list[list[Vertex]]:
        """The region's outlines in map coordinates: one, or one per side when mirrored."""
        if not self.mirror:
            return [list(self.polygon)]
        return [list(self.polygon), [(-x, y) for x, y in self.polygon]]

    def handles(self) -> list[Vertex]:
        x, y = self.handle
        return [(x, y), (-x, y)] if self.mirror else [(x, y)]


class LevelAnchor(Strict):
    """A landmark at a known vertebral level, from which other levels are counted."""

    landmark: NonEmpty
    level: NonEmpty
    how: NonEmpty


class RegionsFile(Strict):
    regions: list[BodyRegion] = Field(min_length=1)
    level_anchors: list[LevelAnchor] = Field(min_length=1)


@dataclass(frozen=True)
class RegionMap:
    regions: dict[str, BodyRegion]
    anchors: tuple[LevelAnchor, ...]

    def labels(self) -> dict[str, str]:
        return {region_id: region.label for region_id, region in self.regions.items()}


# ---------------------------------------------------------------- geometry


def point_in_polygon(point: Vertex, polygon: Sequence[Vertex]) -> bool:
    """Even-odd ray casting; a point exactly on an edge may fall either way, which is
    why callers also accept points within NEAR_BCUN of the edge."""
    x, y = point
    inside = False
    count = len(polygon)
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[(index + 1) % count]
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                inside = not inside
    return inside


def _segment_distance(point: Vertex, start: Vertex, end: Vertex) -> float:
    px, py = point
    ax, ay = start
    bx, by = end
    dx, dy = bx - ax, by - ay
    length_squared = dx * dx + dy * dy
    t = 0.0 if length_squared == 0 else ((px - ax) * dx + (py - ay) * dy) / length_squared
    t = max(0.0, min(1.0, t))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def distance_to_polygon(point: Vertex, polygon: Sequence[Vertex]) -> float:
    """0 inside the polygon, else the distance to its nearest edge."""
    if point_in_polygon(point, polygon):
        return 0.0
    count = len(polygon)
    return min(
        _segment_distance(point, polygon[index], polygon[(index + 1) % count])
        for index in range(count)
    )


# ---------------------------------------------------------------- suggestions

SuggestionKind = Literal["local", "distal"]


@dataclass(frozen=True)
class Suggestion:
    """A point worth talking about for the chosen areas, and why it was suggested."""

    code: str
    kind: SuggestionKind
    regions: tuple[str, ...]
    # For local points: True when a marker lies inside an area, False when only near it.
    inside: bool = True


def region_distance(catalog: Catalog, code: str, region: BodyRegion) -> float:
    """How far the nearest marker of ``code`` lies from ``region`` (0 when inside)."""
    if catalog.points[code].view != REGION_VIEW:
        return math.inf
    return min(
        distance_to_polygon((placement.x, placement.y), polygon)
        for placement in catalog.placements[code]
        for polygon in region.polygons()
    )


def suggest_points(
    catalog: Catalog, region_map: RegionMap, chosen: Iterable[str]
) -> list[Suggestion]:
    """Points in or near the chosen regions, then the distal points traditionally added
    for them; each code once, local before distal, in catalog order within each group."""
    regions = [region_map.regions[name] for name in chosen if name in region_map.regions]
    local: dict[str, tuple[list[str], bool]] = {}
    for code in catalog.points:
        for region in regions:
            distance = region_distance(catalog, code, region)
            if distance <= NEAR_BCUN:
                names, inside = local.setdefault(code, ([], False))
                names.append(region.id)
                local[code] = (names, inside or distance == 0.0)
    distal: dict[str, list[str]] = {}
    for region in regions:
        for code in region.distal:
            if code not in local:
                distal.setdefault(code, []).append(region.id)
    order = {code: index for index, code in enumerate(catalog.points)}
    # Points inside an area come before those only beside it.
    suggestions = [
        Suggestion(code, "local", tuple(names), inside)
        for code, (names, inside) in sorted(
            local.items(), key=lambda item: (not item[1][1], order[item[0]])
        )
    ]
    suggestions += [
        Suggestion(code, "distal", tuple(names))
        for code, names in sorted(distal.items(), key=lambda item: order[item[0]])
    ]
    return suggestions


# ---------------------------------------------------------------- loading


def _cross_check(parsed: RegionsFile, loaded: LoadedYaml, catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []

    def report(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(loaded.file, loaded.line_of(path), format_field(path), message))

    seen: set[str] = set()
    for index, region in enumerate(parsed.regions):
        if region.id in seen:
            report(("regions", index, "id"), f"duplicate region id '{region.id}'")
        seen.add(region.id)
        for code_index, code in enumerate(region.distal):
            if code not in catalog.points:
                report(("regions", index, "distal", code_index), f"unknown point '{code}'")
    for index, anchor in enumerate(parsed.level_anchors):
        if anchor.landmark not in catalog.body.landmarks:
            report(("level_anchors", index, "landmark"), f"unknown landmark '{anchor.landmark}'")
        if anchor.level not in catalog.body.levels:
            report(("level_anchors", index, "level"), f"unknown level '{anchor.level}'")
    return problems


def load_region_map(catalog: Catalog, folder: Path | None = None) -> RegionMap:
    """The painful-area regions and counting landmarks. Raises DataError listing every
    problem, each with its file and line."""
    folder = folder or data_dir()
    path = folder / REGIONS_FILE
    if not path.exists():
        raise DataError([Problem(f"data/{REGIONS_FILE}", None, "", "required file is missing")])
    loaded = load_yaml_file(path, shown_as=str(path.relative_to(folder.parent)))
    problems: list[Problem] = []
    parsed = validate(loaded, RegionsFile, problems)
    if parsed is not None:
        problems += _cross_check(parsed, loaded, catalog)
    if problems or parsed is None:
        raise DataError(problems)
    return RegionMap(
        regions={region.id: region for region in parsed.regions},
        anchors=tuple(parsed.level_anchors),
    )
