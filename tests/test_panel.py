from __future__ import annotations

import pytest

from acupoints.catalog import Catalog
from acupoints.panel import READER_SECTIONS, build_sections, describe_site, resolve_point_link


def test_known_code_in_any_case_resolves(catalog: Catalog) -> None:
    assert resolve_point_link(catalog, "bl23").code == "BL23"
    assert resolve_point_link(catalog, " BL23 ").code == "BL23"


def test_missing_value_is_neither_a_point_nor_a_notice(catalog: Catalog) -> None:
    assert resolve_point_link(catalog, None) == resolve_point_link(catalog, "")
    assert resolve_point_link(catalog, None).notice is None


def test_unknown_code_shaped_value_is_named_in_the_notice(catalog: Catalog) -> None:
    result = resolve_point_link(catalog, "BL99")
    assert result.code is None
    assert "BL99" in result.notice


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        "x" * 5000,
        "BL23\u202e",
        "\x00\x07",
        "<img src=x onerror=alert(1)>",
        "BL23<b>",
        "\uff42\uff4c\uff12\uff13 and more",
    ],
)
def test_hostile_value_gives_a_notice_that_never_echoes_it(catalog: Catalog, value: str) -> None:
    result = resolve_point_link(catalog, value)
    assert result.code is None
    assert result.notice
    assert value not in result.notice
    assert "<" not in result.notice


def test_needling_depth_is_only_for_practitioners(catalog: Catalog) -> None:
    point = catalog.points["BL23"]
    by_reader = {
        reader: {s.key: s.markdown for s in build_sections(catalog, point, reader)}
        for reader in READER_SECTIONS
    }
    assert "**Needling:**" in by_reader["practitioner"]["safety"]
    assert "**Needling:**" not in by_reader["patient"]["safety"]
    assert "**Needling:**" not in by_reader["student"]["safety"]


def test_reader_decides_which_sections_open_first(catalog: Catalog) -> None:
    point = catalog.points["BL23"]
    patient = build_sections(catalog, point, "patient")
    practitioner = build_sections(catalog, point, "practitioner")
    assert patient[0].key == "find"
    assert practitioner[0].key == "location"
    assert all(section.markdown.strip() for section in patient + practitioner)


def test_research_section_cites_with_a_link(catalog: Catalog) -> None:
    research = {s.key: s for s in build_sections(catalog, catalog.points["BL23"], "patient")}[
        "research"
    ]
    assert "https://doi.org/" in research.markdown or "pubmed.ncbi.nlm.nih.gov" in research.markdown
    assert catalog.central_finding_text in research.markdown


def test_structured_site_is_described_with_its_offset(catalog: Catalog) -> None:
    site = catalog.points["BL23"].location.sites[0]
    text = describe_site(catalog, site)
    assert "L2" in text and "1.5 B-cun" in text and "two finger-widths" in text


def sections_by_key(catalog: Catalog, code: str, reader: str) -> dict[str, str]:
    point = catalog.points[code]
    return {s.key: s.markdown for s in build_sections(catalog, point, reader)}  # type: ignore[arg-type]


def test_anatomy_is_offered_to_practitioners_and_students_labelled_as_textbook(
    catalog: Catalog,
) -> None:
    point = catalog.points["BL10"]
    assert point.anatomy is not None
    for reader in ("practitioner", "student"):
        anatomy = sections_by_key(catalog, "BL10", reader)["anatomy"]
        assert "Textbook anatomy" in anatomy
        for layer in point.anatomy.layers:
            assert layer in anatomy
        for nerve in point.anatomy.nerves:
            assert nerve in anatomy
    assert "anatomy" not in sections_by_key(catalog, "BL10", "patient")


def test_a_point_without_anatomy_has_no_empty_anatomy_section(catalog: Catalog) -> None:
    code = next(code for code, point in catalog.points.items() if point.anatomy is None)
    assert "anatomy" not in sections_by_key(catalog, code, "student")


def test_anatomy_section_gives_the_skin_segment_when_known(catalog: Catalog) -> None:
    code, point = next(
        (code, point)
        for code, point in catalog.points.items()
        if point.anatomy is not None and point.anatomy.segment
    )
    anatomy = sections_by_key(catalog, code, "practitioner")["anatomy"]
    assert f"dermatome):** {point.anatomy.segment}." in anatomy


def test_point_categories_are_shown_with_the_tradition(catalog: Catalog) -> None:
    code, point = next((code, point) for code, point in catalog.points.items() if point.categories)
    for reader in READER_SECTIONS:
        tradition = sections_by_key(catalog, code, reader)["tradition"]
        assert "**Point categories:**" in tradition
        for category in point.categories:
            assert category in tradition
    no_categories = next(code for code, point in catalog.points.items() if not point.categories)
    assert "Point categories" not in sections_by_key(catalog, no_categories, "student")["tradition"]
