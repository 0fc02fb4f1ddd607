"""Study mode: find points on the blank map, flashcards, and progress to save and load.

Each tab is a fragment, so a click on the map or a flashcard button reruns only its own
tab. All state lives in this browser session; the student can download it as JSON.
"""

from __future__ import annotations

import functools
import secrets
from typing import Any

import streamlit as st

from acupoints.catalog import Catalog
from acupoints.models import REGION_LABELS, VIEW_LABELS, Region
from acupoints.study import (
    ASK_BY_LABELS,
    CARD_FACE_LABELS,
    FULL_MARKS_WITHIN_BCUN,
    MAX_SCORE,
    ROUND_SIZE,
    ZERO_MARKS_FROM_BCUN,
    AskBy,
    CardFace,
    Progress,
    QuizRound,
    build_deck,
    build_questions,
    card_face_markdown,
    feedback_markdown,
    focus_for_point,
    load_progress_upload,
    most_missed,
    progress_to_json,
    question_prompt,
    record_answer,
    record_round,
    score_click,
    selected_position,
    summarize_round,
    within_focus,
)
from acupoints.study_figures import build_feedback_figure, build_locate_figure
from acupoints.ui.charts import chart_height

STATE_ROUND = "study_round"
STATE_ROUND_COUNTER = "study_round_counter"
STATE_PROGRESS = "study_progress"
STATE_ROUND_NOTICE = "study_round_notice"
STATE_UPLOAD_MESSAGE = "study_upload_message"
STATE_DECK = "study_deck"
STATE_CARD_INDEX = "study_card_index"
STATE_CARD_REVEALED = "study_card_revealed"

REGIONS_KEY = "study_regions"
MERIDIANS_KEY = "study_meridians"
ASK_BY_KEY = "study_ask_by"
ROUND_SIZE_KEY = "study_round_size"
NEXT_KEY = "study_next"
NEW_ROUND_KEY = "study_new_round"
RETRY_MISSED_KEY = "study_retry_missed"
UPLOAD_KEY = "study_upload"
DOWNLOAD_KEY = "study_download"
CARD_REGIONS_KEY = "study_card_regions"
CARD_MERIDIANS_KEY = "study_card_meridians"
CARD_FRONT_KEY = "study_card_front"
CARD_BACK_KEY = "study_card_back"

MAP_CONTAINER_KEY = "study-map"
QUESTION_CONTAINER_KEY = "study-question"
SUMMARY_CONTAINER_KEY = "study-summary"
CARD_CONTAINER_KEY = "study-card"
LOCATE_CHART_PREFIX = "study_locate"
ROUND_SIZES = [5, 10, 20]
PROGRESS_FILE_NAME = "acupoint-study-progress.json"
CHART_CONFIG = {
    # Two clicks within Plotly's default 300 ms would count as a double-click and clear
    # the selection.
    "doubleClickDelay": 50,
    "displayModeBar": False,
    "scrollZoom": False,
    "responsive": True,
}


def locate_chart_key(quiz: QuizRound) -> str:
    """A chart key per question, so a click can never be read as the answer to another."""
    return f"{LOCATE_CHART_PREFIX}_{quiz.number}_{len(quiz.answers)}"


def render_study_page(catalog: Catalog) -> None:
    _init_state(catalog)
    st.title("Study mode")
    st.markdown(
        "Learn where the points are. **Find it on the map** names a point and you click "
        "where you think it is; **Flashcards** drill codes, names, how to find each point "
        "and its region. Everything is taken from the same data as the body map."
    )
    locate_tab, cards_tab = st.tabs(["Find it on the map", "Flashcards"])
    with locate_tab:
        _locate_fragment(catalog)
    with cards_tab:
        _flashcard_fragment(catalog)


def _init_state(catalog: Catalog) -> None:
    if STATE_PROGRESS not in st.session_state:
        st.session_state[STATE_PROGRESS] = Progress()
    quiz: QuizRound | None = st.session_state.get(STATE_ROUND)
    # A round from before the data changed may ask for points that no longer exist.
    if quiz is None or any(code not in catalog.points for code in quiz.codes):
        _start_round(catalog)
        if st.session_state.get(STATE_ROUND) is quiz:
            # The remembered filters match nothing: start with any ten points instead.
            _start_round(
                catalog, only=list(build_questions(catalog, seed=secrets.randbelow(2**31)))
            )


