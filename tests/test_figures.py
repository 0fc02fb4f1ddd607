"""The map is data: assert on fig.data and the layout, not on pixels."""

from __future__ import annotations

from collections import Counter

from acupoints.catalog import Catalog
from acupoints.figures import ROW_TRACE_NAME, MapRequest, build_map_figure


def marker_codes(figure) -> Counter[str]:
    return Counter(code for trace in figure.data for code in trace.customdata)


def test_every_posterior_point_is_a_marker_with_its_code(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest(view="posterior"))
    codes = marker_codes(figure)
    posterior = {code for code, point in catalog.points.items() if point.view == "posterior"}
    assert set(codes) == posterior
    for code in posterior:
        assert codes[code] == len(catalog.placements[code])


def test_bilateral_point_has_one_marker_per_side(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest())
    assert marker_codes(figure)["BL23"] == 2
    xs = sorted(
        x
        for trace in figure.data
        for x, code in zip(trace.x, trace.customdata, strict=True)
        if code == "BL23"
    )
    assert xs == [-1.5, 1.5]


def test_anterior_view_shows_only_front_points(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest(view="anterior"))
    for code in marker_codes(figure):
        assert catalog.points[code].view == "anterior"


def test_filter_limits_markers_to_the_visible_codes(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest(visible=frozenset({"BL23", "GV4"})))
    assert set(marker_codes(figure)) == {"BL23", "GV4"}


def test_highlight_selects_only_the_chosen_points_markers(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest(highlight="BL23"))
    for trace in figure.data:
        chosen = [trace.customdata[i] for i in trace.selectedpoints]
        assert set(chosen) <= {"BL23"}
    assert sum(len(trace.selectedpoints) for trace in figure.data) == 2


def test_no_highlight_leaves_every_marker_unselected(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest())
    assert all(trace.selectedpoints is None for trace in figure.data)


def test_hover_names_code_and_english_name(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest())
    for trace in figure.data:
        for code, text in zip(trace.customdata, trace.text, strict=True):
            assert text.startswith(f"<b>{code}</b> {catalog.points[code].english}")


def test_one_bcun_is_the_same_length_across_and_down(catalog: Catalog) -> None:
    layout = build_map_figure(catalog, MapRequest()).layout
    assert layout.yaxis.scaleanchor == "x"
    assert layout.yaxis.scaleratio == 1


def test_rows_are_drawn_first_so_single_points_stay_on_top(catalog: Catalog) -> None:
    names = [trace.name for trace in build_map_figure(catalog, MapRequest()).data]
    assert names[0] == ROW_TRACE_NAME
    assert ROW_TRACE_NAME not in names[1:]


def test_spine_levels_are_labelled(catalog: Catalog) -> None:
    layout = build_map_figure(catalog, MapRequest()).layout
    labels = {annotation.text for annotation in layout.annotations}
    assert {"C7", "T3", "T7", "T12", "L2", "L4", "S2"} <= labels


def test_body_is_drawn_as_layout_shapes_not_traces(catalog: Catalog) -> None:
    figure = build_map_figure(catalog, MapRequest())
    assert figure.layout.shapes[0].type == "path"
    assert figure.layout.shapes[0].path.endswith("Z")
    assert all(trace.mode == "markers" for trace in figure.data)
