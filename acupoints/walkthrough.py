"""How to find a point, step by step, drawn on the body map.

Every position in a walkthrough comes from the same ``Resolver`` that places the markers
and the last step marks the catalog's own placements, so a walkthrough cannot disagree
with the map. Steps are built generically from the point's structured sites:

- ``spinal`` and ``spinal_row``: find a landmark at a known level, count vertebral levels
  to the point's level, measure out from the midline, mark;
- ``between``: find both references, go the given fraction along the line, mark;
- ``offset``: find the reference, measure up or down, then sideways, mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import plotly.graph_objects as go

from acupoints.catalog import Catalog
from acupoints.figures import MapRequest, build_map_figure
from acupoints.geometry import (
    FINGER_EQUIVALENTS,
    Placement,
    Resolver,
    Side,
    bcun_in_fingers,
    to_view_x,
)
from acupoints.models import (
    VIEW_LABELS,
    BetweenSite,
    OffsetSite,
    Point,
    Site,
    SpinalRowSite,
    SpinalSite,
    View,
)
from acupoints.panel import describe_site
from acupoints.regions import LevelAnchor

StepKind = Literal["landmark", "count", "measure", "mark"]
StrokeStyle = Literal["solid", "dashed", "arrow"]
Coordinate = tuple[float, float]

CURRENT_COLOUR = "#D55E00"
EARLIER_COLOUR = "#7A7A7A"
RING_RADIUS = 0.45
# Room around the walkthrough's drawings, and the smallest area worth zooming to, in B-cun.
PADDING = 2.5
MIN_WIDTH = 9.0
MIN_HEIGHT = 11.0
FIGURE_HEIGHT = 640
PLACE_WORDS = frozenset({"between", "below", "above", "where", "on", "in", "at"})


@dataclass(frozen=True)
class Stroke:
    points: tuple[Coordinate, ...]
    style: StrokeStyle = "solid"


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class WalkStep:
    kind: StepKind
    title: str
    text: str
    strokes: tuple[Stroke, ...] = ()
    rings: tuple[Coordinate, ...] = ()
    labels: tuple[Label, ...] = ()
    # Only the last step carries marks: the catalog's placements of the point.
    marks: tuple[Placement, ...] = ()

    def coordinates(self) -> list[Coordinate]:
        found = [xy for stroke in self.strokes for xy in stroke.points]
        found += list(self.rings)
        found += [(label.x, label.y) for label in self.labels]
        found += [(mark.x, mark.y) for mark in self.marks]
        return found


@dataclass(frozen=True)
class Walkthrough:
    code: str
    view: View
    steps: tuple[WalkStep, ...]

    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The x and y ranges that show every step, padded and never too small."""
        coordinates = [xy for step in self.steps for xy in step.coordinates()]
        xs = [x for x, _ in coordinates]
        ys = [y for _, y in coordinates]
        return (
            _padded(min(xs), max(xs), MIN_WIDTH),
            _padded(min(ys), max(ys), MIN_HEIGHT),
        )


def _padded(low: float, high: float, minimum: float) -> tuple[float, float]:
    low, high = low - PADDING, high + PADDING
    if high - low < minimum:
        middle = (low + high) / 2
        low, high = middle - minimum / 2, middle + minimum / 2
    return (round(low, 3), round(high, 3))


@dataclass
class _Context:
    """What every step builder needs: the data, the resolver, and the sides to draw on."""

    catalog: Catalog
    anchors: Sequence[LevelAnchor]
    point: Point
    resolver: Resolver
    sides: tuple[Side, ...] = field(default=("right",))

    def xs(self, lateral: float) -> list[float]:
        """Plot x of a lateral distance on each side drawn (one value on the midline)."""
        values = [to_view_x(lateral, side, self.point.view) for side in self.sides]
        return sorted(set(values))

    def mirrored(self, lateral: float, y: float) -> tuple[Coordinate, ...]:
        return tuple((x, y) for x in self.xs(lateral))

    def mirrored_strokes(
        self, points: Sequence[Coordinate], style: StrokeStyle = "solid"
    ) -> tuple[Stroke, ...]:
        """One stroke per side; a stroke entirely on the midline is drawn once."""
        strokes: list[Stroke] = []
        for side in self.sides:
            stroke = Stroke(
                tuple((to_view_x(lat, side, self.point.view), y) for lat, y in points), style
            )
            if stroke not in strokes:
                strokes.append(stroke)
        return tuple(strokes)

    def reference_name(self, name: str) -> str:
        landmark = self.catalog.body.landmarks.get(name)
        if landmark is not None:
            first_word = landmark.label.split(" ", 1)[0]
            # "between the second and third metacarpals" names a place, not a thing.
            return (
                f"the spot {landmark.label}"
                if first_word in PLACE_WORDS
                else f"the {landmark.label}"
            )
        other = self.catalog.points[name]
        return f"point {other.code} ({other.english})"


