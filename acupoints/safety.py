"""The safety summary of a treatment set: its points' cautions, grouped by kind.

Everything comes from the points' own ``cautions``, so a caution added to a point shows up
in every summary that includes the point. What is written here is only the plain heading
and one lead sentence per kind, saying what the kind means for the person being treated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from acupoints.models import CautionKind, Point


@dataclass(frozen=True)
class KindWording:
    heading: str
    lead: str


# In the order a patient most needs them: pregnancy first, because it is the one thing the
# patient must tell the practitioner; "other" last, because it is the least specific.
KIND_WORDING: dict[CautionKind, KindWording] = {
    "pregnancy": KindWording(
        "Pregnancy",
        "Traditionally avoided, or used only with extra care, in pregnancy. Tell your "
        "practitioner if you are or might be pregnant.",
    ),
    "lung": KindWording(
        "Lungs",
        "The lung lies beneath these points. A needle that goes too deep can cause a "
        "collapsed lung (pneumothorax). Chest pain or shortness of breath after a session, "
        "even hours later, needs medical help at once.",
    ),
    "spinal_canal": KindWording(
        "Spinal canal",
        "These points lie over or close to the spinal canal, which holds the spinal cord or "
        "its nerve roots, so needles there must not go deep.",
    ),
    "kidney": KindWording(
        "Kidneys",
        "A kidney lies deep to these points, so needles there must not go deep, especially "
        "in thin people.",
    ),
    "nerve": KindWording(
        "Nerves",
        "A nerve runs close to these points. Say at once if a needle gives a sharp, electric "
        "feeling.",
    ),
    "vessel": KindWording(
        "Blood vessels",
        "An artery or a large vein runs close to these points. Say if you take "
        "blood-thinning medicines or bruise easily.",
    ),
    "other": KindWording(
        "Bleeding, fainting and other cautions",
        "Other cautions recorded for these points, such as bleeding, bruising or feeling faint.",
    ),
}
NO_SPECIFIC_CAUTIONS = (
    "No specific cautions are recorded for these points; general risks still apply."
)
GENERAL_RISKS = (
    "As with any acupuncture, general risks still apply: bruising, soreness, feeling faint "
    "and, rarely, infection."
)


@dataclass(frozen=True)
class NumberedPoint:
    """A point as the set numbers it: ``2 SP6 Three Yin Intersection``."""

    number: int
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.number} {self.code} {self.name}"


@dataclass(frozen=True)
class CautionNote:
    """One caution text and the points of the set that carry it word for word."""

    text: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class CautionGroup:
    kind: CautionKind
    heading: str
    lead: str
    points: tuple[NumberedPoint, ...]
    notes: tuple[CautionNote, ...]

    @property
    def named_points(self) -> str:
        return ", ".join(point.label for point in self.points)


@dataclass(frozen=True)
class SafetySummary:
    groups: tuple[CautionGroup, ...]

    @property
    def closing(self) -> str:
        """The line that ends every summary, so an empty one never reads as "safe"."""
        return GENERAL_RISKS if self.groups else NO_SPECIFIC_CAUTIONS

    def group(self, kind: CautionKind) -> CautionGroup | None:
        return next((group for group in self.groups if group.kind == kind), None)


def build_safety_summary(points: Sequence[Point]) -> SafetySummary:
    """The cautions of ``points`` (in set order, numbered from 1) grouped by kind; a text
    shared by several points is given once, naming them all."""
    groups: list[CautionGroup] = []
    for kind, wording in KIND_WORDING.items():
        numbered: list[NumberedPoint] = []
        texts: dict[str, list[str]] = {}
        for number, point in enumerate(points, start=1):
            matching = [caution.text for caution in point.cautions if caution.kind == kind]
            if not matching:
                continue
            numbered.append(NumberedPoint(number, point.code, point.english))
            for text in matching:
                texts.setdefault(text, []).append(point.code)
        if numbered:
            notes = tuple(CautionNote(text, tuple(codes)) for text, codes in texts.items())
            groups.append(CautionGroup(kind, wording.heading, wording.lead, tuple(numbered), notes))
    return SafetySummary(tuple(groups))
