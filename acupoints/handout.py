"""The printable patient handout for a treatment set: one self-contained HTML page.

The body diagram is inline SVG drawn from the map's own geometry (the outline and guides
of ``figures.guide_shapes``, the markers at the catalog's placements), so no browser or
image library is needed to make it. Every piece of text goes through ``html.escape``,
including the practitioner's name and notes, and the output is well-formed XML as well as
HTML, which the tests check. Paper size is set with CSS ``@page`` (A4 or US Letter); the
content is sized to fit the narrower and the shorter of the two.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES, guide_shapes
from acupoints.models import VIEW_LABELS, SpinalRowSite, Study, View
from acupoints.pages_content import ExpectContent, short_citation
from acupoints.sets import HandoutWording, TreatmentSet

Paper = Literal["A4", "letter"]
PAPER_LABELS: dict[Paper, str] = {"A4": "A4", "letter": "US Letter"}
PAGE_MARGIN_MM = 10
# The diagram's largest printed size; its width follows from the area it shows.
DIAGRAM_MAX_HEIGHT_MM = 76.0
DIAGRAM_MAX_WIDTH_MM = 80.0
DIAGRAM_PADDING = 3.0
DIAGRAM_MIN_HALF_WIDTH = 6.5
DIAGRAM_MIN_HEIGHT = 18.0
MARKER_RADIUS_MM = 1.7
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


def body_diagram_svg(
    catalog: Catalog, codes: Sequence[str], view: View, frame: Frame | None = None
) -> str:
    """One view of the body with the set's points marked and numbered, as inline SVG."""
    markers = _numbered_placements(catalog, codes, view)
    frame = frame or diagram_frame([(x, y) for _, _, x, y, _ in markers])
    width = frame.x_range[1] - frame.x_range[0]
    height = frame.y_range[1] - frame.y_range[0]
    radius = round(min(MARKER_RADIUS_MM / frame.mm_per_unit, 0.75), 3)
    font = round(radius * 1.25, 3)
    elements = _guide_svg(catalog, view, frame)
    for number, code, x, y, labelled in markers:
        cx, cy = frame.sx(x), frame.sy(y)
        if not labelled:
            elements.append(
                f'<circle cx="{cx}" cy="{cy}" r="{radius / 2:.3f}" fill="#222222">'
                f"<title>{esc(code)}</title></circle>"
            )
            continue
        elements.append(
            f'<g class="marker"><title>{esc(code)}</title>'
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="#222222" stroke="#ffffff" '
            f'stroke-width="{radius / 6:.3f}" />'
            f'<text x="{cx}" y="{cy}" font-size="{font}" fill="#ffffff" text-anchor="middle" '
            f'dominant-baseline="central" font-weight="bold">{number}</text></g>'
        )
    label = esc(f"{VIEW_LABELS[view]}: the points of this set, numbered")
    return (
        f'<svg xmlns="{SVG_NAMESPACE}" role="img" aria-label="{label}" '
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
body { margin: 0 auto; max-width: 190mm; font: 7.8pt/1.2 "DejaVu Sans", "Helvetica Neue",
  Arial, sans-serif; }
h1 { font-size: 15pt; margin: 0; }
h2 { font-size: 10.5pt; margin: 0 0 1mm; }
h3 { font-size: 9.5pt; margin: 0 0 0.8mm; }
p { margin: 0 0 1.2mm; }
ul, ol { margin: 0 0 1.2mm; padding-left: 4.5mm; }
a { color: inherit; }
.header { display: flex; justify-content: space-between; align-items: baseline;
  border-bottom: 0.5mm solid #222222; padding-bottom: 1mm; margin-bottom: 2mm; }
.set-name { font-size: 10.5pt; font-weight: bold; }
.not-advice { border: 0.3mm solid #555555; padding: 1.2mm 2mm; margin-bottom: 2mm; }
.top { display: flex; gap: 5mm; align-items: flex-start; margin-bottom: 2mm; }
.diagrams { display: flex; gap: 3mm; flex: none; }
.diagrams figure { margin: 0; text-align: center; font-size: 8pt; color: #444444; }
.diagrams svg { display: block; }
.side { flex: 1; min-width: 0; }
.red-flags { border: 0.6mm solid #B00020; padding: 1.5mm 2mm; margin-bottom: 2mm; }
.red-flags h2 { color: #B00020; }
.red-flags ul { margin-bottom: 1mm; columns: 2; column-gap: 4mm; }
.red-flags li { break-inside: avoid; }
.points { column-count: 2; column-gap: 5mm; }
.point { break-inside: avoid; border-top: 0.3mm solid #999999; padding-top: 1mm;
  margin-bottom: 1.2mm; }
.point p { margin-bottom: 0.8mm; }
.number { display: inline-block; min-width: 4.6mm; height: 4.6mm; border-radius: 2.3mm;
  background: #222222; color: #ffffff; text-align: center; line-height: 4.6mm;
  font-size: 8pt; margin-right: 1mm; }
.names { font-weight: normal; color: #444444; }
.label { font-weight: bold; }
.practitioner-note { background: #F3EDE4; padding: 0.8mm 1.5mm; }
.cite { font-size: 7.5pt; }
.references { font-size: 7.5pt; margin-top: 1mm; break-inside: avoid; }
.references ol { padding-left: 5mm; columns: 2; column-gap: 5mm; }
.footer { font-size: 7.5pt; color: #444444; margin-top: 1.5mm; }
@media screen {
  html { background: #E9E9E9; }
  body { background: #ffffff; padding: 12mm; margin: 6mm auto; max-width: 210mm;
    box-shadow: 0 0 3mm rgba(0, 0, 0, 0.25); }
}
"""
PAGE_SIZES: dict[Paper, str] = {"A4": "A4 portrait", "letter": "letter portrait"}


def _point_article(
    catalog: Catalog, code: str, number: int, note: str, references: References
) -> str:
    point = catalog.points[code]
    tier = catalog.tiers[point.evidence.tier]
    guide = " ".join(f"{index}. {esc(step)}" for index, step in enumerate(point.guide, 1))
    parts = [
        f'<article class="point" id="point-{esc(code)}">',
        f'<h3><span class="number">{number}</span>{esc(code)} · {esc(point.english)} '
        f'<span class="names">{esc(point.pinyin)} {esc(point.characters.simplified)}</span></h3>',
        f"<p>{esc(point.summary)}</p>",
        f'<p><span class="label">How it is found ({esc(VIEW_LABELS[point.view].lower())}):'
        f"</span> {guide}</p>",
    ]
    if note:
        parts.append(
            f'<p class="practitioner-note"><span class="label">Your practitioner\'s note:'
            f"</span> {esc(note)}</p>"
        )
    parts.append(
        f'<p><span class="label">Research: {esc(tier.label)}.</span> '
        f"{esc(point.evidence.caveat)}{references.cite(point.evidence.citations)}</p>"
    )
    parts.append("</article>")
    return "".join(parts)


def build_handout_html(
    catalog: Catalog,
    treatment_set: TreatmentSet,
    wording: HandoutWording,
    expect: ExpectContent,
    paper: Paper = "A4",
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
    diagrams = "".join(
        f"<figure>{body_diagram_svg(catalog, codes, view, frame)}"
        f"<figcaption>{esc(VIEW_LABELS[view])}</figcaption></figure>"
        for view in views
    )
    flags = expect.red_flags
    course = expect.course
    red_flags = (
        f'<section class="red-flags"><h2>{esc(wording.red_flags_heading)}</h2><ul>'
        + "".join(f"<li>{esc(sign.label)}</li>" for sign in flags.signs)
        + f"</ul><p>{inline_markdown(flags.alert)}</p></section>"
    )
    expectations = (
        f"<section><h2>{esc(wording.expectations_heading)}</h2>"
        f"<p>{esc(course.intro)} {esc(course.review)}{references.cite(course.citations)}</p>"
        "</section>"
    )
    articles = "".join(
        _point_article(catalog, code, number, treatment_set.note(code), references)
        for number, code in enumerate(codes, start=1)
    )
    reference_items = "".join(
        f'<li id="ref-{number}">{esc(short_citation(study))}, <i>{esc(study.journal)}</i>. '
        f'<a href="{esc(study.link)}">{esc(study.identifier)}</a></li>'
        for number, study in references.studies()
    )
    style = STYLE % {"size": PAGE_SIZES[paper], "margin": PAGE_MARGIN_MM}
    title = f"{wording.title}: {treatment_set.name}"
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head>'
        '<meta charset="utf-8" />'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />'
        f"<title>{esc(title)}</title><style>{style}</style></head><body>"
        f'<div class="header"><h1>{esc(wording.title)}</h1>'
        f'<span class="set-name">{esc(treatment_set.name)}</span></div>'
        f'<p class="not-advice"><strong>{esc(wording.not_advice)}</strong></p>'
        f'<div class="top"><div class="diagrams">{diagrams}</div>'
        f'<div class="side"><p>{esc(wording.intro)}</p>{red_flags}{expectations}'
        "</div></div>"
        f'<section class="points">{articles}</section>'
        f'<section class="references"><h2>Sources</h2><ol>{reference_items}</ol></section>'
        f'<p class="footer">Made with the back-pain acupoint atlas. Point locations follow '
        f"the WHO Standard Acupuncture Point Locations (2008), in plain words. "
        f"{len(codes)} point(s) in this set.</p>"
        "</body></html>\n"
    )


def handout_file_name(treatment_set: TreatmentSet) -> str:
    """A safe, readable file name: ``handout-treatment-set.html``."""
    slug = re.sub(r"[^a-z0-9]+", "-", treatment_set.name.lower()).strip("-")[:40]
    return f"handout-{slug or 'set'}.html"
