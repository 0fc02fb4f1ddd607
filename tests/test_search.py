from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from acupoints.catalog import Catalog, load_catalog
from acupoints.search import (
    allowed_typos,
    compact_code,
    fold,
    parse_code,
    search,
    spaced_words,
)
from acupoints.ui.consult_page import SEARCH_KEY, SEARCH_PICK_KEY
from acupoints.ui.map_page import PICK_KEY
from acupoints.yaml_io import DataError, load_yaml_file

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30

# What readers type, and the point each must find first.
FIRST_MATCHES = [
    # The atlas's own codes, however spaced.
    ("BL23", "BL23"),
    ("bl 23", "BL23"),
    ("bl-23", "BL23"),
    ("ex-b7", "EX-B7"),
    ("EX B 2", "EX-B2"),
    ("ex-ue7", "EX-UE7"),
    # Other code systems, in the spellings textbooks and trials use.
    ("UB23", "BL23"),
    ("UB 23", "BL23"),
    ("ub-23", "BL23"),
    ("ub40", "BL40"),
    ("B23", "BL23"),
    ("Du4", "GV4"),
    ("DU 14", "GV14"),
    ("VG20", "GV20"),
    ("SJ15", "TE15"),
    ("TW 15", "TE15"),
    ("TH15", "TE15"),
    ("Liv3", "LR3"),
    ("Liv 3", "LR3"),
    ("LV3", "LR3"),
    ("K3", "KI3"),
    ("K 7", "KI7"),
    ("KD3", "KI3"),
    ("KID 3", "KI3"),
    ("CO4", "LI4"),
    ("co 11", "LI11"),
    # Pinyin: tone marks, numbered tones, none; with or without spaces and hyphens.
    ("Shènshū", "BL23"),
    ("shenshu", "BL23"),
    ("shen4shu1", "BL23"),
    ("shen4 shu1", "BL23"),
    ("Shen4-Shu1", "BL23"),
    ("shen-shu", "BL23"),
    ("shen shu", "BL23"),
    ("wei4zhong1", "BL40"),
    ("tai4xi1", "KI3"),
    ("ming2 men2", "GV4"),
    ("yao yan", "EX-B7"),
    ("hua tuo jia ji", "EX-B2"),
    # Characters, English and everyday names.
    ("肾俞", "BL23"),
    ("腎俞", "BL23"),
    ("kidney shu", "BL23"),
    ("kidney-shu", "BL23"),
    ("Kidney Shu", "BL23"),
    ("kidneyshu", "BL23"),
    ("weizhong", "BL40"),
    ("back of the knee", "BL40"),
    ("back of the knees", "BL40"),
    # One slip of the finger.
    ("weizong", "BL40"),
    ("wiezhong", "BL40"),
    ("kunlum", "BL60"),
    ("mingmenn", "GV4"),
    ("kidny shu", "BL23"),
    ("huatuojaji", "EX-B2"),
]


@pytest.mark.parametrize(("query", "first"), FIRST_MATCHES)
def test_search_finds_a_point_by_any_of_its_names(catalog: Catalog, query: str, first: str) -> None:
    assert search(catalog, query)[:1] == [first]


# Queries unrelated to any point in the atlas.
FINDS_NOTHING = [
    "pizza",
    "xyz",
    "12345",
    "zzzzqqq",
    "qwertyuiopasdfghjklzxcvbnm",
    "q8v3kz0rw7ty2mx5",
    "chocolate",
    "<script>alert(1)</script>",
    "   ",
    "",
    # Codes of channels the atlas has no point on, and numbers past a channel's end.
    "Lu 7",
    "Ren 12",
    "PC6",
    "BL99",
    "UB 99",
]


@pytest.mark.parametrize("query", FINDS_NOTHING)
def test_an_unrelated_query_finds_nothing(catalog: Catalog, query: str) -> None:
    assert search(catalog, query) == []


def test_an_exact_name_ranks_above_a_name_one_letter_away(catalog: Catalog) -> None:
    # Shenzhu (GV12) is one letter from Shenshu (BL23): found too, but after it.
    results = search(catalog, "shenshu")
    assert results[0] == "BL23"
    assert "GV12" in results[1:]
    assert search(catalog, "shenzhu")[0] == "GV12"


def test_a_typo_never_outranks_an_exact_match(catalog: Catalog) -> None:
    # "kunlun" is BL60's pinyin; the one-letter neighbours come later or not at all.
    assert search(catalog, "kunlun")[0] == "BL60"
    results = search(catalog, "weizhong")
    assert results[0] == "BL40"
    assert results.count("BL40") == 1


def test_short_queries_are_not_typo_matched() -> None:
    assert allowed_typos(3) == 0
    assert allowed_typos(4) == 1
    assert allowed_typos(12) == 2


def test_a_code_finds_only_that_point_and_the_codes_it_begins(catalog: Catalog) -> None:
    assert search(catalog, "UB23") == ["BL23"]
    tens = search(catalog, "UB 2")
    assert tens and all(re.fullmatch(r"BL2\d?", code) for code in tens)


def test_channel_letters_alone_list_that_channel(catalog: Catalog) -> None:
    for query, prefix in [("GV", "GV"), ("Du", "GV"), ("Liv", "LR"), ("SJ", "TE"), ("ub", "BL")]:
        results = search(catalog, query)
        assert results and results[0].startswith(prefix), query


