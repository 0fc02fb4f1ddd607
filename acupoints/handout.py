"""The printable patient handout for a treatment set: one self-contained HTML page.

The body diagram is inline SVG drawn from the map's own geometry (the outline and guides
of ``figures.guide_shapes``, the markers at the catalog's placements), so no browser or
image library is needed to make it. Every piece of text goes through ``html.escape``,
including the practitioner's name and notes, and the output is well-formed XML as well as
HTML, which the tests check. Paper size is set with CSS ``@page`` (A4 or US Letter); the
content is sized to fit the narrower and the shorter of the two, and folds to one column
on a phone.

Everything printed comes from the app's own content: the points' guides (with any note a
step refers to printed in the step), the set's safety summary (``acupoints.safety``), one
research summary from the registry's central finding, and the aftercare and red flags of
What to expect. The diagram's numbers are placed so that no two overlap.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES, guide_shapes
from acupoints.models import VIEW_LABELS, CautionKind, EvidenceTier, SpinalRowSite, Study, View
from acupoints.pages_content import ExpectContent, SourcedText, short_citation
from acupoints.safety import build_safety_summary
from acupoints.sets import HandoutWording, TreatmentSet, clean_text

Paper = Literal["A4", "letter"]
PAPER_LABELS: dict[Paper, str] = {"A4": "A4", "letter": "US Letter"}
PAGE_MARGIN_MM = 10
# The diagram's largest printed size; its width follows from the area it shows.
DIAGRAM_MAX_HEIGHT_MM = 115.0
DIAGRAM_MAX_WIDTH_MM = 150.0
DIAGRAM_PADDING = 3.0
DIAGRAM_MIN_HALF_WIDTH = 6.5
DIAGRAM_MIN_HEIGHT = 18.0
# A badge 5 mm across with a 3.5 mm (about 10 pt) number reads at arm's length.
BADGE_RADIUS_MM = 2.5
BADGE_MIN_RADIUS_MM = 1.9
BADGE_FONT_RATIO = 1.4
DOT_RADIUS_MM = 0.8
SAFETY_HEADING = "Cautions for these points"
RESEARCH_HEADING = "What research shows for this set"
AFTER_HEADING = "After your session"
REPORT_HEADING = "What to report"
# In What to expect's "after" section, the item with this heading and those after it say
# what to report; the items before it are aftercare.
REPORT_ITEM_PREFIX = "what to report"
# A specific kind's lead sentence says what it means for the patient, and its points'
# own notes are about needling technique (the Consultation page shows them); "other" has
# no shared meaning, so its notes are printed.
PRINTED_NOTE_KINDS: frozenset[CautionKind] = frozenset({"other"})
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def inline_markdown(text: str) -> str:
    """Escaped text with ``**bold**`` kept as bold: the data files write emphasis so."""
    return _BOLD.sub(r"<strong>\1</strong>", esc(text))


# ---------------------------------------------------------------- the diagram


@dataclass(frozen=True)
class Frame:
    """Which part of the body a diagram shows, and how big it prints."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    mm_per_unit: float

    @property
    def width_mm(self) -> float:
        return (self.x_range[1] - self.x_range[0]) * self.mm_per_unit

    @property
    def height_mm(self) -> float:
        return (self.y_range[1] - self.y_range[0]) * self.mm_per_unit

    def sx(self, x: float) -> float:
        return round(x - self.x_range[0], 3)

    def sy(self, y: float) -> float:
        # SVG's y grows downwards; the body model's grows upwards.
        return round(self.y_range[1] - y, 3)


def diagram_frame(
    coordinates: Sequence[tuple[float, float]], max_width_mm: float = DIAGRAM_MAX_WIDTH_MM
) -> Frame:
    """A frame around the marked points, symmetric about the midline so the body reads
    as a body, padded, and scaled to the largest size the page allows."""
    (_, full_x1), (full_y0, full_y1) = FOCUS_RANGES["whole body"]
    half = max([DIAGRAM_MIN_HALF_WIDTH, *(abs(x) + DIAGRAM_PADDING for x, _ in coordinates)])
    half = min(half, full_x1)
    ys = [y for _, y in coordinates] or [full_y0, full_y1]
    low, high = min(ys) - DIAGRAM_PADDING, max(ys) + DIAGRAM_PADDING
    if high - low < DIAGRAM_MIN_HEIGHT:
        middle = (low + high) / 2
        low, high = middle - DIAGRAM_MIN_HEIGHT / 2, middle + DIAGRAM_MIN_HEIGHT / 2
    low, high = max(low, full_y0), min(high, full_y1)
    scale = min(max_width_mm / (2 * half), DIAGRAM_MAX_HEIGHT_MM / (high - low))
    return Frame((-half, half), (low, high), scale)


