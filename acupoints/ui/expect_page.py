"""The What-to-expect page: the red-flag check, each stage of treatment, and the course plan."""

from __future__ import annotations

from datetime import date

import streamlit as st

from acupoints.catalog import Catalog
from acupoints.course import build_course_figure, build_course_plan, review_visit, visit_label
from acupoints.pages_content import (
    CourseSection,
    ExpectSection,
    RedFlagCheck,
    markdown_safe,
    source_links,
)
from acupoints.ui.charts import chart_height
from acupoints.ui.content import get_expect_content

RED_FLAG_PREFIX = "red_flag_"
START_KEY = "course_start"
PER_WEEK_KEY = "course_per_week"
WEEKS_KEY = "course_weeks"
TIMELINE_KEY = "course_timeline"
# How far the reader may stretch the regular phase; the typical value comes from the data.
WEEKS_SLIDER_RANGE = (2, 16)
PER_WEEK_CHOICES = [1, 2]
CHART_CONFIG = {"displayModeBar": False, "responsive": True}


def render_expect_page(catalog: Catalog) -> None:
    content = get_expect_content(catalog)
    st.title("What to expect")
    render_red_flag_check(content.red_flags)
    for section in (content.before, content.during, content.after):
        render_section(section, catalog)
    render_course(content.course, catalog)
    for section in (content.ask_a_doctor_first, content.alongside):
        render_section(section, catalog)


def ticked_red_flags(check: RedFlagCheck) -> list[str]:
    return [sign.id for sign in check.signs if st.session_state.get(RED_FLAG_PREFIX + sign.id)]


def render_red_flag_check(check: RedFlagCheck) -> None:
    # Checkbox state lives only in this browser session's memory: no URL, no file, no log.
    with st.container(key="red-flags", border=True):
        st.subheader(check.title)
        st.markdown(check.intro)
        for sign in check.signs:
            st.checkbox(sign.label, key=RED_FLAG_PREFIX + sign.id)
        if ticked_red_flags(check):
            st.error(check.alert, icon=":material/emergency:")
        else:
            st.caption(check.none_ticked)


def render_section(section: ExpectSection, catalog: Catalog) -> None:
    st.header(section.title)
    if section.intro:
        st.markdown(section.intro)
    columns = st.columns(2, gap="medium")
    for index, item in enumerate(section.items):
        with columns[index % 2], st.container(border=True):
            st.markdown(f"**{item.heading}**")
            st.markdown(markdown_safe(item.text))
            if item.citations:
                st.caption(source_links(catalog.studies, item.citations))


def render_course(course: CourseSection, catalog: Catalog) -> None:
    st.header(course.title)
    st.markdown(course.intro)
    st.caption(source_links(catalog.studies, course.citations))
    defaults = course.defaults
    controls = st.columns([2, 2, 3], vertical_alignment="bottom")
    start: date = controls[0].date_input("First session", value=date.today(), key=START_KEY)
    per_week: int = controls[1].radio(
        "Sessions a week at first",
        PER_WEEK_CHOICES,
        index=PER_WEEK_CHOICES.index(defaults.sessions_per_week)
        if defaults.sessions_per_week in PER_WEEK_CHOICES
        else 0,
        horizontal=True,
        key=PER_WEEK_KEY,
    )
    low, high = WEEKS_SLIDER_RANGE
    weeks: int = controls[2].slider(
        "Weeks of regular sessions before spacing them out",
        min_value=low,
        max_value=max(high, defaults.weekly_weeks),
        value=defaults.weekly_weeks,
        key=WEEKS_KEY,
    )
    plan = build_course_plan(
        start,
        weekly_weeks=weeks,
        sessions_per_week=per_week,
        fortnightly_visits=defaults.fortnightly_visits,
        monthly_visits=defaults.monthly_visits,
        review_after_weeks=defaults.review_after_weeks,
    )
    review = review_visit(plan)
    with st.container(key="course"):
        course_figure = build_course_figure(plan)
        st.plotly_chart(
            course_figure,
            key=TIMELINE_KEY,
            config=CHART_CONFIG,
            width="stretch",
            height=chart_height(course_figure),
        )
        st.markdown(f"**Your review point:** {visit_label(review)}. {course.review}")
        st.caption(course.caption)
        with st.expander(f"All {len(plan)} dates in this plan"):
            st.markdown(
                "\n".join(
                    f"- {visit_label(visit)}" + (" (review)" if visit.review else "")
                    for visit in plan
                )
            )
