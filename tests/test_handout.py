"""The safety summary of a set, and the printable handout built from it: type size, steps,
cross-references, the one research summary, aftercare, optional details and the diagram's
numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from acupoints.catalog import Catalog
from acupoints.handout import (
    AFTER_HEADING,
    MAX_DETAIL_CHARS,
    REPORT_HEADING,
    STYLE,
    body_diagram_svg,
    build_handout_details,
    build_handout_html,
    shared_frame,
)
from acupoints.models import Caution
from acupoints.pages_content import ExpectContent, load_expect_content
from acupoints.safety import GENERAL_RISKS, KIND_WORDING, NO_SPECIFIC_CAUTIONS, build_safety_summary
from acupoints.sets import MAX_SET_POINTS, SetLibrary, build_treatment_set, load_set_library
from acupoints.ui.consult_page import HANDOUT_DETAIL_FIELDS

ROOT = Path(__file__).resolve().parent.parent
XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
TEN_POINTS = ["BL23", "BL25", "GV3", "GV4", "BL40", "BL57", "BL60", "KI3", "SI3", "GB30"]
PREGNANCY_SET = ["LI4", "SP6", "BL60"]
LUNG_SET = ["BL13", "BL15", "SI13", "TE15"]
# Text widths are estimated generously: a bold digit is at most about 0.62 em wide.
DIGIT_WIDTH_EM = 0.62


@pytest.fixture(scope="module")
def library(catalog: Catalog) -> SetLibrary:
    return load_set_library(catalog)


@pytest.fixture(scope="module")
def expect(catalog: Catalog) -> ExpectContent:
    return load_expect_content(catalog.studies)


def handout(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent, codes: list[str], **details: str
) -> str:
    return build_handout_html(
        catalog,
        build_treatment_set(codes),
        library.handout,
        expect,
        details=build_handout_details(**details) if details else None,
    )


def parse(page: str) -> ElementTree.Element:
    return ElementTree.fromstring(page.split("\n", 1)[1])


def by_class(root: ElementTree.Element, tag: str, name: str) -> list[ElementTree.Element]:
    return [
        element
        for element in root.iter(f"{XHTML}{tag}")
        if name in (element.get("class") or "").split()
    ]


def text_of(element: ElementTree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def every_point_in_sets(catalog: Catalog) -> Iterator[list[str]]:
    codes = list(catalog.points)
    for start in range(0, len(codes), MAX_SET_POINTS):
        yield codes[start : start + MAX_SET_POINTS]


# ---------------------------------------------------------------- the safety summary


def test_pregnancy_warning_names_every_point_that_carries_it(catalog: Catalog) -> None:
    summary = build_safety_summary([catalog.points[code] for code in PREGNANCY_SET])
    group = summary.group("pregnancy")
    assert group is not None
    assert [point.code for point in group.points] == PREGNANCY_SET
    assert [point.number for point in group.points] == [1, 2, 3]
    assert "pregnant" in group.lead
    for code in PREGNANCY_SET:
        assert code in group.named_points


def test_lung_points_get_the_pneumothorax_note(catalog: Catalog) -> None:
    summary = build_safety_summary([catalog.points[code] for code in LUNG_SET])
    group = summary.group("lung")
    assert group is not None
    assert "pneumothorax" in group.lead
    assert {point.code for point in group.points} == set(LUNG_SET)
    assert summary.group("pregnancy") is None


def test_a_set_without_cautions_says_so_without_reassuring(catalog: Catalog) -> None:
    bare = catalog.points["ST36"].model_copy(update={"cautions": []})
    summary = build_safety_summary([bare])
    assert summary.groups == ()
    assert summary.closing == NO_SPECIFIC_CAUTIONS
    assert "no specific cautions" in summary.closing.lower()
    assert "general risks still apply" in summary.closing
    assert build_safety_summary([]).closing == NO_SPECIFIC_CAUTIONS


def test_a_new_caution_appears_in_the_summary_by_itself(catalog: Catalog) -> None:
    point = catalog.points["ST36"]
    assert build_safety_summary([point]).group("vessel") is None
    added = Caution(kind="vessel", text="A test vessel lies here.")
    changed = point.model_copy(update={"cautions": [*point.cautions, added]})
    group = build_safety_summary([changed]).group("vessel")
    assert group is not None
    assert [note.text for note in group.notes] == ["A test vessel lies here."]
    assert build_safety_summary([changed]).closing == GENERAL_RISKS


def test_a_caution_shared_word_for_word_is_given_once_naming_its_points(
    catalog: Catalog,
) -> None:
    group = build_safety_summary([catalog.points[c] for c in ["LI4", "SP6"]]).group("pregnancy")
    assert group is not None
    assert [note.codes for note in group.notes] == [("LI4", "SP6")]


def test_groups_follow_the_order_of_kinds(catalog: Catalog) -> None:
    summary = build_safety_summary([catalog.points[code] for code in catalog.points])
    order = list(KIND_WORDING)
    kinds = [group.kind for group in summary.groups]
    assert kinds == sorted(kinds, key=order.index)
    assert set(kinds) == set(order)


# ---------------------------------------------------------------- the handout's text


def _font_sizes_pt(css: str) -> dict[str, float]:
    """Each rule's selector and the font size it sets, in points."""
    sizes: dict[str, float] = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        match = re.search(r"font(?:-size)?:\s*([\d.]+)pt", body)
        if match:
            sizes[" ".join(selector.split())] = float(match.group(1))
    return sizes


