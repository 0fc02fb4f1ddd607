"""A typical course of acupuncture as dated visits, and its timeline figure.

Pure functions: the What-to-expect page passes the reader's start date and frequency in,
and draws what comes out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import plotly.graph_objects as go

Phase = Literal["weekly", "every other week", "monthly"]
PHASES: tuple[Phase, ...] = ("weekly", "every other week", "monthly")
PHASE_LABELS: dict[Phase, str] = {
    "weekly": "Regular sessions",
    "every other week": "Every other week",
    "monthly": "Monthly",
}
# Okabe-Ito colours, as on the body map; the review point also has its own marker shape.
PHASE_COLOURS: dict[Phase, str] = {
    "weekly": "#0072B2",
    "every other week": "#009E73",
    "monthly": "#56B4E9",
}
REVIEW_COLOUR = "#D55E00"
REVIEW_TRACE_NAME = "Review: has it helped?"


@dataclass(frozen=True)
class Visit:
    number: int
    day: date
    phase: Phase
    # The last visit on or before the review date: the one to ask "has this helped?" at.
    review: bool = False


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, moved back to the month's end where needed."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def build_course_plan(
    start: date,
    weekly_weeks: int,
    sessions_per_week: int = 1,
    fortnightly_visits: int = 2,
    monthly_visits: int = 2,
    review_after_weeks: int = 8,
) -> list[Visit]:
    """Regular sessions for ``weekly_weeks`` weeks, then visits every other week, then
    monthly. The review falls on the last visit on or before ``review_after_weeks``."""
    if weekly_weeks < 1 or not 1 <= sessions_per_week <= 3:
        raise ValueError("a course needs at least one week of one to three sessions a week")
    if min(fortnightly_visits, monthly_visits) < 0 or review_after_weeks < 1:
        raise ValueError("visit counts cannot be negative and the review needs a week")
    gap_in_week = 7 // sessions_per_week
    days: list[tuple[date, Phase]] = [
        (start + timedelta(weeks=week, days=session * gap_in_week), "weekly")
        for week in range(weekly_weeks)
        for session in range(sessions_per_week)
    ]
    last = start + timedelta(weeks=weekly_weeks - 1)
    for _ in range(fortnightly_visits):
        last += timedelta(weeks=2)
        days.append((last, "every other week"))
    for _ in range(monthly_visits):
        last = add_months(last, 1)
        days.append((last, "monthly"))

    review_day = start + timedelta(weeks=review_after_weeks)
    review_index = max(index for index, (day, _phase) in enumerate(days) if day <= review_day)
    return [
        Visit(number=index + 1, day=day, phase=phase, review=index == review_index)
        for index, (day, phase) in enumerate(days)
    ]


def review_visit(plan: list[Visit]) -> Visit:
    return next(visit for visit in plan if visit.review)


def visit_label(visit: Visit) -> str:
    return f"Session {visit.number} · {visit.day:%a %d %b %Y}"


def build_course_figure(plan: list[Visit]) -> go.Figure:
    """One row per phase, a marker per visit, and the review visit marked on its own."""
    if not plan:
        raise ValueError("an empty plan has nothing to draw")
    lanes = [PHASE_LABELS[phase] for phase in reversed(PHASES)]
    figure = go.Figure()
    for phase in PHASES:
        visits = [visit for visit in plan if visit.phase == phase]
        if not visits:
            continue
        figure.add_trace(
            go.Scatter(
                x=[visit.day.isoformat() for visit in visits],
                y=[PHASE_LABELS[phase]] * len(visits),
                mode="markers+text",
                name=PHASE_LABELS[phase],
                text=[str(visit.number) for visit in visits],
                textposition="top center",
                marker={"size": 14, "color": PHASE_COLOURS[phase], "symbol": "circle"},
                hovertext=[visit_label(visit) for visit in visits],
                hoverinfo="text",
            )
        )
    review = review_visit(plan)
    figure.add_trace(
        go.Scatter(
            x=[review.day.isoformat()],
            y=[PHASE_LABELS[review.phase]],
            mode="markers",
            name=REVIEW_TRACE_NAME,
            # For an open symbol the marker colour is its outline.
            marker={
                "size": 26,
                "color": REVIEW_COLOUR,
                "symbol": "diamond-open",
                "line": {"width": 3},
            },
            hovertext=[f"Review at {visit_label(review)}: has it helped?"],
            hoverinfo="text",
        )
    )
    figure.add_shape(
        type="line",
        x0=review.day.isoformat(),
        x1=review.day.isoformat(),
        y0=0,
        y1=1,
        yref="paper",
        line={"color": REVIEW_COLOUR, "width": 2, "dash": "dash"},
    )
    figure.add_annotation(
        x=review.day.isoformat(),
        y=1,
        yref="paper",
        yanchor="bottom",
        text=REVIEW_TRACE_NAME,
        showarrow=False,
        font={"color": REVIEW_COLOUR, "size": 13},
    )
    span = (plan[-1].day - plan[0].day).days
    padding = timedelta(days=max(7, span // 20))
    figure.update_layout(
        height=330,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
        xaxis={
            "type": "date",
            "range": [
                (plan[0].day - padding).isoformat(),
                (plan[-1].day + padding).isoformat(),
            ],
            "gridcolor": "#E5E5E5",
            "tickformat": "%d %b %Y",
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": lanes,
            "range": [-0.6, len(lanes) - 0.4],
            "fixedrange": True,
        },
    )
    return figure
