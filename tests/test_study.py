"""Study mode: scoring, questions, flashcards, saved progress, and a full round in AppTest."""

from __future__ import annotations

import json
import math

import pytest
from streamlit.testing.v1 import AppTest

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES
from acupoints.study import (
    FULL_MARKS_WITHIN_BCUN,
    MAX_PROGRESS_BYTES,
    MAX_SCORE,
    ZERO_MARKS_FROM_BCUN,
    LocateAnswer,
    Progress,
    ProgressError,
    QuizRound,
    build_deck,
    build_questions,
    card_face_markdown,
    distance_in_fingers,
    feedback_markdown,
    focus_for_point,
    load_progress_upload,
    most_missed,
    parse_progress,
    progress_to_json,
    question_prompt,
    record_answer,
    record_round,
    score_click,
    score_for_distance,
    selected_position,
    summarize_round,
    within_focus,
)
from acupoints.study_figures import (
    GRID_TRACE_NAME,
    build_feedback_figure,
    build_locate_figure,
    click_grid,
    grid_spacing,
)
from acupoints.ui.study_page import (
    ASK_BY_KEY,
    MERIDIANS_KEY,
    NEW_ROUND_KEY,
    NEXT_KEY,
    REGIONS_KEY,
    RETRY_MISSED_KEY,
    STATE_PROGRESS,
    STATE_ROUND,
    locate_chart_key,
)
from tests.page_support import open_page, page_text

STUDY_PAGE = "pages/3_Study.py"


# ---------------------------------------------------------------- scoring


def test_score_is_full_within_half_a_bcun_and_falls_linearly_to_zero_at_three() -> None:
    assert score_for_distance(0.0) == MAX_SCORE
    assert score_for_distance(FULL_MARKS_WITHIN_BCUN) == MAX_SCORE
    assert score_for_distance(1.75) == pytest.approx(MAX_SCORE / 2)
    assert score_for_distance(ZERO_MARKS_FROM_BCUN) == 0.0
    assert score_for_distance(12.0) == 0.0
    scores = [score_for_distance(d / 10) for d in range(0, 40)]
    assert scores == sorted(scores, reverse=True)


def test_click_exactly_on_every_site_of_every_point_scores_full_marks(catalog: Catalog) -> None:
    for code, sites in catalog.placements.items():
        for site in sites:
            answer = score_click(catalog, code, site.x, site.y)
            assert answer.distance_bcun == 0.0, code
            assert answer.score == MAX_SCORE, code
            assert not answer.missed


def test_distance_is_measured_in_bcun_for_a_known_click(catalog: Catalog) -> None:
    # BL23: 1.5 B-cun lateral to the midline at the L2 level; a click 3 B-cun further out
    # and 4 B-cun higher is 5 B-cun away (a 3-4-5 triangle).
    l2 = catalog.body.levels["L2"].y
    answer = score_click(catalog, "BL23", 1.5 + 3.0, l2 + 4.0)
    assert answer.distance_bcun == pytest.approx(5.0)
    assert answer.score == 0.0
    near = score_click(catalog, "BL23", 1.5, l2 + 2.0)
    assert near.distance_bcun == pytest.approx(2.0)
    assert near.score == pytest.approx(MAX_SCORE * (3.0 - 2.0) / 2.5)
    assert near.missed


def test_bilateral_point_counts_the_nearer_side(catalog: Catalog) -> None:
    l2 = catalog.body.levels["L2"].y
    on_the_left = score_click(catalog, "BL23", -1.5, l2 + 1.0)
    assert on_the_left.nearest.x == pytest.approx(-1.5)
    assert on_the_left.distance_bcun == pytest.approx(1.0)
    on_the_right = score_click(catalog, "BL23", 1.9, l2)
    assert on_the_right.nearest.x == pytest.approx(1.5)
    assert on_the_right.distance_bcun == pytest.approx(0.4)
    assert on_the_left.nearest.side != on_the_right.nearest.side


def test_row_point_counts_its_nearest_site(catalog: Catalog) -> None:
    sites = catalog.placements["EX-B2"]
    lowest = min(sites, key=lambda site: site.y)
    answer = score_click(catalog, "EX-B2", lowest.x, lowest.y - 1.0)
    assert answer.nearest == lowest
    assert answer.distance_bcun == pytest.approx(1.0)