def finger_words(bcun: float) -> str:
    """The finger-width equivalent of a distance; small distances get words rather than
    "about 0.1 hand-breadths"."""
    if bcun in FINGER_EQUIVALENTS or bcun >= 1:
        return bcun_in_fingers(bcun)
    return "less than half a thumb-width" if bcun < 0.5 else "less than a thumb-width"


# ---------------------------------------------------------------- spinal sites


def nearest_anchor(catalog: Catalog, anchors: Sequence[LevelAnchor], level: str) -> LevelAnchor:
    """The counting landmark whose level is the fewest vertebrae from ``level``."""
    order = list(catalog.body.levels)
    target = order.index(level)
    return min(anchors, key=lambda anchor: abs(order.index(anchor.level) - target))


def _landmark_step(ctx: _Context, anchor: LevelAnchor) -> WalkStep:
    landmark = ctx.catalog.body.landmarks[anchor.landmark]
    rings = tuple(sorted({(landmark.x, landmark.y), (-landmark.x, landmark.y)}))
    strokes: tuple[Stroke, ...] = ()
    if landmark.x > 0:
        strokes = (Stroke(((-landmark.x, landmark.y), (landmark.x, landmark.y)), "dashed"),)
    text = (
        f"Find {anchor.how}. By convention this marks {anchor.level}: the "
        f"{ctx.catalog.body.levels[anchor.level].label}."
    )
    return WalkStep(
        "landmark",
        "Find the landmark",
        text,
        strokes=strokes,
        rings=rings,
        labels=(Label(landmark.x + 0.6 if landmark.x else 0.6, landmark.y + 0.6, anchor.level),),
    )


def _count_step(ctx: _Context, anchor: LevelAnchor, level: str, row_end: str | None) -> WalkStep:
    body = ctx.catalog.body
    order = list(body.levels)
    start, stop = order.index(anchor.level), order.index(level)
    step = 1 if stop > start else -1
    counted = order[start + step : stop + step : step] if stop != start else []
    target_y = ctx.resolver.level(level)
    direction = "down" if step > 0 else "up"
    labels = [
        Label(0.9, ctx.resolver.level(name), f"{index}")
        for index, name in enumerate(counted, start=1)
    ]
    labels.append(Label(-1.0, target_y, level))
    rings = tuple((0.0, ctx.resolver.level(name)) for name in counted)
    strokes = [Stroke(((-1.2, target_y), (1.2, target_y)))]
    if counted:
        levels_word = "level" if len(counted) == 1 else "levels"
        text = (
            f"From {anchor.level}, count {len(counted)} vertebral {levels_word} {direction}: "
            f"{', '.join(counted)}. The point is level with the {body.levels[level].label}."
        )
    else:
        text = (
            f"No counting needed: the point is level with the landmark itself, at the "
            f"{body.levels[level].label}."
        )
    if row_end is not None:
        row = order[stop : order.index(row_end) + 1]
        rings += tuple((0.0, ctx.resolver.level(name)) for name in row[1:])
        strokes.append(Stroke(((0.0, target_y), (0.0, ctx.resolver.level(row_end))), "dashed"))
        labels.append(Label(-1.0, ctx.resolver.level(row_end), row_end))
        text += (
            f" The row carries on below each spinous process down to {row_end}, "
            f"{len(row)} levels in all."
        )
    return WalkStep(
        "count",
        "Count to the level",
        text,
        strokes=tuple(strokes),
        rings=rings,
        labels=tuple(labels),
    )


def _midline_offset_step(ctx: _Context, lateral: float, y: float) -> WalkStep:
    if lateral <= 0:
        return WalkStep(
            "measure",
            "Measure the offset",
            "No sideways measurement: the point is on the posterior midline itself, in the "
            "dip just below the bump of the spine.",
            rings=((0.0, y),),
        )
    sides = "out to each side" if ctx.point.bilateral else "out to the side"
    return WalkStep(
        "measure",
        "Measure the offset",
        f"From the midline, measure {lateral:g} B-cun {sides}: {finger_words(lateral)}.",
        strokes=ctx.mirrored_strokes([(0.0, y), (lateral, y)], "arrow"),
        labels=tuple(Label(x, y + 0.7, f"{lateral:g} B-cun") for x in ctx.xs(lateral)),
    )


