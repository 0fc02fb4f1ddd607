"""The Consultation page: treatment sets and their handout, "where does it hurt", and
step-by-step walkthroughs, all on the body map's own figure.

State that must survive switching between the page's modes lives under plain session
keys (``consult_set`` ...), not under widget keys: Streamlit forgets a widget's value on
any run in which the widget is not drawn. Widgets are filled from those keys before they
are drawn and write back through ``on_change`` callbacks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import streamlit as st

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES
from acupoints.handout import (
    MAX_DETAIL_CHARS,
    PAPER_LABELS,
    HandoutDetails,
    Paper,
    build_handout_details,
    build_handout_html,
    handout_file_name,
)
from acupoints.models import VIEW_LABELS, View
from acupoints.overlays import (
    CHANNEL_STYLES,
    ConsultMapRequest,
    build_consult_figure,
    overlay_layers,
    region_of,
)
from acupoints.pages_content import ExpectContent, source_links
from acupoints.panel import option_label
from acupoints.regions import RegionMap, Suggestion, load_region_map, suggest_points
from acupoints.safety import build_safety_summary
from acupoints.search import search
from acupoints.sets import (
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_SET_POINTS,
    SET_PARAM,
    SetLibrary,
    TreatmentSet,
    build_treatment_set,
    format_set_param,
    load_set_library,
    parse_set_param,
)
from acupoints.ui import load_or_stop
from acupoints.ui.charts import chart_height
from acupoints.ui.content import get_expect_content
from acupoints.ui.map_page import selected_codes
from acupoints.walkthrough import Walkthrough, build_walkthrough, build_walkthrough_figure

# Lasting state (plain keys).
STATE_SET = "consult_set"
STATE_NAME = "consult_set_name"
STATE_NOTES = "consult_set_notes"
STATE_NOTICE = "consult_set_notice"
STATE_FOCUS = "consult_focus_point"
STATE_REGIONS = "consult_regions"
STATE_WALK_POINT = "consult_walk_point"
STATE_WALK_STEP = "consult_walk_step"
STATE_VIEW = "consult_view_choice"
STATE_ZOOM = "consult_zoom_choice"
# Widgets.
MODE_KEY = "consult_mode"
SET_WIDGET = "consult_set_widget"
NAME_WIDGET = "consult_name_widget"
NOTE_WIDGET_PREFIX = "consult_note_"
SEARCH_KEY = "consult_search"
SEARCH_PICK_KEY = "consult_search_pick"
WELL_KNOWN_KEY = "consult_well_known"
REGIONS_WIDGET = "consult_regions_widget"
WALK_WIDGET = "consult_walk_widget"
VIEW_KEY = "consult_view"
ZOOM_KEY = "consult_zoom"
CHANNELS_KEY = "consult_channels"
GRID_KEY = "consult_grid"
PAPER_KEY = "consult_paper"
# The handout's optional header lines, in the order HandoutDetails takes them.
HANDOUT_DETAIL_FIELDS: dict[str, str] = {
    "consult_detail_practitioner": "Practitioner",
    "consult_detail_clinic": "Clinic",
    "consult_detail_contact": "Contact (phone or email)",
    "consult_detail_next_visit": "Next visit",
}
SET_CHART_KEY = "consult_set_map"
REGION_CHART_KEY = "consult_region_map"
WALK_CHART_KEY = "consult_walk_map"

MODES: dict[str, str] = {
    "set": "Treatment set",
    "regions": "Where does it hurt?",
    "walk": "How to find a point",
}
DEFAULT_WALK_POINT = "BL23"
GRID_HELP = (
    "Lines over the back at the posterior midline and 0.5, 1.5 and 3 B-cun beside it, "
    "with a line at each vertebral level. 1.5 B-cun is about two finger-widths, 3 B-cun "
    "about four."
)
CHART_CONFIG = {
    "doubleClickDelay": 50,
    "displayModeBar": False,
    "scrollZoom": False,
    "responsive": True,
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def literal_markdown(text: str) -> str:
    """Typed text shown literally in Markdown: no links, emphasis or headings from it."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# ---------------------------------------------------------------- cached loading


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_library(_catalog: Catalog, folder: str, key: str) -> SetLibrary:
    return load_set_library(_catalog, Path(folder))


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_regions(_catalog: Catalog, folder: str, key: str) -> RegionMap:
    return load_region_map(_catalog, Path(folder))