def _svg_path_data(path: str, frame: Frame) -> str:
    """Re-project a Plotly shape path (``M x,y L x,y ... Z``) into the diagram's frame."""
    parts: list[str] = []
    for token in path.split():
        if "," in token:
            x, y = (float(value) for value in token.split(","))
            parts.append(f"{frame.sx(x)},{frame.sy(y)}")
        else:
            parts.append(token)
    return " ".join(parts)


def _guide_svg(catalog: Catalog, view: View, frame: Frame) -> list[str]:
    """The map's silhouette and landmark guides, from the very shapes the map draws."""
    stroke_width = round(0.25 / frame.mm_per_unit, 3)
    elements: list[str] = []
    for shape in guide_shapes(catalog.body, view):
        line = shape.get("line", {})
        colour = esc(line.get("color", "#8C8C8C"))
        dash = ' stroke-dasharray="0.6 0.6"' if line.get("dash") in ("dot", "dash") else ""
        if shape["type"] == "path":
            fill = esc(shape.get("fillcolor", "none"))
            elements.append(
                f'<path d="{esc(_svg_path_data(shape["path"], frame))}" fill="{fill}" '
                f'stroke="{colour}" stroke-width="{stroke_width}"{dash} />'
            )
        elif shape["type"] == "circle":
            cx, cy = (shape["x0"] + shape["x1"]) / 2, (shape["y0"] + shape["y1"]) / 2
            radius = (shape["x1"] - shape["x0"]) / 2
            elements.append(
                f'<circle cx="{frame.sx(cx)}" cy="{frame.sy(cy)}" r="{radius:.3f}" fill="none" '
                f'stroke="{colour}" stroke-width="{stroke_width}" />'
            )
        elif shape["type"] == "line":
            elements.append(
                f'<line x1="{frame.sx(shape["x0"])}" y1="{frame.sy(shape["y0"])}" '
                f'x2="{frame.sx(shape["x1"])}" y2="{frame.sy(shape["y1"])}" '
                f'stroke="{colour}" stroke-width="{stroke_width}" />'
            )
    return elements


def _numbered_placements(
    catalog: Catalog, codes: Sequence[str], view: View
) -> list[tuple[int, str, float, float, bool]]:
    """(number, code, x, y, labelled) for every marker of the set in this view. A row of
    many sites is numbered at its first site on each side only."""
    found: list[tuple[int, str, float, float, bool]] = []
    for number, code in enumerate(codes, start=1):
        point = catalog.points[code]
        if point.view != view:
            continue
        is_row = any(isinstance(site, SpinalRowSite) for site in point.location.sites)
        for index, placement in enumerate(catalog.placements[code]):
            found.append((number, code, placement.x, placement.y, not is_row or index < 2))
    return found


def shared_frame(catalog: Catalog, codes: Sequence[str], views: Sequence[View]) -> Frame:
    """One frame for all the views drawn, so the back and the front share a scale and
    stand side by side at the same height."""
    coordinates = [
        (x, y) for view in views for _, _, x, y, _ in _numbered_placements(catalog, codes, view)
    ]
    return diagram_frame(coordinates, DIAGRAM_MAX_WIDTH_MM / max(1, len(views)))


@dataclass(frozen=True)
class Label:
    """A numbered badge, in diagram units: where its marker is and where its badge sits."""

    number: int
    code: str
    marker: tuple[float, float]
    centre: tuple[float, float]
    radius: float

    @property
    def moved(self) -> bool:
        return self.marker != self.centre


