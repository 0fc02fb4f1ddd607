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