def test_distance_reads_as_finger_widths() -> None:
    assert distance_in_fingers(0.1) == "right on it"
    assert distance_in_fingers(1.04) == "about one thumb-width"
    assert distance_in_fingers(2.9) == "about four finger-widths (one hand's breadth)"


def test_feedback_gives_marks_distance_and_the_first_step_of_the_guide(catalog: Catalog) -> None:
    l2 = catalog.body.levels["L2"].y
    text = feedback_markdown(catalog, score_click(catalog, "BL23", 1.5, l2 + 1.0))
    assert "1.0 B-cun" in text
    assert "about one thumb-width" in text
    assert f"of {MAX_SCORE:g} marks" in text
    assert catalog.points["BL23"].guide[0] in text
    assert "nearer your click" in text


def test_each_point_is_asked_on_a_zoom_that_shows_all_its_sites(catalog: Catalog) -> None:
    assert focus_for_point(catalog, "BL23") == "lower back"
    assert focus_for_point(catalog, "GB20") == "head and neck"
    assert focus_for_point(catalog, "EX-B2") == "whole body"
    for code, sites in catalog.placements.items():
        focus = focus_for_point(catalog, code)
        assert all(within_focus(focus, site.x, site.y) for site in sites), code


def test_every_site_can_be_reached_by_the_click_grid(catalog: Catalog) -> None:
    outline = tuple(catalog.body.outline)
    for code, sites in catalog.placements.items():
        focus = focus_for_point(catalog, code)
        xs, ys = click_grid(outline, focus)
        reach = grid_spacing(focus) / math.sqrt(2) + 1e-9
        for site in sites:
            nearest = min(math.hypot(x - site.x, y - site.y) for x, y in zip(xs, ys, strict=True))
            assert nearest <= reach, (code, site)
            # Snapping to the grid never costs a click on the point its full marks.
            assert score_for_distance(nearest) == MAX_SCORE


@pytest.mark.parametrize("focus", list(FOCUS_RANGES))
def test_blank_map_hides_the_points_and_stays_small(catalog: Catalog, focus: str) -> None:
    figure = build_locate_figure(catalog, "posterior", focus)
    assert [trace.name for trace in figure.data] == [GRID_TRACE_NAME]
    grid = figure.data[0]
    assert grid.customdata is None and grid.text is None
    assert grid.hoverinfo == "none"  # still clickable, but says nothing
    assert 500 < len(grid.x) < 6000
    assert len(figure.to_json()) < 80_000
    (x_min, x_max), (y_min, y_max) = FOCUS_RANGES[focus]
    assert all(x_min <= x <= x_max for x in grid.x)
    assert all(y_min <= y <= y_max for y in grid.y)


def test_feedback_map_draws_the_true_sites_and_the_click(catalog: Catalog) -> None:
    l2 = catalog.body.levels["L2"].y
    answer = score_click(catalog, "BL23", 2.5, l2)
    figure = build_feedback_figure(catalog, answer, "lower back")
    truth = next(trace for trace in figure.data if trace.name.startswith("BL23"))
    assert sorted(truth.x) == [-1.5, 1.5]
    click = next(trace for trace in figure.data if trace.name == "Your click")
    assert (click.x[0], click.y[0]) == (2.5, l2)
    rings = [shape for shape in figure.layout.shapes if shape.type == "circle"]
    radii = sorted(round((ring.x1 - ring.x0) / 2, 2) for ring in rings if ring.y0 < l2 < ring.y1)
    assert FULL_MARKS_WITHIN_BCUN in radii and ZERO_MARKS_FROM_BCUN in radii


@pytest.mark.parametrize(
    "state",
    [
        None,
        {},
        {"selection": {"points": []}},
        {"selection": {"points": [{"x": "<b>1</b>", "y": 40}]}},
        {"selection": {"points": [{"x": float("nan"), "y": 40}]}},
        {"selection": {"points": [{"x": True, "y": 40}]}},
        {"selection": {"points": [{"customdata": "BL23"}]}},
        {"selection": "BL23"},
    ],
)
def test_strange_chart_states_are_not_clicks(state: object) -> None:
    assert selected_position(state) is None


def test_a_chart_selection_gives_the_clicked_position() -> None:
    assert selected_position({"selection": {"points": [{"x": 1.5, "y": 47}]}}) == (1.5, 47.0)


# ---------------------------------------------------------------- questions and rounds


