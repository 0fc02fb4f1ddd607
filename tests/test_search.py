from __future__ import annotations

import pytest

from acupoints.catalog import Catalog
from acupoints.search import compact_code, fold, search


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("BL23", "BL23"),
        ("bl 23", "BL23"),
        ("bl-23", "BL23"),
        ("Shènshū", "BL23"),
        ("shenshu", "BL23"),
        ("肾俞", "BL23"),
        ("腎俞", "BL23"),
        ("kidney shu", "BL23"),
        ("ex-b7", "EX-B7"),
        ("weizhong", "BL40"),
        ("back of the knee", "BL40"),
    ],
)
def test_search_finds_a_point_by_any_of_its_names(catalog: Catalog, query: str, first: str) -> None:
    assert search(catalog, query)[0] == first


def test_empty_query_finds_nothing(catalog: Catalog) -> None:
    assert search(catalog, "   ") == []


def test_nonsense_finds_nothing(catalog: Catalog) -> None:
    assert search(catalog, "zzzzqqq") == []


def test_hostile_and_huge_queries_are_harmless(catalog: Catalog) -> None:
    assert search(catalog, "<script>alert(1)</script>") == []
    assert isinstance(search(catalog, "a" * 10_000), list)


def test_code_prefix_lists_that_channel(catalog: Catalog) -> None:
    results = search(catalog, "GV")
    assert results and all(code.startswith("GV") for code in results[:2])


def test_fold_and_compact() -> None:
    assert fold("Shènshū") == "shenshu"
    assert compact_code("EX B 7") == "exb7"
