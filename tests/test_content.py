"""Guards on the health content: complete, cited, cautious where it must be, readable."""

from __future__ import annotations

from dataclasses import replace

from acupoints.catalog import Catalog
from acupoints.content_checks import (
    ATLAS_CODES,
    LUMBOSACRAL_PREGNANCY,
    LUNG_RISK,
    PREGNANCY_FLAGGED,
    check_catalog,
    covered_by_a_source,
    indications_mention_back_pain,
    lumbosacral,
    needs_spinal_canal_caution,
    overclaiming_words,
    patient_texts,
    reading_grades,
    stated_millimetres,
)
from acupoints.panel import build_sections


def test_content_checks_find_no_problem(catalog: Catalog) -> None:
    problems = check_catalog(catalog)
    assert problems == [], "\n".join(problems)


def test_every_atlas_point_is_present(catalog: Catalog) -> None:
    assert sorted(ATLAS_CODES - set(catalog.points)) == []


def test_codes_start_with_their_meridian_prefix(catalog: Catalog) -> None:
    for code, point in catalog.points.items():
        assert code.startswith(catalog.meridian_prefixes[point.meridian]), code


def test_every_lung_risk_point_carries_the_lung_caution(catalog: Catalog) -> None:
    missing = sorted(code for code in LUNG_RISK if not catalog.points[code].has_caution("lung"))
    assert missing == []


def test_points_traditionally_avoided_in_pregnancy_say_so(catalog: Catalog) -> None:
    missing = sorted(c for c in PREGNANCY_FLAGGED if not catalog.points[c].has_caution("pregnancy"))
    assert missing == []


def test_governor_vessel_points_over_the_spine_warn_about_the_spinal_canal(
    catalog: Catalog,
) -> None:
    over_spine = [
        code for code, point in catalog.points.items() if needs_spinal_canal_caution(point)
    ]
    assert len(over_spine) >= 5
    for code in over_spine:
        assert catalog.points[code].has_caution("spinal_canal"), code