def test_questions_respect_region_and_channel_filters(catalog: Catalog) -> None:
    distal = build_questions(catalog, seed=1, size=50, regions=["distal"])
    assert distal and all(catalog.points[code].region == "distal" for code in distal)
    bladder = build_questions(catalog, seed=1, size=50, meridians=["Bladder"])
    assert bladder and all(catalog.points[code].meridian == "Bladder" for code in bladder)
    both = build_questions(catalog, seed=1, size=50, regions=["lower_back"], meridians=["Bladder"])
    assert set(both) == {
        code
        for code, point in catalog.points.items()
        if point.region == "lower_back" and point.meridian == "Bladder"
    }


def test_a_round_never_repeats_a_point(catalog: Catalog) -> None:
    for seed in range(20):
        codes = build_questions(catalog, seed=seed, size=10)
        assert len(codes) == 10
        assert len(set(codes)) == 10


def test_a_round_is_shorter_when_few_points_match(catalog: Catalog) -> None:
    governor = [code for code, p in catalog.points.items() if p.meridian == "Governor Vessel"]
    codes = build_questions(catalog, seed=3, size=10, meridians=["Governor Vessel"])
    assert sorted(codes) == sorted(governor)
    assert build_questions(catalog, seed=3, meridians=["No such channel"]) == ()


def test_the_seed_fixes_the_questions(catalog: Catalog) -> None:
    assert build_questions(catalog, seed=42) == build_questions(catalog, seed=42)
    orders = {build_questions(catalog, seed=seed) for seed in range(5)}
    assert len(orders) > 1


def test_a_missed_points_round_asks_only_those(catalog: Catalog) -> None:
    codes = build_questions(catalog, seed=5, size=10, only=["BL40", "GV4", "SI3"])
    assert sorted(codes) == ["BL40", "GV4", "SI3"]


def test_a_question_names_the_point_as_the_student_chose(catalog: Catalog) -> None:
    point = catalog.points["BL23"]
    assert question_prompt(point, "code") == "BL23"
    assert question_prompt(point, "pinyin") == point.pinyin
    assert question_prompt(point, "english") == point.english


def _answer_at(catalog: Catalog, code: str, offset: float) -> LocateAnswer:
    site = catalog.placements[code][0]
    return score_click(catalog, code, site.x + offset, site.y)


def test_a_round_goes_question_feedback_question_and_summarizes(catalog: Catalog) -> None:
    quiz = QuizRound(1, 7, "code", ("BL23", "GV4", "BL40"))
    assert quiz.current_code == "BL23" and quiz.question_number == 1
    with pytest.raises(ValueError):
        quiz.answer(_answer_at(catalog, "GV4", 0))
    quiz = quiz.answer(_answer_at(catalog, "BL23", 0.0))
    assert quiz.reviewing and quiz.current_code == "BL23" and quiz.question_number == 1
    with pytest.raises(ValueError):
        quiz.answer(_answer_at(catalog, "BL23", 0.0))
    quiz = quiz.next_question()
    quiz = quiz.answer(_answer_at(catalog, "GV4", 2.5)).next_question()
    quiz = quiz.answer(_answer_at(catalog, "BL40", 2.0)).next_question()
    assert quiz.finished and quiz.current_code is None
    summary = summarize_round(quiz)
    assert summary.questions == 3
    assert summary.max_score == 3 * MAX_SCORE
    assert summary.total_score == pytest.approx(10.0 + 2.0 + 4.0)
    assert summary.average_distance_bcun == pytest.approx((0 + 2.5 + 2.0) / 3)
    assert summary.missed == ("GV4", "BL40")  # farthest first


# ---------------------------------------------------------------- flashcards


def test_deck_is_filtered_and_shuffled_by_seed(catalog: Catalog) -> None:
    deck = build_deck(catalog, seed=9, regions=["upper_back"])
    assert sorted(deck) == sorted(c for c, p in catalog.points.items() if p.region == "upper_back")
    assert deck == build_deck(catalog, seed=9, regions=["upper_back"])
    channel = build_deck(catalog, seed=9, meridians=["Small Intestine"])
    assert channel and all(catalog.points[c].meridian == "Small Intestine" for c in channel)


