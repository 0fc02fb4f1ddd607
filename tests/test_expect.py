"""The What-to-expect page: the red-flag check, the content guard, and the course plan."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from pathlib import Path

import pytest
import textstat

from acupoints.catalog import DATA_DIR_VARIABLE, Catalog, fingerprint
from acupoints.content_checks import overclaiming_words
from acupoints.course import (
    PHASE_LABELS,
    REVIEW_TRACE_NAME,
    add_months,
    build_course_figure,
    build_course_plan,
    review_visit,
)
from acupoints.pages_content import (
    ExpectContent,
    expect_patient_texts,
    load_expect_content,
    numbers_in,
    numbers_not_in_sources,
)
from acupoints.ui.expect_page import PER_WEEK_KEY, RED_FLAG_PREFIX, START_KEY, WEEKS_KEY
from acupoints.yaml_io import DataError
from tests.page_support import chart_specs, open_page, page_text

PAGE = "pages/1_What_to_expect.py"
REQUIRED_RED_FLAGS = {
    # Signs of a heart attack or a torn aorta felt in the upper back: call an emergency number.
    "chest_pain_or_breathless",
    "pain_to_arm_or_jaw",
    "sudden_tearing_pain",
    # Cauda equina syndrome and other nerve damage.
    "bladder_bowel",
    "saddle_numbness",
    "sexual_function",
    "leg_weakness",
    "both_legs_or_walking",
    # Infection, cancer and fracture.
    "fever",
    "infection_risk",
    "weight_loss_or_cancer",
    "age",
    "steroids_or_thin_bones",
    "fall_or_injury",
    "night_pain",
}
EMERGENCY_SIGNS = ("chest_pain_or_breathless", "pain_to_arm_or_jaw", "sudden_tearing_pain")


@pytest.fixture(scope="module")
def content(catalog: Catalog) -> ExpectContent:
    return load_expect_content(catalog.studies)


# ---------------------------------------------------------------- the page


def test_page_renders_every_part_under_the_disclaimer(content: ExpectContent) -> None:
    app = open_page(PAGE)
    assert not app.exception
    assert "information, not medical advice" in app.info[0].value
    headers = [header.value for header in app.header]
    assert headers == [
        content.before.title,
        content.during.title,
        content.after.title,
        content.course.title,
        content.ask_a_doctor_first.title,
        content.alongside.title,
    ]
    assert not app.error


def test_red_flag_check_comes_first_and_lists_every_required_sign(content: ExpectContent) -> None:
    app = open_page(PAGE)
    assert app.subheader[0].value == content.red_flags.title
    keys = [box.key for box in app.checkbox]
    assert keys[: len(REQUIRED_RED_FLAGS)] == [
        RED_FLAG_PREFIX + s.id for s in content.red_flags.signs
    ]
    assert {key.removeprefix(RED_FLAG_PREFIX) for key in keys} >= REQUIRED_RED_FLAGS


@pytest.mark.parametrize("sign_id", sorted(REQUIRED_RED_FLAGS))
def test_ticking_any_one_sign_shows_the_see_a_doctor_warning(
    sign_id: str, content: ExpectContent
) -> None:
    app = open_page(PAGE)
    assert not app.error
    app.checkbox(key=RED_FLAG_PREFIX + sign_id).check().run()
    assert [error.value for error in app.error] == [content.red_flags.alert]
    app.checkbox(key=RED_FLAG_PREFIX + sign_id).uncheck().run()
    assert not app.error


def test_the_alert_sends_heart_and_aorta_signs_to_an_emergency_number(
    content: ExpectContent,
) -> None:
    alert = content.red_flags.alert
    first_sentence = alert.split(". ")[0]
    assert "emergency number" in first_sentence
    for word in ("chest pain", "breath", "sweating", "arm", "jaw", "tearing"):
        assert word in first_sentence, word
    labels = {sign.id: sign.label for sign in content.red_flags.signs}
    assert [sign.id for sign in content.red_flags.signs][: len(EMERGENCY_SIGNS)] == list(
        EMERGENCY_SIGNS
    )
    assert "shoulder blades" in labels["chest_pain_or_breathless"]


def test_ticked_signs_are_not_put_in_the_url_or_written_anywhere() -> None:
    before = fingerprint()
    app = open_page(PAGE)
    for sign_id in sorted(REQUIRED_RED_FLAGS):
        app.checkbox(key=RED_FLAG_PREFIX + sign_id).check()
    app.run()
    assert len(app.error) == 1
    assert dict(app.query_params) == {}
    assert fingerprint() == before


def _timeline(app) -> dict:  # type: ignore[no-untyped-def]
    return chart_specs(app)["course_timeline"]


def _dates(spec: dict, trace_name: str) -> list[str]:
    return next(trace["x"] for trace in spec["data"] if trace["name"] == trace_name)


def test_timeline_follows_the_readers_start_date_and_frequency(content: ExpectContent) -> None:
    app = open_page(PAGE)
    regular = PHASE_LABELS["weekly"]
    weeks = content.course.defaults.weekly_weeks
    assert len(_dates(_timeline(app), regular)) == weeks

    app.date_input(key=START_KEY).set_value(date(2030, 1, 7)).run()
    first = _dates(_timeline(app), regular)
    assert first[:2] == ["2030-01-07", "2030-01-14"]

    app.radio(key=PER_WEEK_KEY).set_value(2).run()
    assert len(_dates(_timeline(app), regular)) == 2 * weeks

    app.slider(key=WEEKS_KEY).set_value(4).run()
    spec = _timeline(app)
    assert len(_dates(spec, regular)) == 8
    review = _dates(spec, REVIEW_TRACE_NAME)
    assert len(review) == 1
    assert not app.exception
    assert "Your review point:" in page_text(app)


def test_broken_expect_file_shows_the_error_panel_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    path = data_copy / "expect.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("citations: [woo2010]", "citations: [nobody1999]"), "utf-8")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = open_page(PAGE)
    assert not app.exception
    assert len(app.error) == 1
    assert "could not be loaded" in app.error[0].value
    assert "data/expect.yaml:" in app.code[0].value
    assert "unknown citation 'nobody1999'" in app.code[0].value


# ---------------------------------------------------------------- the content guard


def test_real_content_loads_with_every_citation_in_the_registry(content: ExpectContent) -> None:
    assert len(content.red_flags.signs) >= 7


def test_a_number_without_citations_is_refused_with_its_line(
    catalog: Catalog, data_copy: Path
) -> None:
    path = data_copy / "expect.yaml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace(
        "Ask your doctor to check your back before you book.",
        "Ask your doctor to check your back before you book. 80% of people feel better.",
    )
    path.write_text(broken, encoding="utf-8")
    line = next(
        number
        for number, row in enumerate(broken.splitlines(), start=1)
        if "heading: Talk to your doctor first" in row
    )
    with pytest.raises(DataError) as caught:
        load_expect_content(catalog.studies, data_copy)
    messages = [str(problem) for problem in caught.value.problems]
    assert messages == [
        f"data/expect.yaml:{line + 1}: before.items[0].text: states a number but neither it "
        "nor an enclosing item has 'citations'"
    ]


def test_every_number_on_the_page_is_stated_by_a_cited_source(
    content: ExpectContent, catalog: Catalog
) -> None:
    items = [
        (f"{section.title}: {item.heading}", item.text, item.citations)
        for section in content.sections()
        for item in section.items
    ]
    course = content.course
    items.append(("course", f"{course.intro} {course.review}", course.citations))
    flags = content.red_flags
    flag_text = " ".join([*(sign.label for sign in flags.signs), flags.alert])
    items.append(("red flags", flag_text, flags.citations))
    untraced = {
        name: missing
        for name, text, ids in items
        if (missing := numbers_not_in_sources(text, catalog.cited(ids)))
    }
    assert untraced == {}
    assert any(numbers_in(text) for _name, text, _ids in items)


def test_course_defaults_trace_to_the_trials(content: ExpectContent, catalog: Catalog) -> None:
    defaults = content.course.defaults
    stated = f"{defaults.weekly_weeks} {defaults.review_after_weeks}"
    assert numbers_not_in_sources(stated, catalog.cited(content.course.citations)) == []


def test_patient_text_reads_at_grade_eight_or_lower(content: ExpectContent) -> None:
    texts = expect_patient_texts(content)
    grades = {name: textstat.flesch_kincaid_grade(text) for name, text in texts.items()}
    assert textstat.flesch_kincaid_grade(" ".join(texts.values())) <= 8
    assert statistics.median(grades.values()) <= 8
    assert {name: round(grade, 1) for name, grade in grades.items() if grade > 9} == {}


def test_patient_text_makes_no_overclaims(content: ExpectContent) -> None:
    found = {
        name: words
        for name, text in expect_patient_texts(content).items()
        if (words := overclaiming_words(text))
    }
    assert found == {}


# ---------------------------------------------------------------- the course plan


def test_weekly_plan_spaces_out_and_reviews_at_the_right_session() -> None:
    start = date(2025, 3, 3)
    plan = build_course_plan(
        start, weekly_weeks=8, fortnightly_visits=2, monthly_visits=2, review_after_weeks=8
    )
    assert [visit.number for visit in plan] == list(range(1, 13))
    assert [visit.day for visit in plan[:8]] == [start + timedelta(weeks=w) for w in range(8)]
    assert [visit.day for visit in plan[8:]] == [
        date(2025, 5, 5),
        date(2025, 5, 19),
        date(2025, 6, 19),
        date(2025, 7, 19),
    ]
    assert [visit.phase for visit in plan] == ["weekly"] * 8 + ["every other week"] * 2 + [
        "monthly"
    ] * 2
    assert review_visit(plan).number == 8
    assert sum(visit.review for visit in plan) == 1


def test_twice_weekly_sessions_fall_three_days_apart() -> None:
    plan = build_course_plan(date(2025, 3, 3), weekly_weeks=2, sessions_per_week=2)
    weekly = [visit.day for visit in plan if visit.phase == "weekly"]
    assert weekly == [date(2025, 3, 3), date(2025, 3, 6), date(2025, 3, 10), date(2025, 3, 13)]


def test_review_falls_in_the_spaced_out_phase_when_the_regular_phase_is_short() -> None:
    plan = build_course_plan(date(2025, 1, 6), weekly_weeks=2, review_after_weeks=6)
    review = review_visit(plan)
    assert review.phase == "every other week"
    assert review.day <= date(2025, 1, 6) + timedelta(weeks=6)


def test_monthly_visits_keep_the_day_or_the_last_day_of_a_short_month() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 2) == date(2026, 1, 15)


@pytest.mark.parametrize("weeks, per_week", [(0, 1), (4, 0), (4, 4)])
def test_impossible_plans_are_refused(weeks: int, per_week: int) -> None:
    with pytest.raises(ValueError):
        build_course_plan(date(2025, 1, 1), weekly_weeks=weeks, sessions_per_week=per_week)


def test_course_figure_draws_every_visit_and_marks_the_review() -> None:
    plan = build_course_plan(date(2025, 3, 3), weekly_weeks=6, review_after_weeks=6)
    figure = build_course_figure(plan)
    drawn = {day for trace in figure.data if trace.name != REVIEW_TRACE_NAME for day in trace.x}
    assert drawn == {visit.day.isoformat() for visit in plan}
    review = next(trace for trace in figure.data if trace.name == REVIEW_TRACE_NAME)
    assert list(review.x) == [review_visit(plan).day.isoformat()]
    assert figure.layout.shapes[0].x0 == review_visit(plan).day.isoformat()
    labels = [text for trace in figure.data if trace.text is not None for text in trace.text]
    assert labels == [str(visit.number) for visit in plan]


def test_ages_in_the_red_flags_need_sources_and_the_content_report_says_where(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    from acupoints.report import build_report

    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    text, passed = build_report()
    assert passed, text
    path = data_copy / "expect.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("  citations: [verhagen2016, gulati2021]\n", ""), "utf-8")
    text, passed = build_report()
    assert not passed
    uncited = [line for line in text.splitlines() if "states a number" in line]
    assert uncited and all("data/expect.yaml:" in line for line in uncited)
    assert any("red_flags.signs" in line for line in uncited), text


def test_the_short_disclaimer_on_every_page_names_the_emergency_and_urgent_signs() -> None:
    from acupoints.ui import DISCLAIMER

    emergency, _, urgent = DISCLAIMER.partition("See a doctor now")
    assert "emergency number" in emergency
    for sign in ("chest pain", "breathlessness", "sweating", "arm or jaw", "tearing"):
        assert sign in emergency, sign
    for sign in ("bladder or bowel", "genitals", "sex", "leg weakness", "walking", "fever"):
        assert sign in urgent, sign
