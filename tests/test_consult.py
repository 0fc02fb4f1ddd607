"""The Consultation page: treatment sets and links, regions, walkthroughs, overlays, the
handout (pure functions), and the page itself through AppTest."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from acupoints.catalog import Catalog
from acupoints.handout import body_diagram_svg, build_handout_html, handout_file_name
from acupoints.models import BetweenSite, OffsetSite, SpinalRowSite, SpinalSite
from acupoints.overlays import (
    HANDLE_TRACE_NAME,
    SET_TRACE_NAME,
    ConsultMapRequest,
    bcun_grid,
    build_consult_figure,
    channel_paths,
    region_of,
)
from acupoints.pages_content import ExpectContent, load_expect_content
from acupoints.regions import (
    RegionMap,
    distance_to_polygon,
    load_region_map,
    point_in_polygon,
    suggest_points,
)
from acupoints.sets import (
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_SET_POINTS,
    SetLibrary,
    build_treatment_set,
    format_set_param,
    load_set_library,
    parse_set_param,
)
from acupoints.ui.consult_page import (
    MODE_KEY,
    REGIONS_WIDGET,
    SEARCH_KEY,
    SEARCH_PICK_KEY,
    SET_WIDGET,
    WALK_WIDGET,
    WELL_KNOWN_KEY,
)
from acupoints.walkthrough import build_walkthrough, build_walkthrough_figure
from acupoints.yaml_io import DataError

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/4_Consultation.py"
TIMEOUT = 30
TEN_POINTS = ["BL23", "BL25", "GV3", "GV4", "BL40", "BL57", "BL60", "KI3", "SI3", "GB30"]
HOSTILE_VALUES = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "BL23\u202e\u0000",
    "\U0001f600\U0001f600",
    "../../etc/passwd",
    "javascript:alert(1)",
]


@pytest.fixture(scope="module")
def region_map(catalog: Catalog) -> RegionMap:
    return load_region_map(catalog)


@pytest.fixture(scope="module")
def library(catalog: Catalog) -> SetLibrary:
    return load_set_library(catalog)


@pytest.fixture(scope="module")
def expect(catalog: Catalog) -> ExpectContent:
    return load_expect_content(catalog.studies)


# ---------------------------------------------------------------- set links


def test_set_link_reads_codes_in_any_case_and_with_any_separator(catalog: Catalog) -> None:
    link = parse_set_param(catalog.points, " bl23, BL40;gv4  ex-b7 ")
    assert link.codes == ("BL23", "BL40", "GV4", "EX-B7")
    assert link.notice is None


def test_empty_set_link_is_an_empty_set_without_a_notice(catalog: Catalog) -> None:
    for value in (None, "", " , ,"):
        link = parse_set_param(catalog.points, value)
        assert link.codes == ()
        assert link.notice is None


def test_unknown_codes_are_named_and_skipped(catalog: Catalog) -> None:
    link = parse_set_param(catalog.points, "BL23,BL99,bl99,GV4")
    assert link.codes == ("BL23", "GV4")
    assert link.unknown == ("BL99",)
    assert "no point called BL99" in (link.notice or "")


def test_duplicates_are_dropped_and_order_kept(catalog: Catalog) -> None:
    link = parse_set_param(catalog.points, "BL40,BL23,bl40,BL23,BL40")
    assert link.codes == ("BL40", "BL23")
    assert link.duplicates == 3
    assert link.notice is None


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_entries_are_skipped_and_never_echoed(catalog: Catalog, value: str) -> None:
    link = parse_set_param(catalog.points, f"BL23,{value}")
    assert link.codes == ("BL23",)
    assert link.unreadable >= 1
    notice = link.notice or ""
    assert "not a point code" in notice or "not point codes" in notice
    assert value not in notice
    for fragment in ("<", "script", "alert", "passwd", "\u202e", "\U0001f600"):
        assert fragment not in notice


def test_very_long_link_is_cut_without_splitting_a_code(catalog: Catalog) -> None:
    # The cut falls inside "GV14"; its first three letters must not become a code.
    value = "BL23," + "x," * 97 + "GV14,BL40" + ",BL25" * 2000
    link = parse_set_param(catalog.points, value)
    assert link.too_long
    assert link.codes == ("BL23",)
    assert link.unknown == ()
    assert "only its first" in (link.notice or "")


def test_link_with_more_points_than_a_set_holds_keeps_the_first(catalog: Catalog) -> None:
    codes = list(catalog.points)[: MAX_SET_POINTS + 5]
    link = parse_set_param(catalog.points, ",".join(codes))
    assert link.codes == tuple(codes[:MAX_SET_POINTS])
    assert link.too_long


def test_set_link_round_trips(catalog: Catalog) -> None:
    codes = ("BL23", "BL40", "GV4")
    assert parse_set_param(catalog.points, format_set_param(codes)).codes == codes


def test_treatment_set_cleans_name_and_notes() -> None:
    treatment_set = build_treatment_set(
        ["BL23", "BL40", "BL23"],
        name="Mrs\u202e Smith\x00\n" + "x" * 200,
        notes={"BL23": "gentle\u202e please\x07", "GV4": "not in the set", "BL40": "  "},
    )
    assert treatment_set.codes == ("BL23", "BL40")
    assert "\u202e" not in treatment_set.name and "\x00" not in treatment_set.name
    assert len(treatment_set.name) <= MAX_NAME_CHARS
    assert treatment_set.note("BL23") == "gentle please"
    assert treatment_set.note("GV4") == ""
    assert treatment_set.note("BL40") == ""
    long_note = build_treatment_set(["BL23"], notes={"BL23": "y" * 1000})
    assert len(long_note.note("BL23")) == MAX_NOTE_CHARS
    assert build_treatment_set([]).name == "Treatment set"


# ---------------------------------------------------------------- well-known sets


def test_trial_set_is_derived_from_the_registry_and_labelled_as_such(
    catalog: Catalog, library: SetLibrary
) -> None:
    cherkin = library.by_id["cherkin2009_standardized"]
    assert cherkin.codes == tuple(catalog.studies["cherkin2009"].protocol_points)
    assert cherkin.source_label == "used in a trial"
    assert "used in a trial" in cherkin.label
    assert "not a recommendation" in cherkin.about
    # Sets in the data file name a study; they never list codes of their own.
    assert "BL23" not in (ROOT / "data" / "sets.yaml").read_text(encoding="utf-8")


def test_set_naming_an_unknown_study_is_reported_with_its_line(
    catalog: Catalog, data_copy: Path
) -> None:
    path = data_copy / "sets.yaml"
    text = path.read_text(encoding="utf-8").replace("study: cherkin2009", "study: nobody2024")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "nobody2024" in row)
    with pytest.raises(DataError) as caught:
        load_set_library(catalog, data_copy)
    assert [str(p) for p in caught.value.problems] == [
        f"data/sets.yaml:{line}: well_known_sets[0].study: unknown study 'nobody2024'"
    ]


def test_set_of_a_study_without_a_protocol_is_refused(catalog: Catalog, data_copy: Path) -> None:
    path = data_copy / "sets.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("study: cherkin2009", "study: vickers2012"),
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="lists no protocol_points"):
        load_set_library(catalog, data_copy)


# ---------------------------------------------------------------- regions


def test_point_in_polygon_and_distance() -> None:
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert point_in_polygon((1.0, 1.0), square)
    assert not point_in_polygon((3.0, 1.0), square)
    assert distance_to_polygon((1.0, 1.0), square) == 0.0
    assert distance_to_polygon((3.0, 1.0), square) == pytest.approx(1.0)
    assert distance_to_polygon((3.0, 3.0), square) == pytest.approx(2**0.5)


def _split(suggestions: list) -> tuple[list[str], list[str]]:
    local = [s.code for s in suggestions if s.kind == "local"]
    distal = [s.code for s in suggestions if s.kind == "distal"]
    return local, distal


def test_lower_back_suggests_its_points_and_the_distal_ones(
    catalog: Catalog, region_map: RegionMap
) -> None:
    local, distal = _split(suggest_points(catalog, region_map, ["lower_back_left"]))
    assert {"BL23", "BL25", "GV3", "GV4", "BL52", "EX-B7"} <= set(local)
    assert not {"GB21", "BL40", "BL13"} & set(local)
    assert {"BL40", "KI3", "SI3"} <= set(distal)
    assert not set(local) & set(distal)


def test_left_and_right_regions_find_the_same_bilateral_points(
    catalog: Catalog, region_map: RegionMap
) -> None:
    left, _ = _split(suggest_points(catalog, region_map, ["lower_back_left"]))
    right, _ = _split(suggest_points(catalog, region_map, ["lower_back_right"]))
    assert set(left) == set(right)


def test_other_regions_find_their_own_points(catalog: Catalog, region_map: RegionMap) -> None:
    expected = {
        "neck_shoulders": "GB21",
        "upper_back": "BL15",
        "buttock_right": "GB30",
        "back_of_thigh": "BL37",
        "calf": "BL57",
        "sacrum": "BL32",
    }
    for region_id, code in expected.items():
        local, _ = _split(suggest_points(catalog, region_map, [region_id]))
        assert code in local, region_id


def test_points_inside_come_before_points_beside(catalog: Catalog, region_map: RegionMap) -> None:
    suggestions = [s for s in suggest_points(catalog, region_map, ["sacrum"]) if s.kind == "local"]
    flags = [s.inside for s in suggestions]
    assert flags == sorted(flags, reverse=True)
    assert True in flags and False in flags


def test_front_points_are_never_local_and_unknown_regions_are_ignored(
    catalog: Catalog, region_map: RegionMap
) -> None:
    suggestions = suggest_points(catalog, region_map, [*region_map.regions, "<nowhere>"])
    for suggestion in suggestions:
        if suggestion.kind == "local":
            assert catalog.points[suggestion.code].view == "posterior"
    assert suggest_points(catalog, region_map, ["<nowhere>"]) == []


def test_region_naming_an_unknown_point_is_reported_with_its_line(
    catalog: Catalog, data_copy: Path
) -> None:
    path = data_copy / "body_regions.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "distal: [SI3, GB39, BL60]", "distal: [SI3, XX99, BL60]"
    )
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "XX99" in row)
    with pytest.raises(DataError) as caught:
        load_region_map(catalog, data_copy)
    assert [str(p) for p in caught.value.problems] == [
        f"data/body_regions.yaml:{line}: regions[0].distal[1]: unknown point 'XX99'"
    ]


def test_every_region_handle_lies_inside_its_region(region_map: RegionMap) -> None:
    for region in region_map.regions.values():
        for handle, polygon in zip(region.handles(), region.polygons(), strict=True):
            assert point_in_polygon(handle, polygon), region.id


# ---------------------------------------------------------------- walkthroughs


def test_bl23_walkthrough_counts_from_the_iliac_crests(
    catalog: Catalog, region_map: RegionMap
) -> None:
    walkthrough = build_walkthrough(catalog, region_map.anchors, "BL23")
    landmark, count, measure, mark = walkthrough.steps
    assert [s.kind for s in walkthrough.steps] == ["landmark", "count", "measure", "mark"]
    assert "iliac crests" in landmark.text and "L4" in landmark.text
    crest = catalog.body.landmarks["iliac_crest_top"]
    assert set(landmark.rings) == {(crest.x, crest.y), (-crest.x, crest.y)}
    assert "count 2 vertebral levels up: L3, L2" in count.text
    l2 = catalog.body.levels["L2"].y
    assert [(ring[1]) for ring in count.rings] == [catalog.body.levels["L3"].y, l2]
    assert "1.5 B-cun" in measure.text and "two finger-widths" in measure.text
    ends = {stroke.points[-1] for stroke in measure.strokes}
    assert ends == {(1.5, l2), (-1.5, l2)}
    assert mark.marks == tuple(catalog.placements["BL23"])


def test_gb21_walkthrough_goes_halfway_from_c7_to_the_acromion(
    catalog: Catalog, region_map: RegionMap
) -> None:
    walkthrough = build_walkthrough(catalog, region_map.anchors, "GB21")
    first, second, measure, mark = walkthrough.steps
    assert [s.kind for s in walkthrough.steps] == ["landmark", "landmark", "measure", "mark"]
    assert "C7" in first.text and "acromion" in second.text
    assert "Midway" in measure.text
    assert set(measure.rings) == {(p.x, p.y) for p in catalog.placements["GB21"]}
    assert mark.marks == tuple(catalog.placements["GB21"])


def test_every_point_has_a_walkthrough_that_ends_on_its_markers(
    catalog: Catalog, region_map: RegionMap
) -> None:
    kinds = set()
    for code, point in catalog.points.items():
        kinds |= {type(site) for site in point.location.sites}
        walkthrough = build_walkthrough(catalog, region_map.anchors, code)
        assert walkthrough.steps[-1].marks == tuple(catalog.placements[code]), code
        assert all(step.text for step in walkthrough.steps), code
    assert kinds == {SpinalSite, SpinalRowSite, BetweenSite, OffsetSite}


def test_walkthrough_figure_reveals_the_point_only_at_the_last_step(
    catalog: Catalog, region_map: RegionMap
) -> None:
    walkthrough = build_walkthrough(catalog, region_map.anchors, "BL23")

    def codes(step: int) -> set[str]:
        figure = build_walkthrough_figure(catalog, walkthrough, step)
        return {code for trace in figure.data for code in trace.customdata}

    assert "BL23" not in codes(0)
    assert "BL40" in codes(0)
    assert "BL23" in codes(len(walkthrough.steps) - 1)
    (x0, x1), (y0, y1) = walkthrough.bounds()
    figure = build_walkthrough_figure(catalog, walkthrough, 1)
    assert list(figure.layout.xaxis.range) == [x0, x1]
    assert list(figure.layout.yaxis.range) == [y0, y1]


# ---------------------------------------------------------------- overlays


def test_channel_lines_follow_point_numbers(catalog: Catalog) -> None:
    governor = channel_paths(catalog, "GV", "posterior")
    assert len(governor) == 1
    ys = [y for _, y in governor[0]]
    assert ys == sorted(ys, reverse=True) or ys == sorted(ys)
    assert all(x == 0 for x, _ in governor[0])
    bladder = channel_paths(catalog, "BL", "posterior")
    # Per side: the inner line to BL40, the outer line back to BL40, and on down the leg.
    assert len(bladder) == 6
    bl40 = {(p.x, p.y) for p in catalog.placements["BL40"]}
    assert all(path[-1] in bl40 for path in bladder[2:4])
    for prefix in ("GB", "SI"):
        assert channel_paths(catalog, prefix, "posterior"), prefix


def test_bcun_grid_has_the_three_lines_on_each_side(catalog: Catalog) -> None:
    shapes, annotations = bcun_grid(catalog.body)
    verticals = {shape["x0"] for shape in shapes if shape["x0"] == shape["x1"]}
    assert verticals == {0, 0.5, -0.5, 1.5, -1.5, 3.0, -3.0}
    assert {"0.5", "1.5", "3"} <= {a["text"] for a in annotations}


def test_consult_figure_numbers_the_set_and_has_region_handles(
    catalog: Catalog, region_map: RegionMap
) -> None:
    request = ConsultMapRequest(
        set_codes=("BL23", "BL40", "GB34"), regions=("sacrum",), channels=("BL",), grid=True
    )
    figure = build_consult_figure(catalog, region_map, request)
    traces = {trace.name: trace for trace in figure.data}
    numbered = dict(
        zip(traces[SET_TRACE_NAME].customdata, traces[SET_TRACE_NAME].text, strict=True)
    )
    assert numbered == {"BL23": "1", "BL40": "2"}  # GB34 is on the front
    handles = {region_of(code) for code in traces[HANDLE_TRACE_NAME].customdata}
    assert handles == set(region_map.regions)
    assert region_of("BL23") is None


# ---------------------------------------------------------------- the handout


class TagBalance(HTMLParser):
    """Checks that every opened element is closed, in order."""

    VOID = frozenset({"meta", "br", "img", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        """``<meta ... />`` and ``<circle ... />`` open and close at once."""

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()


def _handout(catalog: Catalog, library: SetLibrary, expect: ExpectContent, **kwargs) -> str:
    treatment_set = build_treatment_set(TEN_POINTS, **kwargs)
    return build_handout_html(catalog, treatment_set, library.handout, expect)


def test_handout_for_ten_points_has_each_code_and_its_research_tier(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    page = _handout(catalog, library, expect)
    for code in TEN_POINTS:
        point = catalog.points[code]
        assert f"{code} · " in page
        assert html.escape(catalog.tiers[point.evidence.tier].label) in page
        assert html.escape(point.summary) in page
        assert html.escape(point.guide[0]) in page
    assert html.escape(library.handout.not_advice) in page
    assert "information, not medical advice" in page
    assert html.escape(expect.course.intro) in page
    assert "<strong>Call your emergency number now</strong>" in page
    for sign in expect.red_flags.signs:
        assert html.escape(sign.label) in page
    for study_id in ("cherkin2009", "brinkhaus2006"):
        assert catalog.studies[study_id].link in page


def test_handout_is_well_formed(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    page = _handout(catalog, library, expect, name="<b>x</b>", notes={"BL23": "a & b < c"})
    checker = TagBalance()
    checker.feed(page)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    root = ElementTree.fromstring(page.split("\n", 1)[1])
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"
    svg = "{http://www.w3.org/2000/svg}"
    numbers = [text.text for text in root.iter(f"{svg}text")]
    assert set(numbers) == {str(n) for n in range(1, 11)}


def test_handout_escapes_what_the_practitioner_types(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    page = _handout(
        catalog,
        library,
        expect,
        name="<script>alert(1)</script>",
        notes={"BL23": '<img src=x onerror="alert(2)">'},
    )
    assert "<script" not in page
    assert "<img" not in page
    root = ElementTree.fromstring(page.split("\n", 1)[1])
    xhtml = "{http://www.w3.org/1999/xhtml}"
    (set_name,) = [e for e in root.iter(f"{xhtml}span") if e.get("class") == "set-name"]
    assert set_name.text == "<script>alert(1)</script>"
    (note,) = [e for e in root.iter(f"{xhtml}p") if e.get("class") == "practitioner-note"]
    assert "".join(note.itertext()).split(":", 1)[1].strip() == '<img src=x onerror="alert(2)">'


def test_handout_sets_the_paper_size(
    catalog: Catalog, library: SetLibrary, expect: ExpectContent
) -> None:
    treatment_set = build_treatment_set(["BL23"])
    a4 = build_handout_html(catalog, treatment_set, library.handout, expect, "A4")
    letter = build_handout_html(catalog, treatment_set, library.handout, expect, "letter")
    assert "@page { size: A4 portrait;" in a4
    assert "@page { size: letter portrait;" in letter


def test_handout_diagram_draws_front_points_in_their_own_view(catalog: Catalog) -> None:
    back = body_diagram_svg(catalog, ["BL23", "GB34"], "posterior")
    front = body_diagram_svg(catalog, ["BL23", "GB34"], "anterior")
    assert "<title>BL23</title>" in back and "GB34" not in back
    assert "<title>GB34</title>" in front and "BL23" not in front
    assert ">2</text>" in front  # numbered by its place in the set


def test_handout_file_name_is_safe() -> None:
    assert handout_file_name(build_treatment_set(["BL23"], name="../Mrs Ö <x>")) == (
        "handout-mrs-x.html"
    )
    assert handout_file_name(build_treatment_set(["BL23"], name="   ")) == (
        "handout-treatment-set.html"
    )


# ---------------------------------------------------------------- the page (AppTest)


def open_consultation(**query: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.switch_page(PAGE)
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


def markdown_text(app: AppTest) -> str:
    return "\n".join(str(element.value) for element in app.markdown)


def test_set_link_opens_the_set_and_offers_the_handout() -> None:
    app = open_consultation(set="BL23,bl40,GV4")
    assert not app.exception
    assert app.multiselect(key=SET_WIDGET).value == ["BL23", "BL40", "GV4"]
    assert "1 BL23, 2 BL40, 3 GV4" in markdown_text(app)
    assert app.query_params["set"] == "BL23,BL40,GV4"
    assert len(app.get("download_button")) == 1


def test_editing_the_set_updates_the_link() -> None:
    app = open_consultation(set="BL23,BL40,GV4")
    app.multiselect(key=SET_WIDGET).unselect("BL40").run()
    assert not app.exception
    assert app.query_params["set"] == "BL23,GV4"
    app.multiselect(key=SET_WIDGET).select("KI3").run()
    assert app.query_params["set"] == "BL23,GV4,KI3"
    app.multiselect(key=SET_WIDGET).set_value([]).run()
    assert "set" not in app.query_params
    assert not app.get("download_button")


def test_search_adds_a_point_to_the_set() -> None:
    app = open_consultation()
    app.text_input(key=SEARCH_KEY).input("back of the knee").run()
    assert app.selectbox(key=SEARCH_PICK_KEY).options[0].startswith("BL40")
    app.selectbox(key=SEARCH_PICK_KEY).select("BL40").run()
    app.button(key="consult_add_search").click().run()
    assert not app.exception
    assert app.query_params["set"] == "BL40"


def test_well_known_set_loads_the_trial_points() -> None:
    app = open_consultation()
    app.selectbox(key=WELL_KNOWN_KEY).select("cherkin2009_standardized").run()
    app.button(key="consult_use_well_known").click().run()
    assert not app.exception
    assert app.query_params["set"] == "BL23,BL40,KI3,GV3"
    assert "Standardized protocol of Cherkin 2009" in markdown_text(app)


def test_link_with_unknown_and_hostile_values_keeps_the_good_codes() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    app = open_consultation(set=f"BL23,BL99,{hostile}")
    assert not app.exception
    warnings = "\n".join(str(w.value) for w in app.warning)
    assert "no point called BL99" in warnings
    assert hostile not in warnings + markdown_text(app)
    assert app.query_params["set"] == "BL23"


def test_very_long_link_does_not_break_the_page() -> None:
    app = open_consultation(set="BL23," * 3000)
    assert not app.exception
    assert app.query_params["set"] == "BL23"


def test_marking_a_region_shows_red_flags_first_then_points() -> None:
    app = open_consultation()
    app.radio(key=MODE_KEY).set_value("regions").run()
    assert not app.exception
    assert "see a doctor now" in app.error[0].value
    assert "not a diagnosis" in markdown_text(app)
    app.multiselect(key=REGIONS_WIDGET).select("lower_back_left").run()
    assert not app.exception
    titles = [expander.label for expander in app.expander]
    assert any(title.startswith("BL23 · Kidney Shu · in the lower back (left)") for title in titles)
    assert any(title.startswith("BL40 · ") and "used for" in title for title in titles)
    caveat_shown = markdown_text(app)
    assert "BL23 was one of the fixed points" in caveat_shown


def test_suggested_point_can_join_the_set() -> None:
    app = open_consultation()
    app.radio(key=MODE_KEY).set_value("regions").run()
    app.multiselect(key=REGIONS_WIDGET).select("calf").run()
    app.button(key="consult_suggest_add_BL57").click().run()
    assert not app.exception
    assert app.query_params["set"] == "BL57"


def test_walkthrough_steps_forward_and_back() -> None:
    app = open_consultation()
    app.radio(key=MODE_KEY).set_value("walk").run()
    assert "Step 1 of 4: Find the landmark" in markdown_text(app)
    app.button(key="consult_walk_next").click().run()
    assert "Step 2 of 4: Count to the level" in markdown_text(app)
    app.selectbox(key=WALK_WIDGET).select("GB21").run()
    assert not app.exception
    assert "Step 1 of 4: Find the first landmark" in markdown_text(app)
    for _ in range(3):
        app.button(key="consult_walk_next").click().run()
    assert "Step 4 of 4: Mark the point" in markdown_text(app)
    assert app.button(key="consult_walk_next").disabled
    app.button(key="consult_walk_previous").click().run()
    assert "Step 3 of 4" in markdown_text(app)