def _load_or_stop(loader: Any, catalog: Catalog) -> Any:
    return load_or_stop(lambda folder, key: loader(catalog, str(folder), key))


@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_consult_figure(
    _catalog: Catalog, _region_map: RegionMap, catalog_id: int, request: ConsultMapRequest
) -> Any:
    return build_consult_figure(_catalog, _region_map, request)


@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_walk_figure(
    _catalog: Catalog,
    _walkthrough: Walkthrough,
    catalog_id: int,
    code: str,
    step: int,
    channels: tuple[str, ...],
    grid: bool,
) -> Any:
    shapes, annotations = overlay_layers(_catalog, _walkthrough.view, channels, grid)
    return build_walkthrough_figure(_catalog, _walkthrough, step, shapes, annotations)


def _handout_when_asked(
    catalog: Catalog,
    library: SetLibrary,
    expect: ExpectContent,
    treatment_set: TreatmentSet,
    paper: Paper,
    details: HandoutDetails | None = None,
) -> Callable[[], str]:
    """The handout as Streamlit's download button takes it deferred: built only when the
    button is pressed, so a page view (and every rerun) that downloads nothing builds none."""
    return functools.partial(
        build_handout_html, catalog, treatment_set, library.handout, expect, paper, details
    )


# ---------------------------------------------------------------- the set in state and URL


def current_codes() -> list[str]:
    return list(st.session_state.get(STATE_SET, []))


def current_set() -> TreatmentSet:
    return build_treatment_set(
        current_codes(),
        st.session_state.get(STATE_NAME),
        st.session_state.get(STATE_NOTES, {}),
    )


def _store_codes(codes: list[str]) -> None:
    st.session_state[STATE_SET] = list(dict.fromkeys(codes))[:MAX_SET_POINTS]


def _init_state(catalog: Catalog) -> None:
    if STATE_SET in st.session_state:
        return
    link = parse_set_param(catalog.points, st.query_params.get(SET_PARAM))
    _store_codes(list(link.codes))
    st.session_state[STATE_NOTICE] = link.notice
    st.session_state.setdefault(STATE_NAME, "")
    st.session_state.setdefault(STATE_NOTES, {})
    st.session_state.setdefault(STATE_REGIONS, [])
    st.session_state.setdefault(STATE_WALK_STEP, 0)


def _sync_url() -> None:
    """The URL always shows the current set, in canonical form, or no ``set`` at all."""
    codes = current_codes()
    if codes:
        value = format_set_param(codes)
        if st.query_params.get(SET_PARAM) != value:
            st.query_params[SET_PARAM] = value
    elif SET_PARAM in st.query_params:
        del st.query_params[SET_PARAM]


# ---------------------------------------------------------------- callbacks


def _on_set_widget() -> None:
    _store_codes(list(st.session_state.get(SET_WIDGET, [])))
    st.session_state[STATE_NOTICE] = None


def _on_name_widget() -> None:
    st.session_state[STATE_NAME] = st.session_state.get(NAME_WIDGET, "")


def _on_note(code: str) -> None:
    notes = dict(st.session_state.get(STATE_NOTES, {}))
    notes[code] = st.session_state.get(NOTE_WIDGET_PREFIX + code, "")
    st.session_state[STATE_NOTES] = notes


def _add_to_set(code: str) -> None:
    _store_codes([*current_codes(), code])


def _remove_from_set(code: str) -> None:
    _store_codes([item for item in current_codes() if item != code])


def _add_search_pick() -> None:
    code = st.session_state.get(SEARCH_PICK_KEY)
    if code:
        _add_to_set(code)


def _use_well_known(library: SetLibrary) -> None:
    chosen = library.by_id.get(st.session_state.get(WELL_KNOWN_KEY) or "")
    if chosen is not None:
        _store_codes(list(chosen.codes))
        st.session_state[STATE_NAME] = chosen.name
        st.session_state[STATE_NOTICE] = None


def _on_set_map_click() -> None:
    for code in selected_codes(st.session_state.get(SET_CHART_KEY)):
        if region_of(code) is None:
            st.session_state[STATE_FOCUS] = code
            return