def _start_round(catalog: Catalog, only: list[str] | None = None) -> None:
    regions: list[Region] = st.session_state.get(REGIONS_KEY) or []
    meridians: list[str] = st.session_state.get(MERIDIANS_KEY) or []
    ask_by: AskBy = st.session_state.get(ASK_BY_KEY) or "code"
    size: int = st.session_state.get(ROUND_SIZE_KEY) or ROUND_SIZE
    seed = secrets.randbelow(2**31)
    if only is not None:
        # Practising missed points: all of them, whatever the filters say now.
        codes = build_questions(catalog, seed=seed, size=len(only), only=only)
    else:
        codes = build_questions(catalog, seed=seed, size=size, regions=regions, meridians=meridians)
    if not codes:
        st.session_state[STATE_ROUND_NOTICE] = (
            "No points match those filters. Choose other regions or channels."
        )
        return
    number = st.session_state.get(STATE_ROUND_COUNTER, 0) + 1
    st.session_state[STATE_ROUND_COUNTER] = number
    st.session_state[STATE_ROUND_NOTICE] = None
    st.session_state[STATE_ROUND] = QuizRound(number, seed, ask_by, codes)


def _next_question() -> None:
    quiz: QuizRound = st.session_state[STATE_ROUND].next_question()
    st.session_state[STATE_ROUND] = quiz
    if quiz.finished:
        progress: Progress = st.session_state[STATE_PROGRESS]
        st.session_state[STATE_PROGRESS] = record_round(progress, summarize_round(quiz))


def _take_click(catalog: Catalog, quiz: QuizRound) -> QuizRound:
    """Score a click waiting in the chart's state. Read before any figure is built, because
    a new figure starts with an empty selection."""
    code = quiz.current_code
    if code is None or quiz.reviewing:
        return quiz
    position = selected_position(st.session_state.get(locate_chart_key(quiz)))
    if position is None or not within_focus(focus_for_point(catalog, code), *position):
        return quiz
    answer = score_click(catalog, code, *position)
    quiz = quiz.answer(answer)
    st.session_state[STATE_ROUND] = quiz
    st.session_state[STATE_PROGRESS] = record_answer(st.session_state[STATE_PROGRESS], answer)
    return quiz


@st.cache_resource(show_spinner=False, max_entries=16)
def _cached_locate_figure(_catalog: Catalog, catalog_id: int, view: str, focus: str) -> Any:
    return build_locate_figure(_catalog, view, focus)  # type: ignore[arg-type]


@st.fragment
def _locate_fragment(catalog: Catalog) -> None:
    quiz = _take_click(catalog, st.session_state[STATE_ROUND])
    _render_round_settings(catalog)
    if quiz.finished:
        _render_summary(catalog, quiz)
    else:
        _render_question(catalog, quiz)
    _render_progress_tools(catalog)


def _render_round_settings(catalog: Catalog) -> None:
    with st.expander("Round settings: which points, and how they are named"):
        columns = st.columns(2)
        columns[0].multiselect(
            "Regions",
            list(REGION_LABELS),
            format_func=REGION_LABELS.__getitem__,
            key=REGIONS_KEY,
            placeholder="All regions",
        )
        columns[1].multiselect(
            "Channels", catalog.meridians, key=MERIDIANS_KEY, placeholder="All channels"
        )
        columns[0].radio(
            "Name the point by its",
            list(ASK_BY_LABELS),
            format_func=ASK_BY_LABELS.__getitem__,
            key=ASK_BY_KEY,
            horizontal=True,
        )
        columns[1].selectbox(
            "Questions in a round",
            ROUND_SIZES,
            index=ROUND_SIZES.index(ROUND_SIZE),
            key=ROUND_SIZE_KEY,
        )
        st.button(
            "Start a new round with these settings",
            key=NEW_ROUND_KEY,
            on_click=_start_round,
            args=(catalog,),
            icon=":material/restart_alt:",
        )
    notice = st.session_state.get(STATE_ROUND_NOTICE)
    if notice:
        st.warning(notice, icon=":material/filter_alt_off:")


