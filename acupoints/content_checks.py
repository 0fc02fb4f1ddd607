"""Checks on the content that the schema alone cannot make: coverage, safety, honesty.

Used by the tests and by the content report (``python -m acupoints.report``).
"""

from __future__ import annotations

import re

from acupoints.catalog import Catalog
from acupoints.models import Point, SpinalRowSite, SpinalSite


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


ATLAS_CODES = _codes(
    "GV3 GV4 GV9 GV12 GV14 "
    "BL11 BL12 BL13 BL15 BL17 BL18 BL20 BL21 "
    "BL22 BL23 BL24 BL25 BL26 BL27 BL28 BL31 BL32 BL52 BL53 BL54 "
    "BL36 BL37 BL40 BL57 BL58 BL60 BL62 "
    "GB20 GB21 GB30 GB34 GB39 "
    "SI3 SI9 SI10 SI11 SI12 SI13 SI14 SI15 TE15 "
    "LI4 LI11 ST25 ST36 KI3 LR3 SP6 "
    "EX-B2 EX-B7 EX-B8 EX-UE7 "
    "BL10 BL14 BL16 BL19 BL43 BL50 GV6 "
    "GV5 BL29 BL30 BL33 BL34 BL51 KI7 GB31 GB41 GV20"
)
# Needling here can reach the pleura and lung.
LUNG_RISK = _codes(
    "BL11 BL12 BL13 BL15 BL17 BL18 BL20 BL21 GB21 SI12 SI13 SI14 SI15 TE15 "
    "BL14 BL16 BL19 BL43 BL50 SI9 SI11"
)
# Points of the lower back and sacrum: the traditional rule covers lumbar and sacral alike.
LUMBOSACRAL_PREGNANCY = _codes(
    "BL22 BL23 BL24 BL25 BL26 BL27 BL28 BL31 BL32 BL52 BL53 BL54 GV3 GV4 EX-B7 EX-B8 "
    "GV5 BL29 BL30 BL33 BL34 BL51"
)
PREGNANCY_FLAGGED = _codes("LI4 SP6 GB21 BL60") | LUMBOSACRAL_PREGNANCY
NERVE_RISK = _codes("BL40 GB30 GB34 BL36 BL37 BL53 BL54 BL33 BL34 KI7")
VESSEL_RISK = _codes("BL40 GB20 LR3")
KIDNEY_RISK = _codes("BL23 BL52 BL50 BL51")
OVERCLAIMS = ("cure", "cures", "cured", "guaranteed", "guarantee", "proven", "miracle")
_OVERCLAIM = re.compile(r"\b(" + "|".join(OVERCLAIMS) + r")\b", re.IGNORECASE)
GRADE_LIMIT_MEDIAN = 8.0
GRADE_LIMIT_ANY = 10.0

# A tier that says the tradition uses a point for back pain needs an indication naming the
# back: its parts (upper, mid, lower back, between the shoulder blades, spine, lumbar region,
# sacrum, coccyx) or sciatica, the back pain that spreads down the leg.
_BACK_PAIN = re.compile(
    r"\b(back|spine|spinal|lumbar|lumbosacral|sacrum|sacral|coccyx|shoulder blades?|sciatica)\b",
    re.IGNORECASE,
)
TIERS_CLAIMING_TRADITIONAL_BACK_USE = frozenset({"traditional_only"})
TIERS_DENYING_TRADITIONAL_BACK_USE = frozenset({"not_back_point"})
# Tiers whose label says that no trial we cite names the point in its protocol.
TIERS_WITHOUT_A_PROTOCOL = frozenset({"trial_region", "traditional_only", "not_back_point"})
_MILLIMETRES = re.compile(r"\d\s*mm\b")
_LUNG_WORDS = re.compile(r"\b(lung|pleura|pneumothorax)\b", re.IGNORECASE)


def overclaiming_words(text: str) -> list[str]:
    return [match.lower() for match in _OVERCLAIM.findall(text)]


def needs_spinal_canal_caution(point: Point) -> bool:
    """Governor Vessel points between spinous processes lie over the spinal canal; those
    on the skull (GV20) do not."""
    return point.meridian == "Governor Vessel" and any(
        isinstance(site, SpinalSite | SpinalRowSite) for site in point.location.sites
    )


def indications_mention_back_pain(point: Point) -> bool:
    return any(_BACK_PAIN.search(indication) for indication in point.traditional.indications)


def lumbosacral(point: Point) -> bool:
    """Whether the point sits beside or on a lumbar or sacral vertebra."""
    return any(
        isinstance(site, SpinalSite) and site.level[:1] in ("L", "S")
        for site in point.location.sites
    )


def stated_millimetres(point: Point) -> bool:
    needling = point.needling
    return any(_MILLIMETRES.search(text or "") for text in (needling.depth, needling.note))