def test_every_code_in_the_table_finds_its_channel_s_points(catalog: Catalog) -> None:
    """Read from the data file itself: each alternative code, with the number of a point
    on its channel, finds that point first."""
    table = load_yaml_file(ROOT / "data" / "code_systems.yaml").data
    tried = 0
    for channel in table["channels"]:
        on_channel = [code for code in catalog.points if code[:2] == channel["standard"]]
        for entry in channel["codes"]:
            for code in on_channel[:3]:
                query = f"{entry['code']} {code[2:]}"
                assert search(catalog, query)[:1] == [code], query
                tried += 1
    assert tried > 20


def test_parse_code_reads_every_common_spelling(catalog: Catalog) -> None:
    channels = {**{p.casefold(): p for p in catalog.meridian_prefixes.values()}}
    channels.update(catalog.channel_codes)
    assert parse_code("UB 23", channels) == "BL23"
    assert parse_code("liv-03", channels) == "LR3"
    assert parse_code("ex b 07", channels) == "EX-B7"
    assert parse_code("shenshu", channels) is None
    assert parse_code("XX 3", channels) is None


def test_hostile_and_huge_queries_are_harmless(catalog: Catalog) -> None:
    assert search(catalog, "<script>alert(1)</script>") == []
    assert isinstance(search(catalog, "a" * 10_000), list)
    assert isinstance(search(catalog, "\x00\u202e" * 50), list)


def test_code_prefix_lists_that_channel(catalog: Catalog) -> None:
    results = search(catalog, "GV")
    assert results and all(code.startswith("GV") for code in results[:2])


def test_fold_compact_and_spaced() -> None:
    assert fold("Shènshū") == "shenshu"
    assert compact_code("EX B 7") == "exb7"
    assert spaced_words("Shen4-Shu1") == "shen shu"
    assert spaced_words("Heaven's Pivot") == "heaven s pivot"


def test_search_is_fast_enough_for_every_keystroke(catalog: Catalog) -> None:
    queries = ["UB23", "shen4shu1", "weizong", "kidney-shu", "back of the knee", "pizza", "a"]
    search(catalog, "warm the index")
    start = time.perf_counter()
    for _ in range(20):
        for query in queries:
            search(catalog, query)
    per_query = (time.perf_counter() - start) / (20 * len(queries))
    # About 1 ms here; a generous bound for a busy machine.
    assert per_query < 0.05


# ---------------------------------------------------------------- the code table's data


def _edit_code_table(folder: Path, old: str, new: str) -> None:
    path = folder / "code_systems.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(folder: Path, fragment: str) -> int:
    lines = (folder / "code_systems.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{code: Liv,", "{code: LI,", r"'LI' is the standard code of LI"),
        ("{code: KD,", "{code: UB,", r"'UB' is already given for BL"),
        ("{code: RN,", "{code: R-N,", r"'R-N' is not a channel code of one to four letters"),
        (
            "{code: B, checked: false}",
            "{code: B, checked: true}",
            r"'B' is marked checked but names no source",
        ),
        ("sources: [kidney_point_page]", "sources: [no_such_page]", r"unknown source"),
        ("{code: HE, checked: true,", "{code: HE, checked: yes please,", r"boolean"),
        ("standard: LR", "standard: LIV", r"standard"),
    ],
)
def test_a_bad_code_table_entry_is_refused_with_its_line(
    data_copy: Path, old: str, new: str, message: str
) -> None:
    line = _line_of(data_copy, old)
    _edit_code_table(data_copy, old, new)
    with pytest.raises(DataError) as raised:
        load_catalog(data_copy)
    problems = [str(problem) for problem in raised.value.problems]
    assert any(
        problem.startswith(f"data/code_systems.yaml:{line}: ") and re.search(message, problem)
        for problem in problems
    ), problems


def test_a_missing_code_table_is_named(data_copy: Path) -> None:
    (data_copy / "code_systems.yaml").unlink()
    with pytest.raises(DataError, match=r"data/code_systems.yaml: required file is missing"):
        load_catalog(data_copy)


def test_every_checked_code_names_a_source_with_an_address(catalog: Catalog) -> None:
    table = load_yaml_file(ROOT / "data" / "code_systems.yaml").data
    sources = {source["id"]: source for source in table["sources"]}
    assert all(source["url"].startswith(("https://", "http://")) for source in sources.values())
    for channel in table["channels"]:
        for entry in channel["codes"]:
            if entry["checked"]:
                assert entry["sources"], entry
                assert all(source in sources for source in entry["sources"])
    assert catalog.channel_codes["ub"] == "BL"


# ---------------------------------------------------------------- the pages use it


def test_the_map_finder_reads_other_code_systems() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    app.text_input(key="point_query").input("UB 40").run()
    assert not app.exception
    assert app.selectbox(key=PICK_KEY).options[0].startswith("BL40")
    app.text_input(key="point_query").input("pizza").run()
    assert any("No point matches" in caption.value for caption in app.caption)


def test_the_consultation_search_reads_numbered_tones_and_typos() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.switch_page("pages/4_Consultation.py")
    app.run()
    app.text_input(key=SEARCH_KEY).input("shen4shu1").run()
    assert not app.exception
    assert app.selectbox(key=SEARCH_PICK_KEY).options[0].startswith("BL23")
    app.text_input(key=SEARCH_KEY).input("weizong").run()
    assert app.selectbox(key=SEARCH_PICK_KEY).options[0].startswith("BL40")
