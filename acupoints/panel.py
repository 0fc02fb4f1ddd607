"""What the detail panel says about a point, for each kind of reader, as plain Markdown.

Kept free of Streamlit so the wording and its order per reader can be tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from acupoints.catalog import Catalog
from acupoints.geometry import bcun_in_fingers
from acupoints.models import (
    REGION_LABELS,
    VIEW_LABELS,
    BetweenSite,
    OffsetSite,
    Point,
    Reader,
    Site,
    SpinalRowSite,
    SpinalSite,
)

READER_LABELS: dict[Reader, str] = {
    "patient": "Patient",
    "practitioner": "Practitioner",
    "student": "Student",
}
CAUTION_LABELS = {
    "lung": "Lung",
    "kidney": "Kidney",
    "spinal_canal": "Spinal canal",
    "nerve": "Nerve",
    "vessel": "Blood vessel",
    "pregnancy": "Pregnancy",
    "other": "Caution",
}
# Which sections open first for whom; the order is the order on screen.
READER_SECTIONS: dict[Reader, list[tuple[str, bool]]] = {
    "patient": [
        ("find", True),
        ("research", True),
        ("safety", True),
        ("tradition", False),
        ("sources", False),
    ],
    "practitioner": [
        ("location", True),
        ("safety", True),
        ("research", True),
        ("tradition", True),
        ("anatomy", False),
        ("sources", False),
    ],
    "student": [
        ("location", True),
        ("find", True),
        ("tradition", True),
        ("anatomy", False),
        ("safety", False),
        ("research", False),
        ("sources", False),
    ],
}
SECTION_TITLES = {
    "find": "How to find it",
    "location": "Location (standard)",
    "tradition": "In traditional Chinese medicine",
    "anatomy": "Anatomy beneath (textbook)",
    "research": "What the research shows",
    "safety": "Safety",
    "sources": "Sources",
}
MAX_LINK_VALUE = 40
_SAFE_CODE = re.compile(r"^[A-Za-z]{2}-?[A-Za-z]{0,2}\d{1,2}$")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    markdown: str
    expanded: bool


@dataclass(frozen=True)
class LinkResult:
    """What a ``?point=`` value resolved to: a code, or a notice safe to show."""

    code: str | None
    notice: str | None


def resolve_point_link(catalog: Catalog, value: str | None) -> LinkResult:
    """Map a URL value to a point code. Unknown or strange values give a notice that
    never repeats the value unless it is a harmless code-shaped string."""
    if value is None or value == "":
        return LinkResult(None, None)
    candidate = value.strip().upper()
    if candidate in catalog.points:
        return LinkResult(candidate, None)
    if len(value) <= MAX_LINK_VALUE and _SAFE_CODE.match(value.strip()):
        return LinkResult(
            None,
            f"This atlas has no point called {candidate}. Choose one on the map "
            "or search for it below.",
        )
    return LinkResult(
        None,
        "The link asked for a point this atlas does not have. Choose one on "
        "the map or search for it below.",
    )


def describe_site(catalog: Catalog, site: Site) -> str:
    """One structured site in words, with the B-cun offset and a finger-width equivalent."""
    if isinstance(site, SpinalSite):
        level = catalog.body.levels[site.level].label
        if site.lateral_bcun == 0:
            return f"On the posterior midline, at the {level}."
        return (
            f"At the {level}, {site.lateral_bcun:g} B-cun lateral to the posterior midline "
            f"({bcun_in_fingers(site.lateral_bcun)})."
        )
    if isinstance(site, SpinalRowSite):
        return (
            f"A row of points, one below each spinous process from {site.first} to {site.last}, "
            f"{site.lateral_bcun:g} B-cun lateral to the midline "
            f"({bcun_in_fingers(site.lateral_bcun)})."
        )
    if isinstance(site, BetweenSite):
        start, end = _reference_label(catalog, site.start), _reference_label(catalog, site.end)
        if abs(site.fraction - 0.5) < 1e-6:
            return f"Midway between the {start} and the {end}."
        return f"{_fraction_words(site.fraction)} of the way from the {start} to the {end}."
    assert isinstance(site, OffsetSite)
    origin = _reference_label(catalog, site.origin)
    parts = []
    if site.superior_bcun:
        direction = "above" if site.superior_bcun > 0 else "below"
        parts.append(f"{abs(site.superior_bcun):g} B-cun {direction}")
    if site.lateral_bcun:
        direction = "lateral to" if site.lateral_bcun > 0 else "medial to"
        parts.append(f"{abs(site.lateral_bcun):g} B-cun {direction}")
    if not parts:
        return f"At the {origin}."
    return f"{' and '.join(parts).capitalize()} the {origin}."


def _reference_label(catalog: Catalog, name: str) -> str:
    landmark = catalog.body.landmarks.get(name)
    if landmark is not None:
        return landmark.label
    return f"point {name}"


def _fraction_words(fraction: float) -> str:
    for numerator in range(1, 20):
        for denominator in range(numerator + 1, 21):
            if abs(fraction - numerator / denominator) < 2e-3:
                return f"{numerator}/{denominator}"
    return f"{fraction:.2f}"


def header_markdown(point: Point, catalog: Catalog) -> str:
    characters = point.characters.simplified
    if point.characters.traditional != point.characters.simplified:
        characters = f"{point.characters.simplified} (traditional {point.characters.traditional})"
    sides = "one on each side of the body" if point.bilateral else "a single point"
    return (
        f"### {point.code} · {point.english}\n"
        f"**{point.pinyin}** {characters}  \n"
        f"{point.meridian} · {REGION_LABELS[point.region]} · {VIEW_LABELS[point.view].lower()}, "
        f"{sides}\n\n{point.summary}"
    )


def _find_markdown(point: Point, catalog: Catalog) -> str:
    steps = "\n".join(f"{index}. {step}" for index, step in enumerate(point.guide, start=1))
    text = f"Look at the **{VIEW_LABELS[point.view].lower()}**.\n\n{steps}"
    if point.location.landmark_caveat:
        text += f"\n\n**About this landmark:** {point.location.landmark_caveat}"
    return text


def _location_markdown(point: Point, catalog: Catalog) -> str:
    location = point.location
    lines = [f"{location.description} *(after {location.standard})*", ""]
    lines += [f"- {describe_site(catalog, site)}" for site in location.sites]
    for label, text in (
        ("Note", location.note),
        ("Alternative location", location.alternative),
        ("About this landmark", location.landmark_caveat),
    ):
        if text:
            lines += ["", f"**{label}:** {text}"]
    return "\n".join(lines)


def _tradition_markdown(point: Point, catalog: Catalog) -> str:
    actions = "; ".join(point.traditional.actions)
    indications = "; ".join(point.traditional.indications)
    text = (
        "*These are the beliefs of traditional Chinese medicine, not findings of research.*\n\n"
        f"**Traditional actions:** {actions}.\n\n**Traditionally used for:** {indications}."
    )
    if point.categories:
        text += f"\n\n**Point categories:** {'; '.join(point.categories)}."
    return text


def _anatomy_markdown(point: Point, catalog: Catalog) -> str:
    anatomy = point.anatomy
    assert anatomy is not None  # build_sections leaves the section out otherwise
    lines = [
        "*Textbook anatomy of a typical adult: depths and layers vary with build, and "
        "the map does not show them.*",
        "",
        f"- **Layers, from the skin inwards:** {'; '.join(anatomy.layers)}.",
        f"- **Nerves:** {'; '.join(anatomy.nerves)}.",
    ]
    if anatomy.segment:
        lines.append(f"- **Skin segment (dermatome):** {anatomy.segment}.")
    return "\n".join(lines)


def citation_markdown(catalog: Catalog, ids: list[str]) -> str:
    return "\n".join(
        f"- {study.short}. {study.authors} *{study.journal}* {study.year}. "
        f"[{study.identifier}]({study.link})"
        for study in catalog.cited(ids)
    )


def _research_markdown(point: Point, catalog: Catalog) -> str:
    tier = catalog.tiers[point.evidence.tier]
    return (
        f"**{tier.label}.** {tier.meaning}\n\n{point.evidence.caveat}\n\n"
        f"**The overall picture:** {catalog.central_finding_text}\n\n"
        f"{citation_markdown(catalog, point.evidence.citations)}"
    )


def _safety_markdown(point: Point, catalog: Catalog, reader: Reader) -> str:
    lines = [f"- **{CAUTION_LABELS[c.kind]}:** {c.text}" for c in point.cautions]
    text = "\n".join(lines)
    if reader == "practitioner":
        needling = point.needling
        depth = needling.depth or "not given here"
        text += f"\n\n**Needling:** depth {depth}; {needling.angle}."
        if needling.note:
            text += f" {needling.note}"
    else:
        text += (
            "\n\nNeedling should only be done by a trained, licensed practitioner using "
            "single-use sterile needles."
        )
    return text


def _sources_markdown(point: Point, catalog: Catalog) -> str:
    return "\n".join(
        f"- {note.covers}: {note.source} ({'checked' if note.checked else 'not yet checked'})"
        for note in point.sources
    )


def build_sections(catalog: Catalog, point: Point, reader: Reader) -> list[Section]:
    builders = {
        "find": lambda: _find_markdown(point, catalog),
        "location": lambda: _location_markdown(point, catalog),
        "tradition": lambda: _tradition_markdown(point, catalog),
        "anatomy": lambda: _anatomy_markdown(point, catalog),
        "research": lambda: _research_markdown(point, catalog),
        "safety": lambda: _safety_markdown(point, catalog, reader),
        "sources": lambda: _sources_markdown(point, catalog),
    }
    # A section with nothing to say for this point is left out rather than shown empty.
    absent = {"anatomy"} if point.anatomy is None else set()
    return [
        Section(key, SECTION_TITLES[key], builders[key](), expanded)
        for key, expanded in READER_SECTIONS[reader]
        if key not in absent
    ]


def option_label(point: Point) -> str:
    """How a point appears in the select box."""
    return f"{point.code} · {point.english} · {point.pinyin}"
