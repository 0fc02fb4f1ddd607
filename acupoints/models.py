"""Pydantic models for the atlas data: frozen, and strict about unknown fields."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Region = Literal["upper_back", "lower_back", "distal"]
View = Literal["posterior", "anterior"]
Reader = Literal["patient", "practitioner", "student"]
CautionKind = Literal["lung", "kidney", "spinal_canal", "nerve", "vessel", "pregnancy", "other"]
LocationStandard = Literal[
    "WHO 2008", "WHO 1991 nomenclature", "GB/T 12346-2021", "GB/T 40997-2021"
]
EvidenceTier = Literal["trial_protocol", "trial_region", "traditional_only", "not_back_point"]

REGION_LABELS: dict[Region, str] = {
    "upper_back": "Upper back and neck",
    "lower_back": "Lower back and sacrum",
    "distal": "Distal (head, arms and legs)",
}
VIEW_LABELS: dict[View, str] = {"posterior": "Back of the body", "anterior": "Front of the body"}

CODE_PATTERN = re.compile(r"^(?:[A-Z]{2}\d{1,2}|EX-[A-Z]{1,2}\d{1,2})$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_PATTERN = re.compile(r"^\d{5,9}$")


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


NonEmpty = Annotated[str, Field(min_length=1)]
Bcun = Annotated[float, Field(ge=0, le=40)]


# ---------------------------------------------------------------- body model


class Level(Strict):
    """A vertical level on the back, such as the lower border of a spinous process."""

    label: NonEmpty
    y: float


class Landmark(Strict):
    """A named place on one side of the body (x >= 0, lateral) or on the midline (x = 0)."""

    label: NonEmpty
    x: Bcun
    y: float
    views: list[View] = Field(min_length=1)


class Segment(Strict):
    """A proportional bone measurement from the standard, used to check the drawing's scale."""

    label: NonEmpty
    start: NonEmpty
    end: NonEmpty
    axis: Literal["vertical", "across"]
    bcun: Annotated[float, Field(gt=0)]


class Drawing(Strict):
    """A faint guide drawn on the map: a line through landmarks, or a small ring."""

    label: NonEmpty
    kind: Literal["line", "dashed", "ring"]
    points: list[tuple[float, float]] = Field(min_length=1)
    mirror: bool = True
    views: list[View] = Field(min_length=1)


class BodyModel(Strict):
    levels: dict[str, Level]
    labelled_levels: list[str]
    landmarks: dict[str, Landmark]
    segments: list[Segment]
    outline: list[tuple[float, float]] = Field(min_length=8)
    drawings: list[Drawing]

    @model_validator(mode="after")
    def _labelled_levels_exist(self) -> BodyModel:
        missing = [name for name in self.labelled_levels if name not in self.levels]
        if missing:
            raise ValueError(f"labelled_levels names unknown levels: {', '.join(missing)}")
        return self


# ---------------------------------------------------------------- locations


class SpinalSite(Strict):
    """At a vertebral level, a given distance lateral to the posterior midline."""

    kind: Literal["spinal"]
    level: NonEmpty
    lateral_bcun: Bcun


class SpinalRowSite(Strict):
    """One site per level from ``first`` to ``last`` (Huatuojiaji)."""

    kind: Literal["spinal_row"]
    first: NonEmpty
    last: NonEmpty
    lateral_bcun: Bcun


class BetweenSite(Strict):
    """A fraction of the way along the line from one reference to another."""

    kind: Literal["between"]
    start: NonEmpty
    end: NonEmpty
    fraction: Annotated[float, Field(ge=0, le=1)]


class OffsetSite(Strict):
    """A shift in B-cun from a reference: lateral positive outwards, superior positive up."""

    kind: Literal["offset"]
    origin: NonEmpty
    lateral_bcun: float = 0.0
    superior_bcun: float = 0.0


Site = Annotated[SpinalSite | SpinalRowSite | BetweenSite | OffsetSite, Field(discriminator="kind")]


class Location(Strict):
    standard: LocationStandard
    description: NonEmpty
    sites: list[Site] = Field(min_length=1)
    note: str | None = None
    alternative: str | None = None
    landmark_caveat: str | None = None


# ---------------------------------------------------------------- points


class Characters(Strict):
    traditional: NonEmpty
    simplified: NonEmpty


class Traditional(Strict):
    actions: list[NonEmpty] = Field(min_length=1)
    indications: list[NonEmpty] = Field(min_length=1)


class Needling(Strict):
    depth: str | None
    angle: NonEmpty
    note: str | None = None

    @model_validator(mode="after")
    def _depth_or_reason(self) -> Needling:
        if not self.depth and not self.note:
            raise ValueError("when no depth is given, 'note' must say why")
        return self


class Caution(Strict):
    kind: CautionKind
    text: NonEmpty


class PointEvidence(Strict):
    tier: EvidenceTier
    caveat: NonEmpty
    citations: list[NonEmpty] = Field(min_length=1)


class Anatomy(Strict):
    """What lies beneath a point in a typical adult, as anatomy textbooks describe it."""

    # From the skin inwards, e.g. "trapezius", "erector spinae".
    layers: list[NonEmpty] = Field(min_length=1)
    nerves: list[NonEmpty] = Field(min_length=1)
    # The spinal segment of the skin over the point (its dermatome), e.g. "L2".
    segment: str | None = None


class SourceNote(Strict):
    covers: NonEmpty
    source: NonEmpty
    checked: bool


