"""Positions follow from the structured locations and the body model."""

from __future__ import annotations

import pytest

from acupoints.catalog import Catalog
from acupoints.geometry import Position, bcun_in_fingers, levels_between, to_view_x


def only_position(catalog: Catalog, code: str) -> Position:
    (position,) = catalog.positions[code]
    return position


def test_bl23_is_one_and_a_half_bcun_lateral_at_l2(catalog: Catalog) -> None:
    assert only_position(catalog, "BL23") == Position(1.5, catalog.body.levels["L2"].y)


def test_bl52_is_twice_as_far_out_at_the_same_level(catalog: Catalog) -> None:
    bl23, bl52 = only_position(catalog, "BL23"), only_position(catalog, "BL52")
    assert bl52.y == bl23.y
    assert bl52.lateral == pytest.approx(2 * bl23.lateral)


def test_governor_vessel_points_are_on_the_midline(catalog: Catalog) -> None:
    governor = [
        code for code, point in catalog.points.items() if point.meridian == "Governor Vessel"
    ]
    assert len(governor) >= 2
    for code in governor:
        assert [p.side for p in catalog.placements[code]] == ["midline"]
        assert catalog.placements[code][0].x == 0


def test_bilateral_points_mirror_left_and_right(catalog: Catalog) -> None:
    for code, point in catalog.points.items():
        placements = catalog.placements[code]
        if not point.bilateral:
            continue
        lefts = sorted((p.x, p.y) for p in placements if p.side == "left")
        rights = sorted((-p.x, p.y) for p in placements if p.side == "right")
        assert lefts == rights, code
        assert lefts, code


def test_patient_left_is_viewer_left_from_behind_and_right_from_the_front() -> None:
    assert to_view_x(1.5, "left", "posterior") == -1.5
    assert to_view_x(1.5, "left", "anterior") == 1.5
    assert to_view_x(1.5, "right", "posterior") == 1.5


def test_huatuojiaji_row_has_one_site_per_level_t1_to_l5(catalog: Catalog) -> None:
    expected = levels_between(catalog.body, "T1", "L5")
    assert len(expected) == 17
    positions = catalog.positions["EX-B2"]
    assert [p.y for p in positions] == [catalog.body.levels[name].y for name in expected]
    assert {p.lateral for p in positions} == {0.5}
    assert len(catalog.placements["EX-B2"]) == 34


def test_body_model_agrees_with_the_standards_proportional_measures(catalog: Catalog) -> None:
    body = catalog.body
    for segment in body.segments:
        start, end = body.landmarks[segment.start], body.landmarks[segment.end]
        measured = start.x + end.x if segment.axis == "across" else abs(start.y - end.y)
        assert measured == pytest.approx(segment.bcun), segment.label


def test_levels_run_downwards_in_order(catalog: Catalog) -> None:
    heights = [level.y for level in catalog.body.levels.values()]
    assert heights == sorted(heights, reverse=True)


def test_levels_between_refuses_an_upside_down_range(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="below"):
        levels_between(catalog.body, "L5", "T1")


@pytest.mark.parametrize(
    ("bcun", "words"),
    [
        (1.5, "about two finger-widths (index and middle finger)"),
        (3.0, "about four finger-widths (one hand's breadth)"),
        (0, "on the midline"),
        (6.0, "about 2.0 hand-breadths (four fingers each)"),
    ],
)
def test_bcun_has_a_finger_width_equivalent(bcun: float, words: str) -> None:
    assert bcun_in_fingers(bcun) == words


def test_ki7_is_two_bcun_straight_above_ki3(catalog: Catalog) -> None:
    ki3, ki7 = only_position(catalog, "KI3"), only_position(catalog, "KI7")
    assert ki7.lateral == pytest.approx(ki3.lateral)
    assert ki7.y - ki3.y == pytest.approx(2.0)


def test_gb31_is_seven_bcun_above_the_popliteal_crease_on_the_iliotibial_band(
    catalog: Catalog,
) -> None:
    body = catalog.body
    crease = body.landmarks["popliteal_crease_midpoint"]
    band, trochanter = (
        body.landmarks["iliotibial_band_at_popliteal_crease"],
        body.landmarks["greater_trochanter"],
    )
    gb31 = only_position(catalog, "GB31")
    assert gb31.y - crease.y == pytest.approx(7.0, abs=0.01)
    # On the line from the band at the knee up to the trochanter, so on the outer thigh.
    assert band.x < gb31.lateral < trochanter.x


def test_gb41_lies_toward_the_toes_from_the_fourth_and_fifth_metatarsal_bases(
    catalog: Catalog,
) -> None:
    junction = catalog.body.landmarks["metatarsal_4_5_junction"]
    gb41 = only_position(catalog, "GB41")
    assert gb41.y < junction.y
    assert gb41.lateral > catalog.body.landmarks["metatarsal_1_2_junction"].x


def test_gv20_is_a_single_marker_at_the_crown_above_every_other_point(
    catalog: Catalog,
) -> None:
    (marker,) = catalog.placements["GV20"]
    assert (marker.side, marker.x) == ("midline", 0.0)
    others = [p.y for code, ps in catalog.placements.items() if code != "GV20" for p in ps]
    assert marker.y > max(others)
    assert marker.y < max(y for _, y in catalog.body.outline)


def test_bl10_is_on_the_neck_below_gb20_and_above_c7(catalog: Catalog) -> None:
    bl10, gb20 = only_position(catalog, "BL10"), only_position(catalog, "GB20")
    assert catalog.body.levels["C7"].y < bl10.y < gb20.y
    assert bl10.lateral < gb20.lateral


def test_outer_bladder_line_points_are_twice_as_far_out_as_the_inner_line(
    catalog: Catalog,
) -> None:
    for outer, inner in (("BL43", "BL14"), ("BL50", "BL21"), ("BL51", "BL22")):
        a, b = only_position(catalog, outer), only_position(catalog, inner)
        assert a.y == b.y, outer
        assert a.lateral == pytest.approx(2 * b.lateral), outer