def _overlaps(a: tuple[float, float], b: tuple[float, float], reach: float) -> bool:
    """Whether two square boxes of half-size ``reach`` centred on a and b overlap."""
    return abs(a[0] - b[0]) < reach and abs(a[1] - b[1]) < reach


# Distances, in badge radii, at which a badge that cannot sit on its marker is tried.
RINGS = tuple(2.4 + 1.2 * step for step in range(30))


def place_labels(
    markers: Sequence[tuple[int, str, float, float]],
    radius: float,
    width: float,
    height: float,
) -> list[Label]:
    """Badges that never touch one another: each sits on its marker when there is room, or
    else at the nearest free spot on rings around it (joined to it by a leader line).
    Boxes are squares of side 2 * radius plus a small gap, so their numbers cannot collide
    either. Greedy and in set order, which keeps the first points on their markers."""
    gap = radius * 0.15
    reach = 2 * radius + gap
    dots = [(x, y) for _, _, x, y in markers]
    placed: list[Label] = []
    angles = [index * math.pi / 12 for index in range(24)]
    offsets = [(0.0, 0.0)] + [
        (ring * radius * math.cos(angle), -ring * radius * math.sin(angle))
        for ring in RINGS
        for angle in angles
    ]
    for number, code, x, y in markers:
        chosen: tuple[float, float] | None = None
        for dx, dy in offsets:
            centre = (x + dx, y + dy)
            inside = (
                radius <= centre[0] <= width - radius and radius <= centre[1] <= height - radius
            )
            clear = not any(_overlaps(centre, label.centre, reach) for label in placed)
            # A moved badge must not hide another marker either.
            hides = (dx, dy) != (0.0, 0.0) and any(
                dot != (x, y) and _overlaps(centre, dot, radius + gap) for dot in dots
            )
            if inside and clear and not hides:
                chosen = centre
                break
        if chosen is None:
            raise ValueError(f"no room for the label of {code} on the diagram")
        placed.append(Label(number, code, (x, y), chosen, radius))
    return placed


def diagram_labels(catalog: Catalog, codes: Sequence[str], view: View, frame: Frame) -> list[Label]:
    """The badges of one view's diagram, placed so that none collide. When a crowded set
    leaves no room, a point on both sides is numbered on one side only (its twin is the
    unnumbered dot opposite), and then the badges shrink a little, never below
    ``BADGE_MIN_RADIUS_MM``."""
    width = frame.x_range[1] - frame.x_range[0]
    height = frame.y_range[1] - frame.y_range[0]
    markers = [
        (number, code, frame.sx(x), frame.sy(y))
        for number, code, x, y, labelled in _numbered_placements(catalog, codes, view)
        if labelled
    ]
    # The right-hand side of the drawing, and the midline, keep their numbers.
    one_side = [marker for marker in markers if marker[2] >= width / 2 - 1e-6]
    radius_mm = BADGE_RADIUS_MM
    attempts = [(markers, radius_mm), (one_side, radius_mm)]
    while radius_mm > BADGE_MIN_RADIUS_MM:
        radius_mm = max(BADGE_MIN_RADIUS_MM, radius_mm - 0.2)
        attempts.append((one_side, radius_mm))
    for chosen, size in attempts:
        try:
            return place_labels(chosen, size / frame.mm_per_unit, width, height)
        except ValueError:
            continue
    raise ValueError(f"no room for the numbers of {', '.join(codes)} on the diagram")


