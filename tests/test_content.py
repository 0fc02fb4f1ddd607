"""Guards on the health content: complete, cited, cautious where it must be, readable."""

from __future__ import annotations

from acupoints.catalog import Catalog
from acupoints.content_checks import (
    ATLAS_CODES,
    LUNG_RISK,
    PREGNANCY_FLAGGED,
    check_catalog,
    overclaiming_words,
    patient_texts,
    reading_grades,
)


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


def test_governor_vessel_points_warn_about_the_spinal_canal(catalog: Catalog) -> None:
    for code, point in catalog.points.items():
        if point.meridian == "Governor Vessel":
            assert point.has_caution("spinal_canal"), code


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
