"""The body map and its detail panel, rerun together as one fragment on every click."""

from __future__ import annotations

from collections.abc import Mapping
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


def render_map_page(catalog: Catalog) -> None:
    _init_state(catalog)
    _atlas_fragment(catalog)


@st.fragment
def _atlas_fragment(catalog: Catalog) -> None:
    # A click arrives as the chart's state; read it before building a figure, because a
    # new figure starts with an empty selection.
    clicked = selected_codes(st.session_state.get(CHART_KEY))
    if clicked != st.session_state.get(STATE_LAST_CLICK, ()):
        st.session_state[STATE_LAST_CLICK] = clicked
        if clicked and clicked[0] in catalog.points:
            _choose(clicked[0], from_map=True)

    notice = st.session_state.get(STATE_NOTICE)
    if notice:
        st.warning(notice, icon=":material/help:")

    map_column, panel_column = st.columns([5, 6], gap="medium")
    with map_column:
        controls = st.columns(2, vertical_alignment="bottom")
        view: View = controls[0].radio(
            "View",
            list(VIEW_LABELS),
            format_func=VIEW_LABELS.__getitem__,
            horizontal=True,
            key="view",
        )
        focus: str = controls[1].selectbox("Zoom to", list(FOCUS_RANGES), key="focus")
    with panel_column:
        visible_codes = _render_filters(catalog)
        _render_finder(catalog, visible_codes)
        reader: Reader = st.radio(
            "I am reading as a",
            list(READER_LABELS),
            format_func=READER_LABELS.__getitem__,
            horizontal=True,
            key="reader",
        )

    chosen = st.session_state.get(STATE_CHOSEN)
    base = (view, tuple(visible_codes), focus)
    if st.session_state.get(STATE_BASE) != base:
        # The figure is rebuilt anyway, so let it show the current choice.
        st.session_state[STATE_BASE] = base
        st.session_state[STATE_HIGHLIGHT] = chosen
    filtered = None if len(visible_codes) == len(catalog.points) else frozenset(visible_codes)
    request = MapRequest(
        view=view, visible=filtered, focus=focus, highlight=st.session_state.get(STATE_HIGHLIGHT)
    )

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
        for note in catalog.notes:
            with st.expander(note.title):
                st.markdown(note.text)
    with panel_column, st.container(key="detail"):
        render_detail_panel(catalog, chosen, reader, view)


def _render_filters(catalog: Catalog) -> list[str]:
    """Region and channel filters; returns the codes they leave visible."""
    with st.expander("Filter by region or channel"):
        regions: list[Region] = st.multiselect(
            "Regions",
            list(REGION_LABELS),
            format_func=REGION_LABELS.__getitem__,
            key="regions",
            placeholder="All regions",
        )
        meridians: list[str] = st.multiselect(
            "Channels", catalog.meridians, key="meridians", placeholder="All channels"
        )
    return [
        code
        for code, point in catalog.points.items()
        if (not regions or point.region in regions)
        and (not meridians or point.meridian in meridians)
    ]


def _render_finder(catalog: Catalog, visible_codes: list[str]) -> None:
    columns = st.columns([2, 3], vertical_alignment="bottom")
    query: str = columns[0].text_input(
        "Search points",
        key="point_query",
        max_chars=80,
        placeholder="e.g. BL40, weizhong, 委中, back of the knee",
    )
    options = search(catalog, query) if query.strip() else list(catalog.points)
    options = [code for code in options if code in visible_codes] or options
    chosen = st.session_state.get(STATE_CHOSEN)
    st.session_state[PICK_KEY] = chosen if chosen in options else None
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