def _on_region_map_click() -> None:
    for code in selected_codes(st.session_state.get(REGION_CHART_KEY)):
        region_id = region_of(code)
        if region_id is None:
            continue
        chosen = list(st.session_state.get(STATE_REGIONS, []))
        if region_id in chosen:
            chosen.remove(region_id)
        else:
            chosen.append(region_id)
        st.session_state[STATE_REGIONS] = chosen
        return


def _on_regions_widget() -> None:
    st.session_state[STATE_REGIONS] = list(st.session_state.get(REGIONS_WIDGET, []))


def _walk(code: str) -> None:
    """Open the walkthrough for ``code`` at its first step."""
    st.session_state[STATE_WALK_POINT] = code
    st.session_state[STATE_WALK_STEP] = 0
    st.session_state[MODE_KEY] = "walk"


def _on_walk_widget() -> None:
    code = st.session_state.get(WALK_WIDGET)
    if code:
        st.session_state[STATE_WALK_POINT] = code
        st.session_state[STATE_WALK_STEP] = 0


def _move_step(delta: int, count: int) -> None:
    step = st.session_state.get(STATE_WALK_STEP, 0) + delta
    st.session_state[STATE_WALK_STEP] = max(0, min(step, count - 1))


# ---------------------------------------------------------------- the page


def render_consult_page(catalog: Catalog) -> None:
    library: SetLibrary = _load_or_stop(_cached_library, catalog)
    region_map: RegionMap = _load_or_stop(_cached_regions, catalog)
    expect = get_expect_content(catalog)
    _init_state(catalog)

    st.title("Consultation")
    st.caption(
        "For a practitioner and a patient looking at the map together: put together a "
        "treatment set and print it as a handout, mark where it hurts, or walk through "
        "how a point is found."
    )
    notice = st.session_state.get(STATE_NOTICE)
    if notice:
        st.warning(notice, icon=":material/link_off:")
    _render_set_bar(catalog, library, expect)

    mode: str = st.radio(
        "What would you like to do?",
        list(MODES),
        format_func=MODES.__getitem__,
        horizontal=True,
        key=MODE_KEY,
    )
    if mode == "regions":
        _render_red_flags(expect)
    map_column, panel_column = st.columns([5, 6], gap="medium")
    with map_column:
        layers = _render_map_controls(mode)
    if mode == "set":
        _render_set_mode(catalog, library, region_map, map_column, panel_column, layers)
    elif mode == "regions":
        _render_regions_mode(catalog, region_map, map_column, panel_column, layers)
    else:
        _render_walk_mode(catalog, region_map, map_column, panel_column, layers)
    _sync_url()