def _tier_problems(catalog: Catalog, code: str, point: Point) -> list[str]:
    tier = point.evidence.tier
    problems = []
    if tier in TIERS_CLAIMING_TRADITIONAL_BACK_USE and not indications_mention_back_pain(point):
        problems.append(
            f"tier {tier} claims traditional back-pain use, but no traditional indication "
            "names the back, spine, sacrum or sciatica"
        )
    if tier in TIERS_DENYING_TRADITIONAL_BACK_USE and indications_mention_back_pain(point):
        problems.append(f"tier {tier} denies traditional back-pain use, but an indication names it")
    if tier in TIERS_WITHOUT_A_PROTOCOL:
        naming = sorted(s.id for s in catalog.studies.values() if code in s.protocol_points)
        if naming:
            problems.append(f"tier {tier} says no trial names it, but {naming} do")
    return problems


def _safety_problems(code: str, point: Point) -> list[str]:
    problems = []
    for caution in point.cautions:
        if caution.kind == "lung" and not _LUNG_WORDS.search(caution.text):
            problems.append("its lung caution must name the lung, pleura or pneumothorax")
    if code in LUMBOSACRAL_PREGNANCY or lumbosacral(point):
        if not point.has_caution("pregnancy"):
            problems.append("lower back or sacral point needs a 'pregnancy' caution")
        elif not any(
            "objective evidence" in c.text for c in point.cautions if c.kind == "pregnancy"
        ):
            problems.append("its pregnancy caution must say what the evidence found (Carr 2015)")
    if stated_millimetres(point) and not any("depth" in n.covers.lower() for n in point.sources):
        problems.append("states a depth in millimetres but no source covers the depth")
    return problems


def covered_by_a_source(point: Point, topic: str) -> bool:
    """Whether one of the point's sources says it covers ``topic`` (e.g. "anatomy")."""
    return any(topic in note.covers.lower() for note in point.sources)


def patient_texts(catalog: Catalog) -> dict[str, str]:
    """The words a patient reads about each point: its summary and its finding guide."""
    return {code: " ".join([point.summary, *point.guide]) for code, point in catalog.points.items()}


def reading_grades(catalog: Catalog) -> dict[str, float]:
    """Flesch-Kincaid grade of each point's patient text."""
    import textstat  # a development tool, needed only by the checks

    return {
        code: textstat.flesch_kincaid_grade(text) for code, text in patient_texts(catalog).items()
    }


def check_catalog(catalog: Catalog) -> list[str]:
    """Every content problem, each starting with the file and line of the point."""
    problems: list[str] = [
        f"atlas point {code} is missing" for code in sorted(ATLAS_CODES - set(catalog.points))
    ]
    required = [
        ("lung", LUNG_RISK),
        ("pregnancy", PREGNANCY_FLAGGED),
        ("nerve", NERVE_RISK),
        ("vessel", VESSEL_RISK),
        ("kidney", KIDNEY_RISK),
    ]
    for code, point in catalog.points.items():
        where = catalog.origins.get(code, code)
        prefix = catalog.meridian_prefixes.get(point.meridian, "")
        if not code.startswith(prefix):
            problems.append(
                f"{where}: {code}: code does not start with {point.meridian}'s prefix {prefix}"
            )
        for kind, codes in required:
            if code in codes and not point.has_caution(kind):  # type: ignore[arg-type]
                problems.append(f"{where}: {code}: needs a '{kind}' caution")
        if needs_spinal_canal_caution(point) and not point.has_caution("spinal_canal"):
            problems.append(
                f"{where}: {code}: Governor Vessel point needs a 'spinal_canal' caution"
            )
        is_extra = code.startswith("EX-")
        if is_extra == (point.location.standard == "WHO 2008"):
            expected = "not WHO 2008 (extra points are outside it)" if is_extra else "WHO 2008"
            problems.append(f"{where}: {code}: location.standard should be {expected}")
        if point.evidence.tier == "trial_protocol":
            protocols = [
                s.id for s in catalog.cited(point.evidence.citations) if code in s.protocol_points
            ]
            if not protocols:
                problems.append(
                    f"{where}: {code}: tier trial_protocol, but no cited study names "
                    "it in its protocol_points"
                )
        stated = [("categories", bool(point.categories)), ("anatomy", point.anatomy is not None)]
        for topic, present in stated:
            if present and not covered_by_a_source(point, topic):
                problems.append(f"{where}: {code}: states {topic} but no source covers them")
        problems += [
            f"{where}: {code}: {message}"
            for message in _tier_problems(catalog, code, point) + _safety_problems(code, point)
        ]
        if not point.evidence.caveat.strip() or not point.evidence.citations:
            problems.append(f"{where}: {code}: evidence caveat needs text and a citation")
    for entry in catalog.everyday_names:
        missing = [code for code in entry.points if code not in catalog.points]
        if missing:
            problems.append(
                f"data/everyday_names.yaml: '{entry.name}' names unknown points {missing}"
            )
    return problems
