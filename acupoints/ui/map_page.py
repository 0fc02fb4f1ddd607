"""The body map and its detail panel, rerun together as one fragment on every click."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES, MapRequest, build_map_figure
from acupoints.models import REGION_LABELS, VIEW_LABELS, Reader, Region, View
from acupoints.nearby import closer_zoom, nearby_points, zoom_showing
from acupoints.panel import (
    READER_LABELS,
    build_sections,
    header_markdown,
    option_label,
    resolve_point_link,
)
from acupoints.search import search
from acupoints.ui.charts import chart_height

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
STATE_TAPPED_AT = "map_tapped_at"
STATE_NOTICE = "link_notice"
STATE_BASE = "map_base_request"
STATE_WHOLE_RUN = "map_needs_whole_run"
PICK_KEY = "point_pick"
FINDER_KEY = "finder"
NEARBY_KEY = "nearby_pick"
VIEW_KEY = "view"
FOCUS_KEY = "focus"
READER_KEY = "reader"
REGIONS_KEY = "regions"
MERIDIANS_KEY = "meridians"
COLUMN_WIDTHS = [5, 6]
SHORT_VIEW_LABELS: dict[View, str] = {"posterior": "Back", "anterior": "Front"}


@dataclass(frozen=True)
class Tap:
    """One marker in a chart selection: its point and where it is drawn."""

    code: str
    x: float
    y: float


def selected_taps(chart_state: Any) -> tuple[Tap, ...]:
    """The markers in a chart selection (empty when nothing is selected)."""
    if not chart_state:
        return ()
    try:
        points = chart_state["selection"]["points"]
    except (KeyError, TypeError):
        return ()
    taps = []
    for item in points:
        if not isinstance(item, Mapping):
            continue
        code = item.get("customdata")
        if isinstance(code, list):
            code = code[0] if code else None
        x, y = item.get("x"), item.get("y")
        if not (isinstance(x, int | float) and isinstance(y, int | float)):
            x = y = 0.0  # a selection written by hand (tests) may leave the position out
        if isinstance(code, str):
            taps.append(Tap(code, float(x), float(y)))
    return tuple(taps)


def selected_codes(chart_state: Any) -> tuple[str, ...]:
    """Codes of the markers in a chart selection (empty when nothing is selected)."""
    return tuple(tap.code for tap in selected_taps(chart_state))


def _show_on_map(catalog: Catalog, code: str, in_fragment: bool = False) -> None:
    """Bring a point chosen away from the map into sight: its side of the body, and a
    zoom that includes it. Only called before the view and zoom widgets are drawn."""
    state = st.session_state
    point = catalog.points[code]
    focus = zoom_showing(catalog, code, state.get(FOCUS_KEY, next(iter(FOCUS_RANGES))))
    if in_fragment and (state.get(VIEW_KEY), state.get(FOCUS_KEY)) != (point.view, focus):
        # The view and zoom sit outside the map's fragment: a change made from inside it
        # shows only after a run of the whole page.
        state[STATE_WHOLE_RUN] = True
    state[VIEW_KEY] = point.view
    state[FOCUS_KEY] = focus
    state[STATE_TAPPED_AT] = None


def _choose(catalog: Catalog, code: str, from_map: bool, in_fragment: bool = False) -> None:
    st.session_state[STATE_CHOSEN] = code
    st.session_state[STATE_NOTICE] = None
    if not from_map:
        st.session_state[STATE_HIGHLIGHT] = code
        _show_on_map(catalog, code, in_fragment)
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
    st.session_state[STATE_TAPPED_AT] = None
    if link.code is None:
        if "point" in st.query_params:
            del st.query_params["point"]
        return
    _show_on_map(catalog, link.code)
    if st.query_params.get("point") != link.code:
        st.query_params["point"] = link.code  # "bl23" becomes the canonical "BL23"


@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_figure(_catalog: Catalog, catalog_id: int, request: MapRequest) -> Any:
    return build_map_figure(_catalog, request)


def _on_pick(catalog: Catalog, key: str, in_fragment: bool = False) -> None:
    code = st.session_state.get(key)
    if code:
        _choose(catalog, code, from_map=False, in_fragment=in_fragment)
    # The box is a way to jump to a point, not a display of the choice: a map click
    # changes the choice without touching it, so a value kept here would go stale.
    st.session_state[key] = None


def _on_zoom_in(focus: str) -> None:
    st.session_state[FOCUS_KEY] = focus
    st.session_state[STATE_TAPPED_AT] = None
    st.session_state[STATE_WHOLE_RUN] = True


def render_map_page(catalog: Catalog) -> None:
    _init_state(catalog)
    set_value = st.query_params.get("set")
    if set_value is not None:
        # Imported here: the consultation page itself builds on this module.
        from acupoints.ui.consult_page import render_set_offer

        render_set_offer(catalog, set_value)
    # The controls sit outside the fragment, so a click on the map neither reruns nor
    # resends them (that doubled a click's time, make bench); they are written before it,
    # in reading order, so nothing arrives later above what is drawn and pushes it down.
    map_column, panel_column = st.columns(COLUMN_WIDTHS, gap="medium")
    with map_column:
        view, focus = _render_map_controls()
    visible = tuple(
        visible_codes(
            catalog, st.session_state.get(REGIONS_KEY, []), st.session_state.get(MERIDIANS_KEY, [])
        )
    )
    with panel_column:
        _render_finder_and_filters(catalog, visible)
    _atlas_fragment(catalog, MapControls(view, focus, visible))
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


@dataclass(frozen=True)
class MapControls:
    """What the controls above the map chose; the fragment reads it on every click."""

    view: View
    focus: str
    visible: tuple[str, ...]


@st.fragment
def _atlas_fragment(catalog: Catalog, controls: MapControls) -> None:
    """The map, the points near a tap, and the panel: a click reruns these alone."""
    state = st.session_state
    if state.pop(STATE_WHOLE_RUN, False):
        st.rerun()  # a choice made here moved the view or zoom, drawn outside
    # A click arrives as the chart's state; read it before building a figure, because a
    # new figure starts with an empty selection.
    taps = selected_taps(state.get(CHART_KEY))
    codes = tuple(tap.code for tap in taps)
    clicked_now = codes != state.get(STATE_LAST_CLICK, ())
    if clicked_now:
        state[STATE_LAST_CLICK] = codes
        if taps and taps[0].code in catalog.points:
            _choose(catalog, taps[0].code, from_map=True)
            state[STATE_TAPPED_AT] = taps[0]

    map_column, panel_column = st.columns(COLUMN_WIDTHS, gap="medium")
    view, focus, visible = controls.view, controls.focus, controls.visible

    def draw_map_column() -> None:
        with map_column:
            chosen = state.get(STATE_CHOSEN)
            base = (view, visible, focus)
            if state.get(STATE_BASE) != base:
                # The figure is rebuilt anyway, so let it show the current choice.
                state[STATE_BASE] = base
                state[STATE_HIGHLIGHT] = chosen
            everything = len(visible) == len(catalog.points)
            request = MapRequest(
                view=view,
                visible=None if everything else frozenset(visible),
                focus=focus,
                highlight=state.get(STATE_HIGHLIGHT),
            )
            figure = _cached_figure(catalog, id(catalog), request)
            with st.container(key="map"):
                st.plotly_chart(
                    figure,
                    key=CHART_KEY,
                    on_select="rerun",
                    selection_mode="points",
                    config=CHART_CONFIG,
                    width="stretch",
                    height=chart_height(figure),
                )
            _render_below_map(catalog, chosen, request)

    def draw_panel_column() -> None:
        with panel_column:
            notice = state.get(STATE_NOTICE)
            if notice:
                st.warning(notice, icon=":material/help:")
            # The reader changes only the panel, so it reruns the map and panel alone.
            reader: Reader = st.radio(
                "I am reading as a",
                list(READER_LABELS),
                format_func=READER_LABELS.__getitem__,
                horizontal=True,
                key=READER_KEY,
            )
            with st.container(key="detail"):
                render_detail_panel(catalog, state.get(STATE_CHOSEN), reader, view)

    # Elements reach the browser in the order they are written, whatever their place on
    # the page. On arrival, write in reading order (on a phone the columns stack, and a
    # map arriving after the panel would push the panel down); after a click write the
    # point's details first, as the unchanged chart is already on the screen.
    order = [draw_map_column, draw_panel_column]
    for draw in reversed(order) if clicked_now else order:
        draw()


def _render_map_controls() -> tuple[View, str]:
    """The view and zoom, side by side above the map (they fit beside each other on a
    phone too)."""
    with st.container(horizontal=True, key="map-controls", vertical_alignment="bottom"):
        view: View = st.radio(
            "View",
            list(VIEW_LABELS),
            format_func=SHORT_VIEW_LABELS.__getitem__,
            horizontal=True,
            key=VIEW_KEY,
            width="content",
        )
        focus: str = st.selectbox("Zoom to", list(FOCUS_RANGES), key=FOCUS_KEY, width=170)
    return view, focus


def _render_below_map(catalog: Catalog, chosen: str | None, request: MapRequest) -> None:
    """What the finger chose, and the points it could have meant: where markers crowd,
    a fingertip covers several, so they are offered by name (and a closer zoom)."""
    state = st.session_state
    tapped: Tap | None = state.get(STATE_TAPPED_AT)
    if chosen is None or tapped is None or tapped.code != chosen:
        st.caption(
            "Tap or click a marker to read about it below. Some points are on the front of "
            "the body: switch the view to see them."
        )
        return
    neighbours = nearby_points(
        catalog, request.view, request.focus, tapped.x, tapped.y, request.visible
    )
    if not neighbours:
        return
    with st.container(key="nearby"):
        st.pills(
            f"Points close to {chosen}: did you mean one of these?",
            [item.code for item in neighbours],
            format_func=lambda code: f"{code} · {catalog.points[code].english}",
            key=NEARBY_KEY,
            on_change=_on_pick,
            args=(catalog, NEARBY_KEY, True),
        )
        zoom = closer_zoom(tapped.x, tapped.y)
        if zoom is not None and zoom != request.focus:
            st.button(
                f"Zoom in to the {zoom}",
                icon=":material/zoom_in:",
                key="zoom_in_here",
                on_click=_on_zoom_in,
                args=(zoom,),
            )


def _render_finder_and_filters(catalog: Catalog, visible: tuple[str, ...]) -> None:
    """The search box, the point list (limited to the points the filters show) and the
    filters, folded into one line: on a phone they would otherwise push the map below the
    first screen."""
    with (
        st.container(key=FINDER_KEY),
        st.expander("Find a point by name, code or place, or filter the map"),
    ):
        _render_finder_fields(catalog, visible)


def _render_finder_fields(catalog: Catalog, visible: tuple[str, ...]) -> None:
    columns = st.columns([2, 3], vertical_alignment="bottom")
    query: str = columns[0].text_input(
        "Search points",
        key="point_query",
        max_chars=80,
        placeholder="e.g. BL40, weizhong, 委中, back of the knee",
    )
    matches = search(catalog, query) if query.strip() else []
    options = matches or list(catalog.points)
    shown = set(visible)
    options = [code for code in options if code in shown] or options
    columns[1].selectbox(
        "Choose a point",
        options,
        index=None,
        key=PICK_KEY,
        on_change=_on_pick,
        args=(catalog, PICK_KEY),
        format_func=lambda code: option_label(catalog.points[code]),
        placeholder=f"{len(options)} point(s) match" if query.strip() else "Choose a point",
    )
    if query.strip() and not matches:
        st.caption("No point matches that search; showing all points.")
    with st.container(key="map-filters"):
        st.multiselect(
            "Regions",
            list(REGION_LABELS),
            format_func=REGION_LABELS.__getitem__,
            key=REGIONS_KEY,
            placeholder="All regions",
        )
        st.multiselect("Channels", catalog.meridians, key=MERIDIANS_KEY, placeholder="All channels")


def render_detail_panel(catalog: Catalog, code: str | None, reader: Reader, view: View) -> None:
    if code is None:
        st.markdown("### Choose a point")
        st.markdown(
            "Tap or click a marker on the body map, or search for a point above. Each point "
            "shows where it is, how to find it, what traditional Chinese medicine says about "
            "it, what the research does and does not show, and its safety cautions."
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