def _spinal_steps(ctx: _Context, site: SpinalSite | SpinalRowSite) -> list[WalkStep]:
    level = site.level if isinstance(site, SpinalSite) else site.first
    row_end = site.last if isinstance(site, SpinalRowSite) else None
    anchor = nearest_anchor(ctx.catalog, ctx.anchors, level)
    y = ctx.resolver.level(level)
    return [
        _landmark_step(ctx, anchor),
        _count_step(ctx, anchor, level, row_end),
        _midline_offset_step(ctx, site.lateral_bcun, y),
    ]


# ---------------------------------------------------------------- between and offset


def _find_reference_step(ctx: _Context, name: str, title: str) -> WalkStep:
    position = ctx.resolver.reference(name)
    text = f"Find {ctx.reference_name(name)}."
    other = ctx.catalog.points.get(name)
    if other is not None:
        text += f" {describe_site(ctx.catalog, other.location.sites[0])}"
    return WalkStep(
        "landmark",
        title,
        text,
        rings=ctx.mirrored(position.lateral, position.y),
    )


def _between_steps(ctx: _Context, site: BetweenSite) -> list[WalkStep]:
    start, end = ctx.resolver.reference(site.start), ctx.resolver.reference(site.end)
    target = ctx.resolver.site(site)[0]
    return [
        _find_reference_step(ctx, site.start, "Find the first landmark"),
        _find_reference_step(ctx, site.end, "Find the second landmark"),
        WalkStep(
            "measure",
            "Measure along the line",
            f"Join the two with an imaginary line. {describe_site(ctx.catalog, site)}",
            strokes=ctx.mirrored_strokes(
                [(start.lateral, start.y), (end.lateral, end.y)], "dashed"
            ),
            rings=ctx.mirrored(target.lateral, target.y),
        ),
    ]


def _offset_steps(ctx: _Context, site: OffsetSite) -> list[WalkStep]:
    origin = ctx.resolver.reference(site.origin)
    steps = [_find_reference_step(ctx, site.origin, "Find the landmark")]
    corner = (origin.lateral, origin.y + site.superior_bcun)
    if site.superior_bcun:
        distance = abs(site.superior_bcun)
        direction = "up" if site.superior_bcun > 0 else "down"
        steps.append(
            WalkStep(
                "measure",
                f"Measure {direction}",
                f"From there, measure {distance:g} B-cun {direction}: {finger_words(distance)}.",
                strokes=ctx.mirrored_strokes([(origin.lateral, origin.y), corner], "arrow"),
                labels=tuple(
                    Label(x, (origin.y + corner[1]) / 2, f"{distance:g} B-cun")
                    for x in ctx.xs(origin.lateral + 0.9)
                ),
            )
        )
    if site.lateral_bcun:
        distance = abs(site.lateral_bcun)
        direction = "outwards" if site.lateral_bcun > 0 else "inwards, towards the midline"
        end = (corner[0] + site.lateral_bcun, corner[1])
        steps.append(
            WalkStep(
                "measure",
                "Measure sideways",
                f"Then measure {distance:g} B-cun {direction}: {finger_words(distance)}.",
                strokes=ctx.mirrored_strokes([corner, end], "arrow"),
                labels=tuple(
                    Label(x, corner[1] + 0.7, f"{distance:g} B-cun") for x in ctx.xs(end[0])
                ),
            )
        )
    return steps


# ---------------------------------------------------------------- the whole walkthrough


def _site_steps(ctx: _Context, site: Site) -> list[WalkStep]:
    if isinstance(site, SpinalSite | SpinalRowSite):
        return _spinal_steps(ctx, site)
    if isinstance(site, BetweenSite):
        return _between_steps(ctx, site)
    assert isinstance(site, OffsetSite)
    return _offset_steps(ctx, site)


def _mark_step(catalog: Catalog, point: Point) -> WalkStep:
    placements = tuple(catalog.placements[point.code])
    where = "on both sides" if point.bilateral else "on the midline"
    if point.bilateral and len(placements) > 2:
        where = "at each site, on both sides"
    return WalkStep(
        "mark",
        "Mark the point",
        f"This is {point.code} ({point.english}), {where}, seen on the "
        f"{VIEW_LABELS[point.view].lower()}. {point.location.description}",
        marks=placements,
    )