def test_each_card_face_shows_only_its_own_side(catalog: Catalog) -> None:
    for code, point in catalog.points.items():
        faces = {
            face: card_face_markdown(catalog, code, face)
            for face in ("code", "names", "guide", "region")
        }
        assert code in faces["code"]
        assert point.pinyin in faces["names"] and point.english in faces["names"]
        assert point.guide[0] in faces["guide"]
        # Answering "which point is this?" from the other faces must be possible only by
        # knowing it: they never name the point.
        for face in ("guide", "region"):
            assert code not in faces[face] and point.english not in faces[face], (code, face)


# ---------------------------------------------------------------- saved progress


def _progress_after_a_round(catalog: Catalog) -> Progress:
    quiz = QuizRound(1, 7, "code", ("BL23", "GV4"))
    progress = Progress()
    for code, offset in (("BL23", 0.0), ("GV4", 2.5)):
        answer = _answer_at(catalog, code, offset)
        quiz = quiz.answer(answer).next_question()
        progress = record_answer(progress, answer)
    return record_round(progress, summarize_round(quiz))


def test_progress_survives_a_download_and_upload(catalog: Catalog) -> None:
    progress = _progress_after_a_round(catalog)
    assert progress.points["GV4"].misses == 1 and progress.points["BL23"].misses == 0
    assert progress.last_missed == ["GV4"]
    assert [code for code, _ in most_missed(progress)] == ["GV4"]
    data = progress_to_json(progress)
    assert len(data) < 2_000
    assert parse_progress(data, catalog) == progress


def _valid_document(catalog: Catalog) -> dict:
    return json.loads(progress_to_json(_progress_after_a_round(catalog)))


def _with(document: dict, **changes: object) -> bytes:
    return json.dumps({**document, **changes}).encode()


HOSTILE_UPLOADS = {
    "not JSON": lambda doc: b"{this is not json",
    "not text": lambda doc: b"\xff\xfe\x00\x81binary",
    "a JSON list": lambda doc: b"[1, 2, 3]",
    "another app's file": lambda doc: _with(doc, format="something-else"),
    "unknown field": lambda doc: _with(doc, admin=True),
    "wrong version": lambda doc: _with(doc, version=2),
    "number as text": lambda doc: _with(
        doc, points={"BL23": {**doc["points"]["BL23"], "attempts": "3"}}
    ),
    "negative count": lambda doc: _with(
        doc, points={"BL23": {**doc["points"]["BL23"], "attempts": -1}}
    ),
    "NaN": lambda doc: (
        json.dumps(doc).replace('"total_score": 10.0', '"total_score": NaN').encode()
    ),
    "huge": lambda doc: b" " * (MAX_PROGRESS_BYTES + 1) + json.dumps(doc).encode(),
    "deep nesting": lambda doc: b"[" * 20_000 + b"]" * 20_000,
    "unknown code": lambda doc: _with(doc, last_missed=["BL99"]),
    "markup as a code": lambda doc: _with(
        doc, points={"<script>alert(1)</script>": doc["points"]["BL23"]}
    ),
    "markup in a list": lambda doc: _with(doc, last_missed=["<img src=x onerror=alert(1)>"]),
    "more misses than attempts": lambda doc: _with(
        doc, points={"BL23": {**doc["points"]["BL23"], "misses": 99}}
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_UPLOADS))
def test_a_bad_upload_gives_a_clear_message_and_changes_nothing(
    catalog: Catalog, name: str
) -> None:
    data = HOSTILE_UPLOADS[name](_valid_document(catalog))
    with pytest.raises(ProgressError) as raised:
        parse_progress(data, catalog)
    message = str(raised.value)
    assert message.startswith("That ")
    assert "<" not in message and ">" not in message
    assert "alert" not in message
    current = Progress()
    outcome = load_progress_upload(current, data, catalog)
    assert not outcome.loaded
    assert outcome.progress is current
    assert outcome.message == message


def test_a_good_upload_replaces_the_progress(catalog: Catalog) -> None:
    saved = _progress_after_a_round(catalog)
    outcome = load_progress_upload(Progress(), progress_to_json(saved), catalog)
    assert outcome.loaded and outcome.progress == saved
    assert "2 point(s)" in outcome.message


# ---------------------------------------------------------------- the page, in AppTest