def _render_question(catalog: Catalog, quiz: QuizRound) -> None:
    code = quiz.current_code
    assert code is not None  # the round is not finished
    point = catalog.points[code]
    focus = focus_for_point(catalog, code)
    map_column, panel_column = st.columns([3, 2], gap="medium")
    with panel_column, st.container(key=QUESTION_CONTAINER_KEY):
        st.progress(
            (quiz.question_number - 1 + quiz.reviewing) / len(quiz.codes),
            text=f"Question {quiz.question_number} of {len(quiz.codes)}",
        )
        st.markdown(f"### Where is {question_prompt(point, quiz.ask_by)}?")
        if not quiz.reviewing:
            st.markdown(
                f"The map shows the **{VIEW_LABELS[point.view].lower()}**. Click on the body "
                "where you think the point is. If it lies on both sides, either side counts."
            )
            st.caption(
                f"Full marks within {FULL_MARKS_WITHIN_BCUN:g} B-cun (half a thumb-width), "
                f"none from {ZERO_MARKS_FROM_BCUN:g} B-cun (a hand's breadth)."
            )
        else:
            answer = quiz.answers[-1]
            if quiz.ask_by != "code":
                st.markdown(f"It is **{point.code}**, {point.english} ({point.pinyin}).")
            else:
                st.markdown(f"**{point.code}** is {point.english} ({point.pinyin}).")
            if answer.missed:
                st.warning(feedback_markdown(catalog, answer), icon=":material/near_me:")
            else:
                st.success(feedback_markdown(catalog, answer), icon=":material/check_circle:")
            with st.expander("The whole guide to finding it"):
                st.markdown(card_face_markdown(catalog, code, "guide"))
            last = quiz.question_number == len(quiz.codes)
            st.button(
                "See your results" if last else "Next question",
                key=NEXT_KEY,
                type="primary",
                on_click=_next_question,
                icon=":material/arrow_forward:",
            )
    with map_column, st.container(key=MAP_CONTAINER_KEY):
        if quiz.reviewing:
            feedback_figure = build_feedback_figure(catalog, quiz.answers[-1], focus)
            st.plotly_chart(
                feedback_figure,
                key=f"study_feedback_{quiz.number}_{len(quiz.answers)}",
                config=CHART_CONFIG,
                width="stretch",
                height=chart_height(feedback_figure),
            )
            st.caption(
                "The solid ring is the full-marks area; beyond the dotted ring a click scores "
                "nothing."
            )
        else:
            locate_figure = _cached_locate_figure(catalog, id(catalog), point.view, focus)
            st.plotly_chart(
                locate_figure,
                key=locate_chart_key(quiz),
                on_select="rerun",
                selection_mode="points",
                config=CHART_CONFIG,
                width="stretch",
                height=chart_height(locate_figure),
            )


def _render_summary(catalog: Catalog, quiz: QuizRound) -> None:
    summary = summarize_round(quiz)
    with st.container(key=SUMMARY_CONTAINER_KEY):
        st.markdown("### Round complete")
        columns = st.columns(3)
        columns[0].metric("Score", f"{summary.total_score:.1f} of {summary.max_score:g}")
        columns[1].metric("Average distance", f"{summary.average_distance_bcun:.1f} B-cun")
        columns[2].metric("Missed", f"{len(summary.missed)} of {summary.questions}")
        rows = ["| Point | Distance | Marks |", "| --- | --- | --- |"]
        for answer in quiz.answers:
            point = catalog.points[answer.code]
            rows.append(
                f"| {point.code} {point.english} | {answer.distance_bcun:.1f} B-cun "
                f"| {answer.score:.1f} of {MAX_SCORE:g} |"
            )
        st.markdown("\n".join(rows))
        progress: Progress = st.session_state[STATE_PROGRESS]
        often = most_missed(progress)
        if often:
            st.markdown("**Missed most often, over all your rounds:**")
            st.markdown(
                "\n".join(
                    f"- {code} {catalog.points[code].english}: missed {record.misses} of "
                    f"{record.attempts} time(s), on average {record.average_distance_bcun:.1f}"
                    " B-cun away"
                    for code, record in often
                    if code in catalog.points
                )
            )
        buttons = st.container(horizontal=True)
        if summary.missed:
            buttons.button(
                f"Practise the {len(summary.missed)} missed point(s)",
                key=RETRY_MISSED_KEY,
                type="primary",
                on_click=_start_round,
                args=(catalog, list(summary.missed)),
                icon=":material/replay:",
            )
        else:
            buttons.markdown("Nothing missed this round.")
        buttons.button(
            "Start a new round",
            key=f"{NEW_ROUND_KEY}_after",
            on_click=_start_round,
            args=(catalog,),
            icon=":material/restart_alt:",
        )


def _on_upload(catalog: Catalog) -> None:
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:
        return
    outcome = load_progress_upload(st.session_state[STATE_PROGRESS], uploaded.getvalue(), catalog)
    st.session_state[STATE_PROGRESS] = outcome.progress
    st.session_state[STATE_UPLOAD_MESSAGE] = (
        "success" if outcome.loaded else "error",
        outcome.message,
    )