def body_diagram_svg(
    catalog: Catalog, codes: Sequence[str], view: View, frame: Frame | None = None
) -> str:
    """One view of the body with the set's points marked and numbered, as inline SVG."""
    markers = _numbered_placements(catalog, codes, view)
    frame = frame or diagram_frame([(x, y) for _, _, x, y, _ in markers])
    width = frame.x_range[1] - frame.x_range[0]
    height = frame.y_range[1] - frame.y_range[0]
    dot = round(DOT_RADIUS_MM / frame.mm_per_unit, 3)
    elements = _guide_svg(catalog, view, frame)
    labels = diagram_labels(catalog, codes, view, frame)
    numbered = {label.marker for label in labels}
    for _, code, x, y, _ in markers:
        if (frame.sx(x), frame.sy(y)) not in numbered:
            elements.append(
                f'<circle cx="{frame.sx(x)}" cy="{frame.sy(y)}" r="{dot:.3f}" fill="#222222">'
                f"<title>{esc(code)}</title></circle>"
            )
    for label in labels:
        (mx, my), (cx, cy) = label.marker, label.centre
        radius = label.radius
        font = radius * BADGE_FONT_RATIO
        parts = [f'<g class="marker"><title>{esc(label.code)}</title>']
        if label.moved:
            parts.append(
                f'<line x1="{mx:.3f}" y1="{my:.3f}" x2="{cx:.3f}" y2="{cy:.3f}" '
                f'stroke="#222222" stroke-width="{radius / 8:.3f}" />'
                f'<circle cx="{mx:.3f}" cy="{my:.3f}" r="{dot:.3f}" fill="#222222" />'
            )
        parts.append(
            f'<circle cx="{cx:.3f}" cy="{cy:.3f}" r="{radius:.3f}" fill="#222222" '
            f'stroke="#ffffff" stroke-width="{radius / 6:.3f}" />'
            f'<text x="{cx:.3f}" y="{cy:.3f}" font-size="{font:.3f}" fill="#ffffff" '
            'text-anchor="middle" dominant-baseline="central" font-weight="bold">'
            f"{label.number}</text></g>"
        )
        elements.append("".join(parts))
    aria = esc(f"{VIEW_LABELS[view]}: the points of this set, numbered")
    return (
        f'<svg xmlns="{SVG_NAMESPACE}" role="img" aria-label="{aria}" '
        f'width="{frame.width_mm:.1f}mm" height="{frame.height_mm:.1f}mm" '
        f'viewBox="0 0 {width:.3f} {height:.3f}">' + "".join(elements) + "</svg>"
    )


# ---------------------------------------------------------------- citations