def test_patient_text_reads_at_grade_eight_or_lower(catalog: Catalog) -> None:
    grades = reading_grades(catalog)
    ordered = sorted(grades.values())
    median = ordered[len(ordered) // 2]
    assert median <= 8, median
    too_hard = {code: round(grade, 1) for code, grade in grades.items() if grade > 10}
    assert too_hard == {}


def test_patient_text_makes_no_overclaims(catalog: Catalog) -> None:
    found = {
        code: words
        for code, text in patient_texts(catalog).items()
        if (words := overclaiming_words(text))
    }
    assert found == {}


def test_overclaim_detector_catches_the_words_it_should() -> None:
    assert overclaiming_words("This point will cure your pain, guaranteed.") == [
        "cure",
        "guaranteed",
    ]
    assert overclaiming_words("Proven to work") == ["proven"]
    assert overclaiming_words("Secure the needle; procure a mat.") == []


def test_ashi_points_are_explained_as_a_concept_not_a_marker(catalog: Catalog) -> None:
    ashi = [note for note in catalog.notes if "ashi" in note.title.lower()]
    assert len(ashi) == 1
    assert "not drawn on the map" in ashi[0].text
    assert not any("ashi" in code.lower() for code in catalog.points)


def test_notes_under_the_map_read_at_grade_ten_or_lower(catalog: Catalog) -> None:
    import textstat

    grades = {note.title: textstat.flesch_kincaid_grade(note.text) for note in catalog.notes}
    assert {title: grade for title, grade in grades.items() if grade > 10} == {}


def test_categories_and_anatomy_without_a_source_covering_them_are_reported(
    catalog: Catalog,
) -> None:
    code, point = next(
        (code, point)
        for code, point in catalog.points.items()
        if point.categories and point.anatomy is not None
    )
    assert covered_by_a_source(point, "categories") and covered_by_a_source(point, "anatomy")
    unsourced = point.model_copy(
        update={
            "sources": [
                note
                for note in point.sources
                if "categories" not in note.covers.lower() and "anatomy" not in note.covers.lower()
            ]
        }
    )
    broken = replace(catalog, points={**catalog.points, code: unsourced})
    problems = [problem for problem in check_catalog(broken) if f": {code}: states" in problem]
    assert len(problems) == 2, problems
    assert any("categories" in problem for problem in problems)
    assert any("anatomy" in problem for problem in problems)


def test_every_point_named_in_a_cited_trial_protocol_is_in_the_atlas(catalog: Catalog) -> None:
    # The note under the map promises this, so it must stay true as studies are added.
    named = {code for study in catalog.studies.values() for code in study.protocol_points}
    assert named, "no study lists protocol points"
    assert sorted(named - set(catalog.points)) == []
    assert any("trial" in note.text and "not complete" in note.text for note in catalog.notes)


# ---------------------------------------------------------------- honest tiers and cautions


def _with_point(catalog: Catalog, code: str, **changes: object) -> Catalog:
    changed = catalog.points[code].model_copy(update=changes)
    return replace(catalog, points={**catalog.points, code: changed})


def _problems_for(catalog: Catalog, code: str) -> list[str]:
    return [problem for problem in check_catalog(catalog) if f": {code}: " in problem]


def test_points_from_popular_articles_do_not_claim_traditional_back_use(catalog: Catalog) -> None:
    for code in ("ST25", "LI11"):
        point = catalog.points[code]
        assert point.evidence.tier == "not_back_point", code
        assert not indications_mention_back_pain(point), code
        assert "popular articles" in point.evidence.caveat, code


def test_tier_labels_say_no_more_than_our_search_found(catalog: Catalog) -> None:
    labels = {tier_id: tier.label for tier_id, tier in catalog.tiers.items()}
    assert "no back-pain trial we cite names it" in labels["traditional_only"]
    assert "not a traditional back-pain point" in labels["not_back_point"].lower()
    everything = " ".join(f"{t.label} {t.meaning}" for t in catalog.tiers.values()).lower()
    assert "not tested in trials" not in everything
    assert "area treated" not in everything
    assert "not trial support" in catalog.tiers["trial_region"].meaning


def test_a_traditional_back_tier_without_a_back_indication_is_reported(catalog: Catalog) -> None:
    code = next(c for c, p in catalog.points.items() if p.evidence.tier == "traditional_only")
    assert _problems_for(catalog, code) == []
    stripped = catalog.points[code].traditional.model_copy(
        update={"indications": ["Cough and wheezing", "Fever"]}
    )
    problems = _problems_for(_with_point(catalog, code, traditional=stripped), code)
    assert len(problems) == 1 and "claims traditional back-pain use" in problems[0], problems


def test_a_not_back_point_tier_is_reported_when_the_tradition_names_the_back(
    catalog: Catalog,
) -> None:
    point = catalog.points["ST25"]
    with_back = point.traditional.model_copy(
        update={"indications": [*point.traditional.indications, "Low back pain"]}
    )
    problems = _problems_for(_with_point(catalog, "ST25", traditional=with_back), "ST25")
    assert any("denies traditional back-pain use" in problem for problem in problems), problems


def test_a_no_trial_tier_is_reported_for_a_point_a_protocol_names(catalog: Catalog) -> None:
    evidence = catalog.points["BL23"].evidence.model_copy(update={"tier": "trial_region"})
    problems = _problems_for(_with_point(catalog, "BL23", evidence=evidence), "BL23")
    assert any("says no trial names it" in p and "cherkin2009" in p for p in problems), problems


def test_lumbar_and_sacral_points_carry_the_pregnancy_caution_with_its_evidence(
    catalog: Catalog,
) -> None:
    assert {"BL22", "BL23", "BL24", "BL25", "BL52", "GV3", "GV4", "EX-B7", "EX-B8"} <= (
        LUMBOSACRAL_PREGNANCY
    )
    for code in LUMBOSACRAL_PREGNANCY:
        texts = [c.text for c in catalog.points[code].cautions if c.kind == "pregnancy"]
        assert texts and "objective evidence" in texts[0], code
    without = [c for c in catalog.points["BL23"].cautions if c.kind != "pregnancy"]
    problems = _problems_for(_with_point(catalog, "BL23", cautions=without), "BL23")
    assert any("'pregnancy' caution" in problem for problem in problems), problems


def test_a_new_point_beside_a_lumbar_vertebra_needs_the_pregnancy_caution_too(
    catalog: Catalog,
) -> None:
    # The rule follows the location, not only the list: any point at an L or S level.
    point = catalog.points["BL23"]
    assert lumbosacral(point)
    assert not lumbosacral(catalog.points["BL13"])


def test_si9_and_si11_warn_everyone_about_the_lung(catalog: Catalog) -> None:
    assert {"SI9", "SI11"} <= LUNG_RISK
    for code in ("SI9", "SI11"):
        lung = [c.text for c in catalog.points[code].cautions if c.kind == "lung"]
        assert lung and "pneumothorax" in lung[0], code
        safety = next(
            s for s in build_sections(catalog, catalog.points[code], "patient") if s.key == "safety"
        )
        assert "pneumothorax" in safety.markdown, code


def test_a_lung_caution_that_does_not_name_the_lung_is_reported(catalog: Catalog) -> None:
    cautions = [
        c.model_copy(update={"text": "Take care here."}) if c.kind == "lung" else c
        for c in catalog.points["SI11"].cautions
    ]
    problems = _problems_for(_with_point(catalog, "SI11", cautions=cautions), "SI11")
    assert any("must name the lung" in problem for problem in problems), problems


def test_a_depth_in_millimetres_needs_a_source_for_it(catalog: Catalog) -> None:
    point = catalog.points["GB21"]
    assert stated_millimetres(point)
    assert "14.6 mm" in (point.needling.note or "") and "17.4 mm" in (point.needling.note or "")
    sources = [note for note in point.sources if "depth" not in note.covers.lower()]
    problems = _problems_for(_with_point(catalog, "GB21", sources=sources), "GB21")
    assert any("millimetres" in problem for problem in problems), problems


def test_extra_back_points_name_the_chinese_standard_for_extra_points(catalog: Catalog) -> None:
    for code in ("EX-B7", "EX-B8"):
        assert catalog.points[code].location.standard == "GB/T 40997-2021", code
