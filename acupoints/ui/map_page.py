"""The body map and its detail panel, rerun together as one fragment on every click."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES, MapRequest, build_map_figure
from acupoints.models import REGION_LABELS, VIEW_LABELS, Reader, Region, View
from acupoints.panel import (
    READER_LABELS,
    build_sections,
    header_markdown,
    option_label,
    resolve_point_link,
)
from acupoints.search import search

CHART_KEY = "body_map"
CHART_CONFIG = {
    "doubleClickDelay": 50,
    "displayModeBar": False,
    "scrollZoom": False,
    "responsive": True,
}
STATE_CHOSEN = "chosen_point"
STATE_HIGHLIGHT = "map_highlight"
STATE_LAST_CLICK = "last_map_click"
STATE_NOTICE = "link_notice"
STATE_BASE = "map_base_request"
PICK_KEY = "point_pick"
VIEW_KEY = "view"
FOCUS_KEY = "focus"
READER_KEY = "reader"
REGIONS_KEY = "regions"
MERIDIANS_KEY = "meridians"
COLUMN_WIDTHS = [5, 6]


def selected_codes(chart_state: Any) -> tuple[str, ...]:
    """Codes of the markers in a chart selection (empty when nothing is selected)."""
    if not chart_state:
        return ()
    try:
        points = chart_state["selection"]["points"]
    except (KeyError, TypeError):
        return ()
    codes = []
    for item in points:
        code = item.get("customdata") if isinstance(item, Mapping) else None
        if isinstance(code, list):
            code = code[0] if code else None
        if isinstance(code, str):
            codes.append(code)
    return tuple(codes)


def _choose(code: str, from_map: bool) -> None:
    st.session_state[STATE_CHOSEN] = code
    st.session_state[STATE_NOTICE] = None
    if not from_map:
        st.session_state[STATE_HIGHLIGHT] = code
    if st.query_params.get("point") != code:
        st.query_params["point"] = code


def _init_state(catalog: Catalog) -> None:
    if STATE_CHOSEN in st.session_state:
        return
    link = resolve_point_link(catalog, st.query_params.get("point"))
    st.session_state[STATE_CHOSEN] = link.code
    st.session_state[STATE_HIGHLIGHT] = link.code
    st.session_state[STATE_NOTICE] = link.notice
    st.session_state[STATE_LAST_CLICK] = ()
    if link.code is None and "point" in st.query_params:
        del st.query_params["point"]
    elif link.code is not None and st.query_params.get("point") != link.code:
        st.query_params["point"] = link.code  # "bl23" becomes the canonical "BL23"


@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_figure(_catalog: Catalog, catalog_id: int, request: MapRequest) -> Any:
    return build_map_figure(_catalog, request)


def _on_pick() -> None:
    code = st.session_state.get(PICK_KEY)
    if code:
        _choose(code, from_map=False)
    # The box is a way to jump to a point, not a display of the choice: a map click does
    # not rerun it (it sits outside the fragment), so a value kept here would go stale.
    st.session_state[PICK_KEY] = None


@dataclass(frozen=True)
class MapControls:
    """What the controls above the map chose; the fragment reads it on every click."""

    view: View
    focus: str
    visible: tuple[str, ...]


def render_map_page(catalog: Catalog) -> None:
    _init_state(catalog)
    set_value = st.query_params.get("set")
    if set_value is not None:
        # Imported here: the consultation page itself builds on this module.
        from acupoints.ui.consult_page import render_set_offer

        render_set_offer(catalog, set_value)
    # The controls sit above the map but are written after it. Elements reach the browser
    # in the order they are written, and on arrival the reader is waiting for the map;
    # drawing the controls first made the map appear about 140 ms later (make bench).
    controls_area = st.container()
    controls = _controls_from_state(catalog)
    _atlas_fragment(catalog, controls)
    with controls_area:
        _render_controls(catalog, controls)
    with st.columns(COLUMN_WIDTHS)[0]:
        for note in catalog.notes:
            with st.expander(note.title):
                st.markdown(note.text)


def visible_codes(catalog: Catalog, regions: list[Region], meridians: list[str]) -> list[str]:
    """Codes the region and channel filters leave visible (no filter: every point)."""
    return [
        code
        for code, point in catalog.points.items()
        if (not regions or point.region in regions)
        and (not meridians or point.meridian in meridians)
    ]


def _controls_from_state(catalog: Catalog) -> MapControls:
    """The controls' values before they are drawn: a widget's value is in session state
    from the run after it first appears; before that each has its first option."""
    state = st.session_state
    return MapControls(
        view=state.get(VIEW_KEY, next(iter(VIEW_LABELS))),
        focus=state.get(FOCUS_KEY, next(iter(FOCUS_RANGES))),
        visible=tuple(
            visible_codes(catalog, state.get(REGIONS_KEY, []), state.get(MERIDIANS_KEY, []))
        ),
    )


def _render_controls(catalog: Catalog, controls: MapControls) -> None:
    """The view, zoom, filters and finder. They sit outside the fragment, so a click on the
    map reruns (and resends) only the map and the panel; changing one of them reruns the
    page, which a new figure needs anyway."""
    map_column, panel_column = st.columns(COLUMN_WIDTHS, gap="medium")
    with map_column:
        view_column, focus_column = st.columns(2, vertical_alignment="bottom")
        view_column.radio(
            "View",
            list(VIEW_LABELS),
            format_func=VIEW_LABELS.__getitem__,
            horizontal=True,
            key=VIEW_KEY,
        )
        focus_column.selectbox("Zoom to", list(FOCUS_RANGES), key=FOCUS_KEY)
    with panel_column:
        _render_filters(catalog)
        _render_finder(catalog, controls.visible)


@st.fragment
def _atlas_fragment(catalog: Catalog, controls: MapControls) -> None:
    # A click arrives as the chart's state; read it before building a figure, because a
    # new figure starts with an empty selection.
    clicked = selected_codes(st.session_state.get(CHART_KEY))
    clicked_now = clicked != st.session_state.get(STATE_LAST_CLICK, ())
    if clicked_now:
        st.session_state[STATE_LAST_CLICK] = clicked
        if clicked and clicked[0] in catalog.points:
            _choose(clicked[0], from_map=True)

    notice = st.session_state.get(STATE_NOTICE)
    if notice:
        st.warning(notice, icon=":material/help:")

    chosen = st.session_state.get(STATE_CHOSEN)
    base = (controls.view, controls.visible, controls.focus)
    if st.session_state.get(STATE_BASE) != base:
        # The figure is rebuilt anyway, so let it show the current choice.
        st.session_state[STATE_BASE] = base
        st.session_state[STATE_HIGHLIGHT] = chosen
    everything = len(controls.visible) == len(catalog.points)
    request = MapRequest(
        view=controls.view,
        visible=None if everything else frozenset(controls.visible),
        focus=controls.focus,
        highlight=st.session_state.get(STATE_HIGHLIGHT),
    )

    map_column, panel_column = st.columns(COLUMN_WIDTHS, gap="medium")

    def draw_panel() -> None:
        with panel_column:
            # Inside the fragment: the reader changes only the panel, so changing it reruns
            # the map and panel alone.
            reader: Reader = st.radio(
                "I am reading as a",
                list(READER_LABELS),
                format_func=READER_LABELS.__getitem__,
                horizontal=True,
                key=READER_KEY,
            )
            with st.container(key="detail"):
                render_detail_panel(catalog, chosen, reader, controls.view)

    def draw_map() -> None:
        with map_column, st.container(key="map"):
            st.plotly_chart(
                _cached_figure(catalog, id(catalog), request),
                key=CHART_KEY,
                on_select="rerun",
                selection_mode="points",
                config=CHART_CONFIG,
                width="stretch",
            )
            st.caption(
                "Click a marker to read about it. Some points are on the front of the body: "
                "switch the view above to see them."
            )

    # Elements reach the browser in the order they are written, whatever their place on
    # the page: write first what the reader is waiting for. After a click that is the
    # point's details (the unchanged chart follows); otherwise it is the map.
    first, then = (draw_panel, draw_map) if clicked_now else (draw_map, draw_panel)
    first()
    then()


def _render_filters(catalog: Catalog) -> None:
    """Region and channel filters (their values are read through session state)."""
    with st.expander("Filter by region or channel"):
        st.multiselect(
            "Regions",
            list(REGION_LABELS),
            format_func=REGION_LABELS.__getitem__,
            key=REGIONS_KEY,
            placeholder="All regions",
        )
        st.multiselect("Channels", catalog.meridians, key=MERIDIANS_KEY, placeholder="All channels")


def _render_finder(catalog: Catalog, visible: tuple[str, ...]) -> None:
    columns = st.columns([2, 3], vertical_alignment="bottom")
    query: str = columns[0].text_input(
        "Search points",
        key="point_query",
        max_chars=80,
        placeholder="e.g. BL40, weizhong, 委中, back of the knee",
    )
    options = search(catalog, query) if query.strip() else list(catalog.points)
    shown = set(visible)
    options = [code for code in options if code in shown] or options
    columns[1].selectbox(
        "Choose a point",
        options,
        index=None,
        key=PICK_KEY,
        on_change=_on_pick,
        format_func=lambda code: option_label(catalog.points[code]),
        placeholder=f"{len(options)} point(s) match" if query.strip() else "Choose a point",
    )
    if query.strip() and not search(catalog, query):
        st.caption("No point matches that search; showing all points.")


def render_detail_panel(catalog: Catalog, code: str | None, reader: Reader, view: View) -> None:
    if code is None:
        st.markdown("### Choose a point")
        st.markdown(
            "Click a marker on the body map, or search for a point above. Each point shows "
            "where it is, how to find it, what traditional Chinese medicine says about it, "
            "what the research does and does not show, and its safety cautions."
        )
        return
    point = catalog.points[code]
    st.markdown(header_markdown(point, catalog))
    if point.view != view:
        st.caption(
            f"This point is on the {VIEW_LABELS[point.view].lower()}: switch the view "
            "to see it on the map."
        )
    for section in build_sections(catalog, point, reader):
        with st.expander(section.title, expanded=section.expanded):
            st.markdown(section.markdown)