def _click(app: AppTest, x: float, y: float) -> None:
    quiz: QuizRound = app.session_state[STATE_ROUND]
    app.session_state[locate_chart_key(quiz)] = {
        "selection": {
            "points": [{"x": x, "y": y, "curve_number": 0, "point_index": 0}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    app.run()


def _miss_position(catalog: Catalog, code: str) -> tuple[float, float]:
    """A click inside the point's zoom that misses every one of its sites."""
    focus = focus_for_point(catalog, code)
    for site in catalog.placements[code]:
        for dx, dy in ((1.4, 1.4), (-1.4, 1.4), (1.4, -1.4), (-1.4, -1.4), (2.5, 0), (-2.5, 0)):
            x, y = site.x + dx, site.y + dy
            if within_focus(focus, x, y) and score_click(catalog, code, x, y).missed:
                return x, y
    raise AssertionError(f"no missing click found for {code}")


def _answer_current(app: AppTest, catalog: Catalog, miss: bool) -> LocateAnswer:
    code = app.session_state[STATE_ROUND].current_code
    site = catalog.placements[code][-1]
    x, y = _miss_position(catalog, code) if miss else (site.x, site.y)
    _click(app, x, y)
    assert not app.exception
    return score_click(catalog, code, x, y)


def test_a_full_round_through_the_page(catalog: Catalog) -> None:
    app = open_page(STUDY_PAGE)
    assert not app.exception
    quiz: QuizRound = app.session_state[STATE_ROUND]
    assert len(quiz.codes) == 10
    missed: list[str] = []
    expected_score = 0.0
    for index in range(10):
        assert f"### Where is {app.session_state[STATE_ROUND].current_code}?" in page_text(app)
        answer = _answer_current(app, catalog, miss=index % 3 == 0)
        expected_score += answer.score
        if index % 3 == 0:
            missed.append(answer.code)
            assert any("Not quite" in str(w.value) for w in app.warning)
        else:
            assert any("Spot on. 10.0 of 10 marks" in str(s.value) for s in app.success)
        app.button(key=NEXT_KEY).click().run()
    text = page_text(app)
    assert "### Round complete" in text
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Missed"] == f"{len(missed)} of 10"
    assert metrics["Score"] == f"{expected_score:.1f} of 100"
    progress: Progress = app.session_state[STATE_PROGRESS]
    assert len(progress.rounds) == 1 and sorted(progress.last_missed) == sorted(missed)
    assert set(progress.points) == set(quiz.codes)

    app.button(key=RETRY_MISSED_KEY).click().run()
    retry: QuizRound = app.session_state[STATE_ROUND]
    assert sorted(retry.codes) == sorted(missed)
    assert retry.number == quiz.number + 1


def test_a_stray_or_forged_selection_is_not_an_answer(catalog: Catalog) -> None:
    app = open_page(STUDY_PAGE)
    _click(app, 500.0, 500.0)  # far outside any zoom of the map
    assert not app.session_state[STATE_ROUND].answers
    _click(app, float("inf"), 1.0)
    assert not app.session_state[STATE_ROUND].answers
    assert not app.exception


def test_settings_start_a_round_of_distal_points_named_in_english(catalog: Catalog) -> None:
    app = open_page(STUDY_PAGE)
    app.multiselect(key=REGIONS_KEY).set_value(["distal"])
    app.radio(key=ASK_BY_KEY).set_value("english")
    app.button(key=NEW_ROUND_KEY).click().run()
    quiz: QuizRound = app.session_state[STATE_ROUND]
    assert all(catalog.points[code].region == "distal" for code in quiz.codes)
    point = catalog.points[quiz.current_code]
    assert f"### Where is {point.english}?" in page_text(app)


def test_flashcards_turn_over_and_move_on() -> None:
    app = open_page(STUDY_PAGE)
    reveal = app.button(key="study_card_reveal")
    assert not reveal.disabled
    reveal.click().run()
    assert app.button(key="study_card_reveal").disabled
    app.button(key="study_card_next").click().run()
    assert not app.button(key="study_card_reveal").disabled
    assert not app.exception


def test_filters_that_match_nothing_keep_the_round_and_say_so() -> None:
    app = open_page(STUDY_PAGE)
    before: QuizRound = app.session_state[STATE_ROUND]
    # No Kidney-channel point lies on the upper back.
    app.multiselect(key=REGIONS_KEY).set_value(["upper_back"])
    app.multiselect(key=MERIDIANS_KEY).set_value(["Kidney"])
    app.button(key=NEW_ROUND_KEY).click().run()
    assert not app.exception
    assert any("No points match" in str(warning.value) for warning in app.warning)
    assert app.session_state[STATE_ROUND] == before