class References:
    """Numbers each cited study once, in order of first mention."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.order: list[str] = []

    def cite(self, ids: Iterable[str]) -> str:
        numbers = []
        for study_id in ids:
            if study_id not in self.catalog.studies:
                continue
            if study_id not in self.order:
                self.order.append(study_id)
            numbers.append(self.order.index(study_id) + 1)
        if not numbers:
            return ""
        links = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in numbers)
        return f' <span class="cite">[{links}]</span>'

    def studies(self) -> list[tuple[int, Study]]:
        return [(index, self.catalog.studies[s]) for index, s in enumerate(self.order, 1)]


# ---------------------------------------------------------------- the page


STYLE = """
@page { size: %(size)s; margin: %(margin)smm; }
* { box-sizing: border-box; }
html { color: #111111; background: #ffffff; }
body { margin: 0 auto; max-width: 190mm; font: 11pt/1.35 "DejaVu Sans", "Helvetica Neue",
  Arial, sans-serif; }
h1 { font-size: 18pt; margin: 0; }
h2 { font-size: 13.5pt; margin: 0 0 1.5mm; }
h3 { font-size: 12pt; margin: 0 0 1mm; }
p { margin: 0 0 1.8mm; }
ul, ol { margin: 0 0 1.8mm; padding-left: 6mm; }
li { margin-bottom: 0.6mm; }
a { color: inherit; }
section { margin-bottom: 3mm; }
.header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline;
  gap: 2mm; border-bottom: 0.5mm solid #222222; padding-bottom: 1mm; margin-bottom: 2mm; }
.set-name { font-size: 13pt; font-weight: bold; }
.details { display: flex; flex-wrap: wrap; gap: 1mm 6mm; margin: 0 0 2mm; padding: 0;
  list-style: none; }
.details li { margin: 0; }
.not-advice { border: 0.3mm solid #555555; padding: 1.5mm 2.5mm; }
.top { display: flex; flex-wrap: wrap; gap: 3mm 5mm; align-items: flex-start;
  margin-bottom: 3mm; }
.top .red-flags { flex: 1 1 80mm; min-width: 0; margin: 0; }
.diagrams { display: flex; flex-wrap: wrap; justify-content: center; gap: 4mm;
  flex: none; max-width: 100%%; break-inside: avoid; }
.diagrams figure { margin: 0; text-align: center; font-size: 10pt; color: #444444; }
.diagrams svg { display: block; max-width: 100%%; height: auto; }
.red-flags { border: 0.6mm solid #B00020; padding: 2mm 2.5mm; break-inside: avoid; }
.red-flags h2 { color: #B00020; }
.red-flags ul { columns: 2; column-gap: 6mm; }
.top .red-flags ul { columns: 1; }
.red-flags li { break-inside: avoid; }
.safety { border: 0.4mm solid #7A5200; padding: 2mm 2.5mm; }
.caution { break-inside: avoid; margin-bottom: 2mm; }
.caution h3 { margin-bottom: 0.5mm; }
.caution-points { font-weight: bold; }
.caution ul { margin-top: 0.8mm; }
.points { column-count: 2; column-gap: 6mm; }
.point { break-inside: avoid; border-top: 0.3mm solid #999999; padding-top: 1.5mm;
  margin-bottom: 2.5mm; }
.point p { margin-bottom: 1mm; }
.steps { margin-bottom: 1mm; }
.number { display: inline-block; min-width: 6mm; height: 6mm; border-radius: 3mm;
  background: #222222; color: #ffffff; text-align: center; line-height: 6mm;
  font-size: 11pt; margin-right: 1.5mm; }
.names { font-weight: normal; color: #444444; }
.label { font-weight: bold; }
.practitioner-note { background: #F3EDE4; padding: 1mm 2mm; }
.cite { font-size: 9pt; }
.references { font-size: 9.5pt; break-inside: avoid; }
.references ol { columns: 2; column-gap: 6mm; }
.footer { font-size: 9.5pt; color: #444444; margin-top: 2mm; }
@media screen {
  html { background: #E9E9E9; }
  body { background: #ffffff; padding: 12mm; margin: 6mm auto; max-width: 210mm;
    box-shadow: 0 0 3mm rgba(0, 0, 0, 0.25); }
}
@media screen and (max-width: 640px) {
  html { background: #ffffff; }
  body { padding: 4mm; margin: 0; box-shadow: none; }
  .points, .red-flags ul, .references ol { columns: 1; column-count: 1; }
  .header { display: block; }
}
"""
PAGE_SIZES: dict[Paper, str] = {"A4": "A4 portrait", "letter": "letter portrait"}
MAX_DETAIL_CHARS = 80
# Step text that sends the reader to a note printed elsewhere in the atlas.
_LANDMARK_NOTE_REFERENCE = re.compile(r"\s*See the note on this landmark\.?", re.IGNORECASE)
_POINT_CODE = re.compile(r"\b(?:[A-Z]{2}\d{1,2}|EX-[A-Z]{1,2}\d{1,2})\b")


@dataclass(frozen=True)
class HandoutDetails:
    """Who gave the treatment and when to come back: all optional, printed when given."""

    practitioner: str = ""
    clinic: str = ""
    contact: str = ""
    next_visit: str = ""

    def rows(self) -> list[tuple[str, str]]:
        labelled = [
            ("Practitioner", self.practitioner),
            ("Clinic", self.clinic),
            ("Contact", self.contact),
            ("Next visit", self.next_visit),
        ]
        return [(label, value) for label, value in labelled if value]


def build_handout_details(
    practitioner: str | None = None,
    clinic: str | None = None,
    contact: str | None = None,
    next_visit: str | None = None,
) -> HandoutDetails:
    """Details cleaned like a set's notes: control characters gone, length capped."""
    return HandoutDetails(
        *(
            clean_text(value, MAX_DETAIL_CHARS)
            for value in (practitioner, clinic, contact, next_visit)
        )
    )


def standalone_steps(catalog: Catalog, code: str, codes: Sequence[str]) -> list[str]:
    """The point's guide as escaped HTML steps that need nothing else to be read: the
    landmark note a step refers to is printed in the step, and another point a step names
    is either numbered (when it is in the set) or located in a few words."""
    point = catalog.points[code]
    caveat = point.location.landmark_caveat
    steps: list[str] = []
    for step in point.guide:
        text = esc(_LANDMARK_NOTE_REFERENCE.sub("", step))
        if caveat and _LANDMARK_NOTE_REFERENCE.search(step):
            text += f" <em>Note on this landmark:</em> {esc(caveat)}"
        for named in dict.fromkeys(_POINT_CODE.findall(step)):
            if named == code or named not in catalog.points:
                continue
            if named in codes:
                where = f"point {codes.index(named) + 1} on this handout"
            else:
                where = (
                    f"{catalog.points[named].english}: {catalog.points[named].location.description}"
                )
            text = text.replace(named, f"{named} ({esc(where)})", 1)
        steps.append(text)
    return steps


# The page itself. Jinja2 escapes every value it prints (autoescape), so text from the data
# files and from the practitioner can never become markup; only the pieces built here
# from escaped parts (the diagrams, the steps, citation marks, the style) are marked safe.
HANDOUT_TEMPLATE = """<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{{ wording.title }}: {{ set_name }}</title><style>{{ style }}</style></head><body>
<div class="header"><h1>{{ wording.title }}</h1><span class="set-name">{{ set_name }}</span></div>
{% if details %}<ul class="details">{% for label, value in details %}
<li><span class="label">{{ label }}:</span> {{ value }}</li>{% endfor %}</ul>{% endif %}
<p class="not-advice"><strong>{{ wording.not_advice }}</strong></p>
<p>{{ wording.intro }}</p>
<div class="top"><div class="diagrams">{% for view in views %}
<figure>{{ view.svg }}<figcaption>{{ view.label }}</figcaption></figure>{% endfor %}</div>
<section class="red-flags"><h2>{{ wording.red_flags_heading }}</h2>
<ul>{% for sign in red_flags.signs %}<li>{{ sign.label }}</li>{% endfor %}</ul>
<p>{{ red_flags.alert | bold }}</p></section></div>
<section class="safety"><h2>{{ headings.safety }}</h2>{% for group in safety.groups %}
<div class="caution caution-{{ group.kind }}"><h3>{{ group.heading }}</h3>
<p><span class="caution-points">{{ group.named_points }}.</span> {{ group.lead }}</p>
{%- if group.kind in printed_note_kinds %}<ul>{% for note in group.notes %}
<li>{{ note.codes | join(", ") }}: {{ note.text }}</li>{% endfor %}</ul>{% endif %}</div>
{%- endfor %}
<p>{{ safety.closing }}</p></section>
<section class="points">{% for point in points %}
<article class="point" id="point-{{ point.code }}">
<h3><span class="number">{{ point.number }}</span>{{ point.code }} · {{ point.english }}
<span class="names">{{ point.names }}</span></h3>
<p>{{ point.summary }}</p>
<p class="label">How it is found ({{ point.view }}):</p>
<ol class="steps">{% for step in point.steps %}<li>{{ step }}</li>{% endfor %}</ol>
{%- if point.note %}
<p class="practitioner-note"><span class="label">Your practitioner's note:</span>
{{ point.note }}</p>
{%- endif %}</article>{% endfor %}</section>
<section class="research"><h2>{{ headings.research }}</h2>
<p>{{ research.finding }}{{ cite(research.finding_citations) }}</p>
<ul>{% for tier, listed in research.tiers %}
<li>{{ tier }}: {{ listed | join(", ") }}.</li>{% endfor %}</ul>
<p>Studies about these points:{{ cite(research.point_citations) }}</p></section>
<section class="aftercare"><h2>{{ headings.after }}</h2>{% for item in after %}
<p><span class="label">{{ item.heading }}.</span> {{ item.text }}{{ cite(item.citations) }}</p>
{%- endfor %}</section>
<section class="report"><h2>{{ headings.report }}</h2>{% for item in report %}
<p>{% if item.heading | lower != headings.report | lower -%}
<span class="label">{{ item.heading }}.</span> {% endif -%}
{{ item.text }}{{ cite(item.citations) }}</p>
{%- endfor %}</section>
<section class="course"><h2>{{ wording.expectations_heading }}</h2>
<p>{{ course.intro }} {{ course.review }}{{ cite(course.citations) }}</p></section>
<section class="references"><h2>Sources</h2><ol>{% for number, study in references.studies() %}
<li id="ref-{{ number }}">{{ study_citation(study) }}, <i>{{ study.journal }}</i>.
<a href="{{ study.link }}">{{ study.identifier }}</a></li>{% endfor %}</ol></section>
<p class="footer">Made with the back-pain acupoint atlas. Point locations follow the WHO
Standard Acupuncture Point Locations (2008), in plain words. {{ points | length }} point(s)
in this set.</p>
</body></html>
"""


def _bold(text: str) -> Markup:
    return Markup(inline_markdown(text))


_ENVIRONMENT = Environment(autoescape=True, undefined=StrictUndefined)
_ENVIRONMENT.filters["bold"] = _bold
_TEMPLATE = _ENVIRONMENT.from_string(HANDOUT_TEMPLATE)


def _split_after_items(expect: ExpectContent) -> tuple[list[SourcedText], list[SourcedText]]:
    """What to expect's "after" items as aftercare and what to report."""
    items = expect.after.items
    split = next(
        (
            index
            for index, item in enumerate(items)
            if item.heading.lower().startswith(REPORT_ITEM_PREFIX)
        ),
        len(items),
    )
    return items[:split], items[split:]


def _research(catalog: Catalog, codes: Sequence[str]) -> dict[str, object]:
    """One summary for the whole set: the registry's central finding, then which points
    trials used, with the studies behind the points cited once."""
    by_tier: dict[EvidenceTier, list[str]] = {}
    for number, code in enumerate(codes, start=1):
        by_tier.setdefault(catalog.points[code].evidence.tier, []).append(f"{number} {code}")
    return {
        "finding": catalog.central_finding_text,
        "finding_citations": catalog.central_finding_citations,
        "tiers": [(catalog.tiers[tier].label, listed) for tier, listed in by_tier.items()],
        "point_citations": [
            study for code in codes for study in catalog.points[code].evidence.citations
        ],
    }


def build_handout_html(
    catalog: Catalog,
    treatment_set: TreatmentSet,
    wording: HandoutWording,
    expect: ExpectContent,
    paper: Paper = "A4",
    details: HandoutDetails | None = None,
) -> str:
    """The handout as one HTML document (no scripts, no external files)."""
    codes = [code for code in treatment_set.codes if code in catalog.points]
    references = References(catalog)
    views: list[View] = [
        view
        for view in ("posterior", "anterior")
        if any(catalog.points[code].view == view for code in codes)
    ]
    frame = shared_frame(catalog, codes, views)
    points = [
        {
            "number": number,
            "code": code,
            "english": catalog.points[code].english,
            "names": f"{catalog.points[code].pinyin} {catalog.points[code].characters.simplified}",
            "summary": catalog.points[code].summary,
            "view": VIEW_LABELS[catalog.points[code].view].lower(),
            "steps": [Markup(step) for step in standalone_steps(catalog, code, codes)],
            "note": treatment_set.note(code),
        }
        for number, code in enumerate(codes, start=1)
    ]
    after, report = _split_after_items(expect)
    return _TEMPLATE.render(
        wording=wording,
        set_name=treatment_set.name,
        details=(details or HandoutDetails()).rows(),
        style=Markup(STYLE % {"size": PAGE_SIZES[paper], "margin": PAGE_MARGIN_MM}),
        views=[
            {
                "svg": Markup(body_diagram_svg(catalog, codes, view, frame)),
                "label": VIEW_LABELS[view],
            }
            for view in views
        ],
        red_flags=expect.red_flags,
        safety=build_safety_summary([catalog.points[code] for code in codes]),
        printed_note_kinds=PRINTED_NOTE_KINDS,
        headings={
            "safety": SAFETY_HEADING,
            "research": RESEARCH_HEADING,
            "after": AFTER_HEADING,
            "report": REPORT_HEADING,
        },
        points=points,
        research=_research(catalog, codes),
        after=after,
        report=report,
        course=expect.course,
        cite=lambda ids: Markup(references.cite(ids)),
        references=references,
        study_citation=short_citation,
    )


def handout_file_name(treatment_set: TreatmentSet) -> str:
    """A safe, readable file name: ``handout-treatment-set.html``."""
    slug = re.sub(r"[^a-z0-9]+", "-", treatment_set.name.lower()).strip("-")[:40]
    return f"handout-{slug or 'set'}.html"