def _keep(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state.get(widget_key)


def _render_map_controls(mode: str) -> ConsultMapRequest:
    """View and zoom (only where the mode lets the reader choose), channel lines, grid:
    the layers every mode's map shares."""
    view: View = st.session_state.get(STATE_VIEW) or "posterior"
    zoom: str = st.session_state.get(STATE_ZOOM) or "whole body"
    # A walkthrough picks its own view and zoom; painful areas are drawn on the back.
    if mode != "walk":
        columns = st.columns(2, vertical_alignment="bottom")
        if mode == "set":
            st.session_state[VIEW_KEY] = view
            view = columns[0].radio(
                "View",
                list(VIEW_LABELS),
                format_func=VIEW_LABELS.__getitem__,
                horizontal=True,
                key=VIEW_KEY,
                on_change=_keep,
                args=(VIEW_KEY, STATE_VIEW),
            )
        else:
            view = "posterior"
            columns[0].caption("Painful areas are marked on the back of the body.")
        st.session_state[ZOOM_KEY] = zoom
        zoom = columns[1].selectbox(
            "Zoom to",
            list(FOCUS_RANGES),
            key=ZOOM_KEY,
            on_change=_keep,
            args=(ZOOM_KEY, STATE_ZOOM),
        )
    layer_columns = st.columns([3, 2], vertical_alignment="bottom")
    channels: list[str] = layer_columns[0].multiselect(
        "Channel lines",
        list(CHANNEL_STYLES),
        format_func=lambda prefix: CHANNEL_STYLES[prefix].label,
        key=CHANNELS_KEY,
        placeholder="None",
    )
    grid: bool = layer_columns[1].toggle("B-cun grid", key=GRID_KEY, help=GRID_HELP)
    return ConsultMapRequest(view=view, focus=zoom, channels=tuple(channels), grid=grid)


def _render_front_points_hint(catalog: Catalog, view: View) -> None:
    other = [code for code in current_codes() if catalog.points[code].view != view]
    if other:
        st.caption(
            f"{len(other)} point(s) of the set are on the "
            f"{VIEW_LABELS[catalog.points[other[0]].view].lower()}: switch the view to see "
            f"them ({', '.join(other)})."
        )
    else:
        st.caption("Click a marker to read about it and add it to the set.")


def _render_set_bar(catalog: Catalog, library: SetLibrary, expect: ExpectContent) -> None:
    """The current set and its handout, shown in every mode whenever a set is chosen."""
    treatment_set = current_set()
    if not treatment_set.codes:
        return
    with st.container(key="consult-set-bar", border=True):
        columns = st.columns([5, 2, 2], vertical_alignment="center")
        listed = ", ".join(
            f"{number} {code}" for number, code in enumerate(treatment_set.codes, start=1)
        )
        columns[0].markdown(
            f"**{literal_markdown(treatment_set.name)}** · {len(treatment_set.codes)} point(s): "
            f"{listed}"
        )
        paper: Paper = columns[1].radio(
            "Paper",
            list(PAPER_LABELS),
            format_func=PAPER_LABELS.__getitem__,
            key=PAPER_KEY,
            horizontal=True,
        )
        columns[2].download_button(
            "Patient handout",
            data=_handout_when_asked(
                catalog, library, expect, treatment_set, paper, _handout_details()
            ),
            file_name=handout_file_name(treatment_set),
            mime="text/html",
            icon=":material/print:",
            key="consult_handout",
            help="A printable page (open it in a browser and print): the diagram, each "
            "point, its cautions, what research shows, aftercare and when to see a doctor.",
        )
        render_safety_summary(catalog, treatment_set.codes, "consult-safety")
        _render_handout_details()


def render_safety_summary(catalog: Catalog, codes: Sequence[str], key: str) -> None:
    """The set's cautions by kind, each naming its points; the points' own words fold."""
    summary = build_safety_summary([catalog.points[code] for code in codes])
    with st.container(key=key):
        lines = [
            f"- **{literal_markdown(group.heading)}:** {literal_markdown(group.named_points)}. "
            f"{literal_markdown(group.lead)}"
            for group in summary.groups
        ]
        st.warning(
            "\n".join(
                ["**Cautions for this set**", "", *lines, "", literal_markdown(summary.closing)]
            ),
            icon=":material/health_and_safety:",
        )
        if summary.groups:
            with st.expander("What each point's cautions say"):
                for group in summary.groups:
                    notes = "\n".join(
                        f"- {', '.join(note.codes)}: {literal_markdown(note.text)}"
                        for note in group.notes
                    )
                    st.markdown(f"**{literal_markdown(group.heading)}**\n\n{notes}")


def _handout_details() -> HandoutDetails:
    return build_handout_details(*(st.session_state.get(key) for key in HANDOUT_DETAIL_FIELDS))


def _render_handout_details() -> None:
    """Optional lines for the handout's header. Kept in this browser tab only, never in the
    link, since they can identify the patient's clinic and appointments."""
    with st.expander("Practitioner and next visit, for the handout (optional)"):
        columns = st.columns(2)
        for index, (key, label) in enumerate(HANDOUT_DETAIL_FIELDS.items()):
            columns[index % 2].text_input(label, key=key, max_chars=MAX_DETAIL_CHARS)


# ---------------------------------------------------------------- treatment set mode


def _render_set_mode(
    catalog: Catalog,
    library: SetLibrary,
    region_map: RegionMap,
    map_column: Any,
    panel_column: Any,
    layers: ConsultMapRequest,
) -> None:
    with panel_column, st.container(key="consult-set"):
        _render_clicked_point(catalog)
        st.subheader("Treatment set")
        st.session_state[NAME_WIDGET] = st.session_state.get(STATE_NAME, "")
        st.text_input(
            "Name of the set",
            key=NAME_WIDGET,
            max_chars=MAX_NAME_CHARS,
            placeholder="Treatment set",
            on_change=_on_name_widget,
        )
        st.session_state[SET_WIDGET] = current_codes()
        st.multiselect(
            "Points in the set, in order",
            list(catalog.points),
            key=SET_WIDGET,
            format_func=lambda code: option_label(catalog.points[code]),
            max_selections=MAX_SET_POINTS,
            on_change=_on_set_widget,
            placeholder="Click markers on the map, or search below",
        )
        _render_search(catalog)
        _render_well_known(catalog, library)
        _render_notes(catalog)
    request = replace(layers, set_codes=tuple(current_codes()))
    with map_column, st.container(key="consult-map"):
        set_figure = _cached_consult_figure(catalog, region_map, id(catalog), request)
        st.plotly_chart(
            set_figure,
            key=SET_CHART_KEY,
            on_select=_on_set_map_click,
            selection_mode="points",
            config=CHART_CONFIG,
            width="stretch",
            height=chart_height(set_figure),
        )
        _render_front_points_hint(catalog, layers.view)


def _render_clicked_point(catalog: Catalog) -> None:
    code = st.session_state.get(STATE_FOCUS)
    if code not in catalog.points:
        return
    point = catalog.points[code]
    with st.container(key="consult-clicked", border=True):
        st.markdown(f"**{point.code} · {point.english}** ({point.pinyin})")
        st.caption(point.summary)
        columns = st.columns(2)
        if code in current_codes():
            columns[0].button(
                f"Remove {code} from the set",
                key="consult_remove_clicked",
                on_click=_remove_from_set,
                args=(code,),
                icon=":material/remove:",
            )
        else:
            columns[0].button(
                f"Add {code} to the set",
                key="consult_add_clicked",
                on_click=_add_to_set,
                args=(code,),
                icon=":material/add:",
                disabled=len(current_codes()) >= MAX_SET_POINTS,
            )
        columns[1].button(
            "How to find it",
            key="consult_walk_clicked",
            on_click=_walk,
            args=(code,),
            icon=":material/footprint:",
        )


def _render_search(catalog: Catalog) -> None:
    columns = st.columns([2, 3, 1], vertical_alignment="bottom")
    query: str = columns[0].text_input(
        "Search points",
        key=SEARCH_KEY,
        max_chars=80,
        placeholder="e.g. BL40, back of the knee",
    )
    options = search(catalog, query) if query.strip() else list(catalog.points)
    columns[1].selectbox(
        "Point to add",
        options,
        index=None,
        key=SEARCH_PICK_KEY,
        format_func=lambda code: option_label(catalog.points[code]),
        placeholder=f"{len(options)} point(s) match" if query.strip() else "Choose a point",
    )
    columns[2].button(
        "Add",
        key="consult_add_search",
        on_click=_add_search_pick,
        icon=":material/add:",
        disabled=len(current_codes()) >= MAX_SET_POINTS,
    )
    if query.strip() and not options:
        st.caption("No point matches that search.")


def _render_well_known(catalog: Catalog, library: SetLibrary) -> None:
    with st.container(border=True):
        st.markdown("**Well-known sets**")
        columns = st.columns([4, 1], vertical_alignment="bottom")
        chosen_id = columns[0].selectbox(
            "Start from a set from the research",
            list(library.by_id),
            index=None,
            key=WELL_KNOWN_KEY,
            format_func=lambda set_id: library.by_id[set_id].label,
            placeholder="Choose a set",
        )
        columns[1].button(
            "Use it",
            key="consult_use_well_known",
            on_click=_use_well_known,
            args=(library,),
            disabled=chosen_id is None,
        )
        if chosen_id is not None:
            chosen = library.by_id[chosen_id]
            st.caption(f"{', '.join(chosen.codes)}. {chosen.about}")
            st.caption(source_links(catalog.studies, [chosen.study.id]))


def _render_notes(catalog: Catalog) -> None:
    codes = current_codes()
    if not codes:
        return
    with st.expander("Notes for the handout (optional)"):
        st.caption(
            "A short note per point, printed on the handout. Notes stay in this browser "
            "tab only: they are not put in the link."
        )
        notes = st.session_state.get(STATE_NOTES, {})
        for code in codes:
            key = NOTE_WIDGET_PREFIX + code
            st.session_state[key] = notes.get(code, "")
            st.text_input(
                f"{code} · {catalog.points[code].english}",
                key=key,
                max_chars=MAX_NOTE_CHARS,
                on_change=_on_note,
                args=(code,),
            )


# ---------------------------------------------------------------- where does it hurt


def _render_red_flags(expect: ExpectContent) -> None:
    flags = expect.red_flags
    signs = "\n".join(f"- {sign.label}" for sign in flags.signs)
    with st.container(key="consult-red-flags"):
        st.error(
            f"**Check first: see a doctor now if any of these is true.**\n\n{signs}\n\n"
            f"{flags.alert}",
            icon=":material/emergency:",
        )


def _render_regions_mode(
    catalog: Catalog,
    region_map: RegionMap,
    map_column: Any,
    panel_column: Any,
    layers: ConsultMapRequest,
) -> None:
    labels = region_map.labels()
    with panel_column:
        st.markdown(
            "**Mark where it hurts,** here or by clicking the round handles on the map. "
            "The atlas then shows the points in or near those areas and the distant points "
            "often used with them. This is to help you understand and talk with a "
            "practitioner: it is not a diagnosis and not a prescription."
        )
        st.session_state[REGIONS_WIDGET] = [
            region_id
            for region_id in st.session_state.get(STATE_REGIONS, [])
            if region_id in labels
        ]
        st.multiselect(
            "Where does it hurt?",
            list(labels),
            key=REGIONS_WIDGET,
            format_func=labels.__getitem__,
            on_change=_on_regions_widget,
            placeholder="Choose one or more areas",
        )
    chosen = tuple(st.session_state.get(REGIONS_WIDGET, []))
    suggestions = suggest_points(catalog, region_map, chosen)
    request = replace(
        layers,
        view="posterior",
        regions=chosen,
        highlight=tuple(s.code for s in suggestions),
    )
    with map_column, st.container(key="consult-map"):
        region_figure = _cached_consult_figure(catalog, region_map, id(catalog), request)
        st.plotly_chart(
            region_figure,
            key=REGION_CHART_KEY,
            on_select=_on_region_map_click,
            selection_mode="points",
            config=CHART_CONFIG,
            width="stretch",
            height=chart_height(region_figure),
        )
        st.caption(
            "Click a round handle to mark or unmark that area. Points suggested for the "
            "marked areas are drawn at full strength, the others faded."
        )
    with panel_column, st.container(key="consult-suggestions"):
        _render_suggestions(catalog, region_map, suggestions)


def _render_suggestions(
    catalog: Catalog, region_map: RegionMap, suggestions: list[Suggestion]
) -> None:
    if not suggestions:
        st.caption("No area marked yet.")
        return
    local = [s for s in suggestions if s.kind == "local"]
    distal = [s for s in suggestions if s.kind == "distal"]
    st.subheader("Points in or near these areas")
    for suggestion in local:
        where = "in" if suggestion.inside else "beside"
        _render_suggestion(catalog, region_map, suggestion, where)
    if distal:
        st.subheader("Distant points often used for these areas")
        st.caption(
            "Traditional practice adds points away from the pain, for example on the leg or "
            "hand. This is tradition; the notes below say what research shows."
        )
        for suggestion in distal:
            _render_suggestion(catalog, region_map, suggestion, "used for")


def _render_suggestion(
    catalog: Catalog, region_map: RegionMap, suggestion: Suggestion, relation: str
) -> None:
    """One suggested point: what it is and where, with its evidence caveat one click away
    (a list of twenty full caveats is too long to scan), and actions for the consultation."""
    point = catalog.points[suggestion.code]
    tier = catalog.tiers[point.evidence.tier]
    areas = " and ".join(region_map.regions[r].short.lower() for r in suggestion.regions)
    front = " · on the front of the body" if point.view != "posterior" else ""
    title = f"{point.code} · {point.english} · {relation} the {areas}{front} · {tier.label}"
    with st.expander(title):
        st.markdown(point.summary)
        st.markdown(f"**{tier.label}.** {point.evidence.caveat}")
        st.caption(source_links(catalog.studies, point.evidence.citations))
        columns = st.columns(2)
        in_set = point.code in current_codes()
        columns[0].button(
            "In the set" if in_set else "Add to the set",
            key=f"consult_suggest_add_{point.code}",
            on_click=_add_to_set,
            args=(point.code,),
            disabled=in_set or len(current_codes()) >= MAX_SET_POINTS,
            icon=":material/add:",
        )
        columns[1].button(
            "How to find it",
            key=f"consult_suggest_walk_{point.code}",
            on_click=_walk,
            args=(point.code,),
            icon=":material/footprint:",
        )


# ---------------------------------------------------------------- walkthrough


def _render_walk_mode(
    catalog: Catalog,
    region_map: RegionMap,
    map_column: Any,
    panel_column: Any,
    layers: ConsultMapRequest,
) -> None:
    code = st.session_state.get(STATE_WALK_POINT)
    if code not in catalog.points:
        focus = st.session_state.get(STATE_FOCUS)
        code = focus if focus in catalog.points else (current_codes() or [DEFAULT_WALK_POINT])[0]
        st.session_state[STATE_WALK_POINT] = code
    walkthrough = build_walkthrough(catalog, region_map.anchors, code)
    count = len(walkthrough.steps)
    step_index = max(0, min(st.session_state.get(STATE_WALK_STEP, 0), count - 1))
    step = walkthrough.steps[step_index]
    with panel_column, st.container(key="consult-walk"):
        st.session_state[WALK_WIDGET] = code
        st.selectbox(
            "Point",
            list(catalog.points),
            key=WALK_WIDGET,
            format_func=lambda item: option_label(catalog.points[item]),
            on_change=_on_walk_widget,
        )
        buttons = st.columns(3)
        buttons[0].button(
            "Previous",
            key="consult_walk_previous",
            on_click=_move_step,
            args=(-1, count),
            disabled=step_index == 0,
            icon=":material/arrow_back:",
        )
        buttons[1].button(
            "Next",
            key="consult_walk_next",
            on_click=_move_step,
            args=(1, count),
            disabled=step_index == count - 1,
            icon=":material/arrow_forward:",
        )
        buttons[2].button(
            "Start again",
            key="consult_walk_restart",
            on_click=_move_step,
            args=(-count, count),
            disabled=step_index == 0,
            icon=":material/restart_alt:",
        )
        st.markdown(f"#### Step {step_index + 1} of {count}: {step.title}")
        st.markdown(step.text)
        st.markdown(
            "\n".join(
                f"{number}. " + (f"**{item.title}**" if number - 1 == step_index else item.title)
                for number, item in enumerate(walkthrough.steps, start=1)
            )
        )
        st.caption(
            "Every step is drawn from the same body model that places the markers on the "
            "map. B-cun are proportional: measure with the patient's own fingers."
        )
    with map_column, st.container(key="consult-map"):
        walk_figure = _cached_walk_figure(
            catalog, walkthrough, id(catalog), code, step_index, layers.channels, layers.grid
        )
        st.plotly_chart(
            walk_figure,
            key=WALK_CHART_KEY,
            config=CHART_CONFIG,
            width="stretch",
            height=chart_height(walk_figure),
        )


def render_set_offer(catalog: Catalog, set_value: str) -> None:
    """On the map page: a shared ``?set=`` link offers its handout and a way to open the
    set on this page, so a patient who is sent a link can print it at once."""
    link = parse_set_param(catalog.points, set_value)
    if link.notice:
        st.warning(link.notice, icon=":material/help:")
    if not link.codes:
        return
    library: SetLibrary = _load_or_stop(_cached_library, catalog)
    expect = get_expect_content(catalog)
    treatment_set = build_treatment_set(link.codes)
    listed = ", ".join(f"{number} {code}" for number, code in enumerate(link.codes, start=1))
    with st.container(key="map-set-offer", border=True):
        columns = st.columns([5, 3, 2], vertical_alignment="center")
        columns[0].markdown(f"**Treatment set in this link** · {listed}")
        columns[1].page_link(
            "pages/4_Consultation.py",
            label="Open it in Consultation",
            icon=":material/medical_services:",
            query_params={"set": format_set_param(link.codes)},
        )
        columns[2].download_button(
            "Patient handout",
            data=_handout_when_asked(catalog, library, expect, treatment_set, "A4"),
            file_name=handout_file_name(treatment_set),
            mime="text/html",
            icon=":material/print:",
            key="map_handout",
        )
        render_safety_summary(catalog, link.codes, "map-set-safety")