def test_handout_body_text_is_at_least_11_pt() -> None:
    sizes = _font_sizes_pt(STYLE)
    assert 11 <= sizes["body"] <= 12
    # Only small print (citation marks, sources, footer, captions) may be smaller.
    small_print = {".cite", ".references", ".footer", ".diagrams figure"}
    assert {selector for selector, size in sizes.items() if size < 11} <= small_print


def test_handout_prints_the_safety_summary(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    root = parse(handout(catalog, library, expect, PREGNANCY_SET + LUNG_SET))
    (safety,) = by_class(root, "section", "safety")
    pregnancy = text_of(by_class(safety, "div", "caution-pregnancy")[0])
    for number, code in enumerate(PREGNANCY_SET, start=1):
        assert f"{number} {code} {catalog.points[code].english}" in pregnancy
    assert "pneumothorax" in text_of(by_class(safety, "div", "caution-lung")[0])
    assert GENERAL_RISKS in text_of(safety)


def test_handout_prints_aftercare_and_what_to_report_from_what_to_expect(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    root = parse(handout(catalog, library, expect, TEN_POINTS))
    (after,) = by_class(root, "section", "aftercare")
    (report,) = by_class(root, "section", "report")
    assert text_of(after).startswith(AFTER_HEADING)
    assert text_of(report).startswith(REPORT_HEADING)
    for item in expect.after.items:
        assert " ".join(item.text.split()) in text_of(after) + text_of(report), item.heading
    reported = next(item for item in expect.after.items if item.heading == "What to report")
    assert " ".join(reported.text.split()) in text_of(report)
    assert " ".join(reported.text.split()) not in text_of(after)


def test_handout_steps_are_list_items(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    root = parse(handout(catalog, library, expect, TEN_POINTS))
    for code in TEN_POINTS:
        (article,) = [a for a in root.iter(f"{XHTML}article") if a.get("id") == f"point-{code}"]
        (steps,) = by_class(article, "ol", "steps")
        items = list(steps.iter(f"{XHTML}li"))
        assert len(items) == len(catalog.points[code].guide), code
        assert text_of(items[0]) == " ".join(catalog.points[code].guide[0].split())


def test_no_step_sends_the_reader_to_a_note_that_is_not_printed(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    for codes in every_point_in_sets(catalog):
        page = handout(catalog, library, expect, codes)
        assert "see the note" not in page.lower()
    bl23 = parse(handout(catalog, library, expect, ["BL23"]))
    steps = text_of(by_class(bl23, "ol", "steps")[0])
    caveat = catalog.points["BL23"].location.landmark_caveat
    assert caveat is not None and " ".join(caveat.split()) in steps


def test_a_step_naming_another_point_says_where_it_is(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    alone = text_of(by_class(parse(handout(catalog, library, expect, ["TE15"])), "ol", "steps")[0])
    assert f"GB21 ({catalog.points['GB21'].english}: " in alone
    together = parse(handout(catalog, library, expect, ["GB21", "TE15"]))
    steps = [text_of(element) for element in by_class(together, "ol", "steps")]
    assert "GB21 (point 1 on this handout)" in steps[1]


def test_handout_has_one_research_summary_for_the_set(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    page = handout(catalog, library, expect, TEN_POINTS)
    root = parse(page)
    assert len(by_class(root, "section", "research")) == 1
    printed = text_of(root)
    assert printed.count(" ".join(catalog.central_finding_text.split())) == 1
    for code in TEN_POINTS:
        assert " ".join(catalog.points[code].evidence.caveat.split()) not in printed
    research = text_of(by_class(root, "section", "research")[0])
    for number, code in enumerate(TEN_POINTS, start=1):
        assert f"{number} {code}" in research
    for study_id in ("cherkin2009", "brinkhaus2006"):
        assert catalog.studies[study_id].link in page


HOSTILE = '<script>alert(1)</script> "quoted" & <img src=x onerror=alert(2)>'


def test_hostile_practitioner_details_are_printed_as_text(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    page = handout(
        catalog,
        library,
        expect,
        ["BL23"],
        practitioner=HOSTILE,
        clinic="Clinic\u202e\u0000 North",
        contact="x" * 500,
        next_visit="Tuesday 3 pm",
    )
    assert "<script" not in page and "<img" not in page
    values = {}
    for item in by_class(parse(page), "ul", "details")[0].iter(f"{XHTML}li"):
        label, _, value = text_of(item).partition(": ")
        values[label] = value
    assert values["Practitioner"] == " ".join(HOSTILE.split())
    assert values["Clinic"] == "Clinic North"
    assert values["Contact"] == "x" * MAX_DETAIL_CHARS
    assert values["Next visit"] == "Tuesday 3 pm"


def test_handout_without_details_prints_no_empty_lines(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    assert not by_class(parse(handout(catalog, library, expect, ["BL23"])), "ul", "details")


def test_handout_goes_to_one_column_on_narrow_screens() -> None:
    narrow = re.search(r"@media screen and \(max-width: (\d+)px\) \{(.*?)\n\}", STYLE, re.S)
    assert narrow is not None and int(narrow.group(1)) <= 700
    assert re.search(r"\.points[^{]*\{[^}]*column-count: 1", narrow.group(2))
    assert re.search(r"\.red-flags ul[^{]*\{[^}]*columns: 1", narrow.group(2))


# ---------------------------------------------------------------- the diagram


def _label_boxes(svg: ElementTree.Element) -> list[tuple[str, float, float, float, float]]:
    """(number, left, top, right, bottom) of every printed number, from its font size."""
    boxes = []
    for text in svg.iter(f"{SVG}text"):
        size = float(text.get("font-size", "0"))
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        half_width = len(text.text or "") * DIGIT_WIDTH_EM * size / 2
        boxes.append((text.text or "", x - half_width, y - size / 2, x + half_width, y + size / 2))
    return boxes


def _crowded_sets(catalog: Catalog) -> list[list[str]]:
    lower = [code for code, p in catalog.points.items() if p.region == "lower_back"]
    upper = [code for code, p in catalog.points.items() if p.region == "upper_back"]
    # Twenty points from all over the body, so crowded at whole-body scale that bilateral
    # points are numbered on one side only.
    scattered = ["BL30", "SI15", "BL16", "BL36", "GB41", "BL29", "GV12", "BL27", "KI7", "TE15"]
    scattered += ["ST36", "BL25", "BL43", "BL21", "BL53", "BL26", "BL17", "BL22", "GV20", "BL20"]
    return [
        TEN_POINTS,
        lower[:MAX_SET_POINTS],
        upper[:MAX_SET_POINTS],
        scattered,
        *every_point_in_sets(catalog),
    ]


def test_diagram_numbers_never_overlap(catalog: Catalog) -> None:
    checked = 0
    for codes in _crowded_sets(catalog):
        views = [
            v for v in ("posterior", "anterior") if any(catalog.points[c].view == v for c in codes)
        ]
        frame = shared_frame(catalog, codes, views)  # type: ignore[arg-type]
        for view in views:
            svg = ElementTree.fromstring(body_diagram_svg(catalog, codes, view, frame))  # type: ignore[arg-type]
            _, _, width, height = (float(v) for v in svg.get("viewBox", "").split())
            boxes = _label_boxes(svg)
            in_view = [c for c in codes if catalog.points[c].view == view]
            # Every point of the view keeps its number, on one side at least.
            assert {number for number, *_ in boxes} == {str(codes.index(c) + 1) for c in in_view}
            for number, left, top, right, bottom in boxes:
                assert left >= 0 and right <= width and top >= 0 and bottom <= height, number
            for a, b in combinations(boxes, 2):
                apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
                assert apart, (codes, view, a, b)
                checked += 1
    assert checked > 1000


def test_diagram_is_zoomed_to_the_set_and_large_enough_to_read(catalog: Catalog) -> None:
    lower = ["BL23", "BL25", "GV3", "GV4", "BL52"]
    frame = shared_frame(catalog, lower, ["posterior"])
    assert frame.y_range[1] - frame.y_range[0] < 30  # of about 77 for the whole body
    assert frame.height_mm >= 80 or frame.width_mm >= 120
    whole = shared_frame(catalog, ["GV20", "BL60"], ["posterior"])
    assert whole.height_mm >= 100


def test_every_marker_of_the_set_is_numbered_once_per_site(catalog: Catalog) -> None:
    svg = ElementTree.fromstring(body_diagram_svg(catalog, ["BL23", "GV4"], "posterior"))
    numbers = sorted(text.text or "" for text in svg.iter(f"{SVG}text"))
    assert numbers == ["1", "1", "2"]  # BL23 on both sides, GV4 on the midline


# ---------------------------------------------------------------- the pages


def test_consultation_shows_the_sets_cautions() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    app.switch_page("pages/4_Consultation.py")
    app.query_params["set"] = ",".join(PREGNANCY_SET)
    app.run()
    assert not app.exception
    warnings = "\n".join(str(w.value) for w in app.warning)
    assert "**Pregnancy:** 1 LI4" in warnings
    for code in PREGNANCY_SET:
        assert code in warnings


def test_handout_details_stay_out_of_the_link() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    app.switch_page("pages/4_Consultation.py")
    app.query_params["set"] = "BL23"
    app.run()
    for key in HANDOUT_DETAIL_FIELDS:
        app.text_input(key=key).input("Dr Example").run()
    assert not app.exception
    assert app.query_params["set"] == "BL23"
    assert not any("Example" in str(value) for value in dict(app.query_params).values())


def test_a_shared_set_on_the_map_page_shows_its_cautions() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    app.query_params["set"] = ",".join(LUNG_SET)
    app.run()
    assert not app.exception
    warnings = "\n".join(str(w.value) for w in app.warning)
    assert "**Lungs:**" in warnings and "pneumothorax" in warnings