def build_walkthrough(catalog: Catalog, anchors: Sequence[LevelAnchor], code: str) -> Walkthrough:
    """The steps to find ``code``: one group per site of its location, then the mark."""
    point = catalog.points[code]
    ctx = _Context(
        catalog=catalog,
        anchors=anchors,
        point=point,
        resolver=Resolver(catalog.body, catalog.points),
        sides=("left", "right") if point.bilateral else ("right",),
    )
    sites = point.location.sites
    steps: list[WalkStep] = []
    for index, site in enumerate(sites, start=1):
        site_steps = _site_steps(ctx, site)
        if len(sites) > 1:
            site_steps = [
                WalkStep(
                    step.kind,
                    f"{step.title} (site {index} of {len(sites)})",
                    step.text,
                    step.strokes,
                    step.rings,
                    step.labels,
                )
                for step in site_steps
            ]
        steps += site_steps
    caveat = point.location.landmark_caveat
    if caveat:
        first = steps[0]
        steps[0] = WalkStep(
            first.kind,
            first.title,
            f"{first.text} Keep in mind: {caveat}",
            first.strokes,
            first.rings,
            first.labels,
        )
    steps.append(_mark_step(catalog, point))
    return Walkthrough(code, point.view, tuple(steps))


# ---------------------------------------------------------------- drawing


def _step_shapes(step: WalkStep, colour: str, width: float) -> list[dict]:
    shapes: list[dict] = []
    for stroke in step.strokes:
        if len(stroke.points) < 2:
            continue
        path = "M " + " L ".join(f"{x:.3f},{y:.3f}" for x, y in stroke.points)
        shapes.append(
            {
                "type": "path",
                "path": path,
                "line": {
                    "color": colour,
                    "width": width,
                    "dash": "dash" if stroke.style == "dashed" else "solid",
                },
                "layer": "above",
            }
        )
    for x, y in step.rings:
        shapes.append(
            {
                "type": "circle",
                "x0": x - RING_RADIUS,
                "x1": x + RING_RADIUS,
                "y0": y - RING_RADIUS,
                "y1": y + RING_RADIUS,
                "line": {"color": colour, "width": width},
                "layer": "above",
            }
        )
    return shapes


def _step_annotations(step: WalkStep, colour: str) -> list[dict]:
    annotations: list[dict] = [
        {
            "x": label.x,
            "y": label.y,
            "text": label.text,
            "showarrow": False,
            "font": {"size": 12, "color": colour},
            "bgcolor": "rgba(255,255,255,0.8)",
        }
        for label in step.labels
    ]
    for stroke in step.strokes:
        if stroke.style == "arrow" and len(stroke.points) >= 2:
            (x0, y0), (x1, y1) = stroke.points[-2], stroke.points[-1]
            annotations.append(
                {
                    "x": x1,
                    "y": y1,
                    "ax": x0,
                    "ay": y0,
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "text": "",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowsize": 1.2,
                    "arrowwidth": 2,
                    "arrowcolor": colour,
                }
            )
    return annotations


def build_walkthrough_figure(
    catalog: Catalog,
    walkthrough: Walkthrough,
    step_index: int,
    extra_shapes: Sequence[dict] = (),
    extra_annotations: Sequence[dict] = (),
) -> go.Figure:
    """The body map at one step: earlier steps in grey, the current one in colour. The
    point itself appears only when the last step marks it."""
    step_index = max(0, min(step_index, len(walkthrough.steps) - 1))
    step = walkthrough.steps[step_index]
    final = step.kind == "mark"
    others = frozenset(code for code in catalog.points if code != walkthrough.code)
    request = MapRequest(
        view=walkthrough.view,
        visible=None if final else others,
        highlight=walkthrough.code if final else None,
        focus="walkthrough",
    )
    figure = build_map_figure(catalog, request)
    shapes = list(figure.layout.shapes) + list(extra_shapes)
    annotations = list(figure.layout.annotations) + list(extra_annotations)
    for earlier in walkthrough.steps[:step_index]:
        shapes += _step_shapes(earlier, EARLIER_COLOUR, 1.2)
    shapes += _step_shapes(step, CURRENT_COLOUR, 2.5)
    annotations += _step_annotations(step, CURRENT_COLOUR)
    if final:
        for mark in step.marks:
            shapes.append(
                {
                    "type": "circle",
                    "x0": mark.x - 0.8,
                    "x1": mark.x + 0.8,
                    "y0": mark.y - 0.8,
                    "y1": mark.y + 0.8,
                    "line": {"color": CURRENT_COLOUR, "width": 3},
                    "layer": "above",
                }
            )
    x_range, y_range = walkthrough.bounds()
    figure.update_layout(
        shapes=shapes,
        annotations=annotations,
        height=FIGURE_HEIGHT,
        showlegend=False,
        xaxis={"range": list(x_range)},
        yaxis={"range": list(y_range)},
    )
    return figure