class Point(Strict):
    code: NonEmpty
    pinyin: NonEmpty
    characters: Characters
    english: NonEmpty
    meridian: NonEmpty
    region: Region
    view: View
    bilateral: bool
    aliases: list[NonEmpty] = []
    summary: NonEmpty
    location: Location
    guide: list[NonEmpty] = Field(min_length=2)
    traditional: Traditional
    needling: Needling
    cautions: list[Caution] = Field(min_length=1)
    evidence: PointEvidence
    sources: list[SourceNote] = Field(min_length=1)
    # Traditional classifications such as "he-sea point" or "Back-Shu point of the Kidney".
    categories: list[NonEmpty] = []
    anatomy: Anatomy | None = None

    @field_validator("code")
    @classmethod
    def _code_shape(cls, code: str) -> str:
        if not CODE_PATTERN.match(code):
            raise ValueError(f"'{code}' is not a standard code such as BL23 or EX-B7")
        return code

    def has_caution(self, kind: CautionKind) -> bool:
        return any(caution.kind == kind for caution in self.cautions)


class PointFile(Strict):
    points: list[Point] = Field(min_length=1)


class Meridian(Strict):
    name: NonEmpty
    prefix: NonEmpty


class MeridianFile(Strict):
    meridians: list[Meridian] = Field(min_length=1)


# ---------------------------------------------------------------- evidence


class Figure(Strict):
    """One reported number, kept with its meaning so charts can be drawn from it."""

    label: NonEmpty
    value: float
    unit: NonEmpty
    group: str | None = None
    measure: str | None = None
    n: int | None = None


class Study(Strict):
    id: NonEmpty
    short: NonEmpty
    authors: NonEmpty
    year: Annotated[int, Field(ge=1950, le=2030)]
    title: NonEmpty
    journal: NonEmpty
    design: NonEmpty
    size: NonEmpty
    summary: NonEmpty
    figures: list[Figure] = []
    # Points named in the trial's needling protocol (WHO codes); empty for non-trials.
    protocol_points: list[str] = []
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None

    @field_validator("doi")
    @classmethod
    def _doi_shape(cls, doi: str | None) -> str | None:
        if doi is not None and not DOI_PATTERN.match(doi):
            raise ValueError(f"'{doi}' is not a DOI (10.xxxx/...)")
        return doi

    @field_validator("pmid")
    @classmethod
    def _pmid_shape(cls, pmid: str | None) -> str | None:
        if pmid is not None and not PMID_PATTERN.match(pmid):
            raise ValueError(f"'{pmid}' is not a PubMed id (digits only)")
        return pmid

    @model_validator(mode="after")
    def _identifier(self) -> Study:
        if not self.doi and not self.pmid:
            raise ValueError("needs a doi or a pmid")
        return self

    @property
    def link(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"

    @property
    def identifier(self) -> str:
        return f"doi:{self.doi}" if self.doi else f"PMID {self.pmid}"


class Tier(Strict):
    id: EvidenceTier
    label: NonEmpty
    meaning: NonEmpty


class CentralFinding(Strict):
    text: NonEmpty
    citations: list[NonEmpty] = Field(min_length=1)


class EverydayName(Strict):
    """A name from popular articles ("back of the knee point") and what it most likely means."""

    name: NonEmpty
    points: list[NonEmpty] = Field(min_length=1)
    explanation: NonEmpty


class EverydayNameFile(Strict):
    everyday_names: list[EverydayName] = Field(min_length=1)


# ---------------------------------------------------------------- other code systems

# The channel codes of the WHO 1991 nomenclature, which the atlas's own codes follow.
ChannelCode = Literal[
    "LU", "LI", "ST", "SP", "HT", "SI", "BL", "KI", "PC", "TE", "GB", "LR", "GV", "CV"
]
ALTERNATIVE_CODE_PATTERN = re.compile(r"^[A-Za-z]{1,4}$")


class CodeSource(Strict):
    """A published list or text where the alternative codes it backs can be seen in use."""

    id: NonEmpty
    title: NonEmpty
    url: NonEmpty


class AlternativeCode(Strict):
    """Another way of writing a channel's letters, such as UB for BL."""

    code: NonEmpty
    # False where the code is in common use but no source seen here was checked for it.
    checked: bool
    sources: list[NonEmpty] = []

    @field_validator("code")
    @classmethod
    def _letters_only(cls, code: str) -> str:
        if not ALTERNATIVE_CODE_PATTERN.match(code):
            raise ValueError(f"'{code}' is not a channel code of one to four letters")
        return code

    @model_validator(mode="after")
    def _checked_means_sourced(self) -> AlternativeCode:
        if self.checked and not self.sources:
            raise ValueError(f"'{self.code}' is marked checked but names no source")
        return self


class ChannelCodes(Strict):
    standard: ChannelCode
    channel: NonEmpty
    codes: list[AlternativeCode] = Field(min_length=1)


class CodeSystemFile(Strict):
    sources: list[CodeSource] = Field(min_length=1)
    channels: list[ChannelCodes] = Field(min_length=1)


class Note(Strict):
    title: NonEmpty
    text: NonEmpty


class NoteFile(Strict):
    notes: list[Note] = Field(min_length=1)


class EvidenceFile(Strict):
    central_finding: CentralFinding
    tiers: list[Tier] = Field(min_length=1)
    studies: list[Study] = Field(min_length=1)
