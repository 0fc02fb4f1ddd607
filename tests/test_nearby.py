"""What a fingertip covers on the map, and the zoom that shows a chosen point."""

from __future__ import annotations

import pytest

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES, MAP_HEIGHT
from acupoints.nearby import (
    FINGERTIP_PX,
    NEARBY_LIMIT,
    PHONE_MAP_PX,
    closer_zoom,
    fingertip_bcun,
    nearby_points,
    px_per_bcun,
    zoom_showing,
)
from acupoints.ui import LAYOUT_CSS


def test_the_fingertip_covers_more_body_at_the_whole_body_view_than_zoomed_in() -> None:
    whole = fingertip_bcun("whole body")
    for focus in FOCUS_RANGES:
        if focus != "whole body":
            assert fingertip_bcun(focus) < whole
    # On a phone the whole body is about 7.8 px per B-cun: a fingertip spans over 5 B-cun.
    assert whole == pytest.approx(FINGERTIP_PX / px_per_bcun("whole body"))
    assert 5 < whole < 7


def test_a_larger_screen_has_more_pixels_per_bcun_than_the_phone_the_lists_are_made_for() -> None:
    for focus in FOCUS_RANGES:
        assert px_per_bcun(focus, (700.0, float(MAP_HEIGHT))) >= px_per_bcun(focus, PHONE_MAP_PX)


def test_neighbours_of_a_crowded_sacral_point_are_listed_nearest_first(catalog: Catalog) -> None:
    site = catalog.placements["BL31"][0]
    found = nearby_points(catalog, "posterior", "whole body", site.x, site.y)
    codes = [item.code for item in found]
    assert "BL31" not in codes
    assert codes[0] in {"BL27", "BL32"}
    distances = [item.distance_bcun for item in found]
    assert distances == sorted(distances)
    assert len(found) <= NEARBY_LIMIT
    assert all(item.distance_bcun <= fingertip_bcun("whole body") for item in found)


def test_only_points_of_the_view_and_the_filter_are_neighbours(catalog: Catalog) -> None:
    site = catalog.placements["BL23"][0]
    posterior = nearby_points(catalog, "posterior", "lower back", site.x, site.y)
    assert posterior
    assert all(catalog.points[item.code].view == "posterior" for item in posterior)
    only = frozenset({"BL23", "BL52"})
    filtered = nearby_points(catalog, "posterior", "lower back", site.x, site.y, visible=only)
    assert [item.code for item in filtered] == ["BL52"]


def test_a_lone_point_has_no_neighbours_when_zoomed_in(catalog: Catalog) -> None:
    site = catalog.placements["BL40"][0]
    assert nearby_points(catalog, "posterior", "legs", site.x, site.y) == []


def test_every_point_is_reachable_in_two_taps_from_the_whole_body_view(catalog: Catalog) -> None:
    """A tap on a marker selects the nearest marker; if that is another point, the
    marker tapped is within a fingertip of it, so it is offered: the second tap."""
    unreachable = []
    for code, placements in catalog.placements.items():
        point = catalog.points[code]
        markers = [
            (other, site)
            for other, sites in catalog.placements.items()
            if catalog.points[other].view == point.view
            for site in sites
        ]
        site = placements[0]
        nearest, nearest_site = min(
            markers, key=lambda item: (item[1].x - site.x) ** 2 + (item[1].y - site.y) ** 2
        )
        if nearest == code:
            continue
        offered = nearby_points(catalog, point.view, "whole body", nearest_site.x, nearest_site.y)
        if code not in [item.code for item in offered]:
            unreachable.append(code)
    assert unreachable == []


def test_the_tightest_zoom_that_shows_a_place_is_chosen(catalog: Catalog) -> None:
    bl31 = catalog.placements["BL31"][0]
    assert closer_zoom(bl31.x, bl31.y) == "lower back"
    gb20 = catalog.placements["GB20"][0]
    assert closer_zoom(gb20.x, gb20.y) == "head and neck"
    assert closer_zoom(0.0, 200.0) is None


def test_a_zoom_that_hides_the_point_gives_way_to_the_whole_body(catalog: Catalog) -> None:
    assert zoom_showing(catalog, "BL23", "lower back") == "lower back"
    assert zoom_showing(catalog, "BL60", "lower back") == "whole body"
    assert zoom_showing(catalog, "BL60", "legs") == "legs"
    assert zoom_showing(catalog, "BL23", "no such zoom") == "whole body"


def test_the_stylesheet_reserves_the_figures_own_height_for_the_map() -> None:
    assert f"min-height: {MAP_HEIGHT}px;" in LAYOUT_CSS.read_text()