def _render_progress_tools(catalog: Catalog) -> None:
    progress: Progress = st.session_state[STATE_PROGRESS]
    with st.expander("Save or load your progress"):
        st.markdown(
            "Your progress stays in this browser tab and is gone when you close it. "
            "Download it to keep it, and load the file here next time. There are no "
            "accounts and nothing is sent anywhere."
        )
        st.caption(
            f"{len(progress.points)} point(s) practised, {len(progress.rounds)} round(s) "
            "finished so far."
        )
        st.download_button(
            "Download my progress",
            # Written only when the button is pressed, not on every rerun of the page.
            data=functools.partial(progress_to_json, progress),
            file_name=PROGRESS_FILE_NAME,
            mime="application/json",
            key=DOWNLOAD_KEY,
            on_click="ignore",
            icon=":material/download:",
        )
        st.file_uploader(
            "Load a progress file",
            type=["json"],
            key=UPLOAD_KEY,
            on_change=_on_upload,
            args=(catalog,),
            max_upload_size=1,
        )
        message = st.session_state.get(STATE_UPLOAD_MESSAGE)
        if message:
            kind, text = message
            if kind == "success":
                st.success(text, icon=":material/check_circle:")
            else:
                st.error(text, icon=":material/error:")


# ---------------------------------------------------------------- flashcards


@st.fragment
def _flashcard_fragment(catalog: Catalog) -> None:
    with st.expander("Which cards"):
        columns = st.columns(2)
        regions: list[Region] = columns[0].multiselect(
            "Regions",
            list(REGION_LABELS),
            format_func=REGION_LABELS.__getitem__,
            key=CARD_REGIONS_KEY,
            placeholder="All regions",
        )
        meridians: list[str] = columns[1].multiselect(
            "Channels", catalog.meridians, key=CARD_MERIDIANS_KEY, placeholder="All channels"
        )
    faces = list(CARD_FACE_LABELS)
    columns = st.columns(2)
    front: CardFace = columns[0].selectbox(
        "Show me the", faces, format_func=CARD_FACE_LABELS.__getitem__, key=CARD_FRONT_KEY
    )
    back: CardFace = columns[1].selectbox(
        "and I answer with the",
        faces,
        index=1,
        format_func=CARD_FACE_LABELS.__getitem__,
        key=CARD_BACK_KEY,
    )

    filters = (tuple(regions), tuple(meridians))
    stored = st.session_state.get(STATE_DECK)
    if (
        stored is None
        or stored[0] != filters
        or any(code not in catalog.points for code in stored[1])
    ):
        deck = build_deck(
            catalog, seed=secrets.randbelow(2**31), regions=regions, meridians=meridians
        )
        st.session_state[STATE_DECK] = (filters, deck)
        st.session_state[STATE_CARD_INDEX] = 0
        st.session_state[STATE_CARD_REVEALED] = False
    deck = st.session_state[STATE_DECK][1]
    if not deck:
        st.warning("No points match those filters.", icon=":material/filter_alt_off:")
        return
    if front == back:
        st.info("Choose two different sides for the cards.", icon=":material/swap_horiz:")
        return

    index = st.session_state[STATE_CARD_INDEX] % len(deck)
    code = deck[index]
    revealed = st.session_state[STATE_CARD_REVEALED]
    with st.container(key=CARD_CONTAINER_KEY, border=True):
        st.caption(f"Card {index + 1} of {len(deck)} · {CARD_FACE_LABELS[front]}")
        st.markdown(card_face_markdown(catalog, code, front))
        if revealed:
            st.divider()
            st.caption(CARD_FACE_LABELS[back])
            st.markdown(card_face_markdown(catalog, code, back))
    with st.container(horizontal=True):
        st.button(
            "Show the answer", key="study_card_reveal", on_click=_reveal_card, disabled=revealed
        )
        st.button("Previous card", key="study_card_previous", on_click=_turn_card, args=(-1,))
        st.button(
            "Next card", key="study_card_next", on_click=_turn_card, args=(1,), type="primary"
        )
        st.button("Shuffle", key="study_card_shuffle", on_click=_shuffle_deck, args=(catalog,))


def _reveal_card() -> None:
    st.session_state[STATE_CARD_REVEALED] = True


def _turn_card(step: int) -> None:
    st.session_state[STATE_CARD_INDEX] = st.session_state.get(STATE_CARD_INDEX, 0) + step
    st.session_state[STATE_CARD_REVEALED] = False


def _shuffle_deck(catalog: Catalog) -> None:
    filters, _ = st.session_state[STATE_DECK]
    regions, meridians = filters
    deck = build_deck(catalog, seed=secrets.randbelow(2**31), regions=regions, meridians=meridians)
    st.session_state[STATE_DECK] = (filters, deck)
    st.session_state[STATE_CARD_INDEX] = 0
    st.session_state[STATE_CARD_REVEALED] = False
