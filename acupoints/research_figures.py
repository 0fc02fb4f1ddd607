"""Bar charts of trial results, drawn only from the figures in the evidence registry.

Which numbers a chart shows is chosen in ``data/research.yaml`` (a study and a unit); the
numbers themselves always come from ``data/evidence.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from acupoints.models import Figure, Study
from acupoints.pages_content import ArmKind, StudyChart, select_figures

# Okabe-Ito colours. Real needling is dark blue, sham light blue, and the non-needling
# comparison orange; the bar labels name every arm, so colour is never the only cue.
ARM_COLOURS: dict[ArmKind, str] = {
    "acupuncture": "#0072B2",
    "sham": "#56B4E9",
    "comparison": "#E69F00",
}
SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
ARM_LEGEND: dict[ArmKind, str] = {
    "acupuncture": "Real acupuncture",
    "sham": "Sham or minimal acupuncture",
    "comparison": "No acupuncture",
}


def _hover(study: Study, figure: Figure) -> str:
    parts = [f"<b>{figure.label}</b>: {figure.value:g} {figure.unit}"]
    if figure.measure:
        parts.append(figure.measure)
    if figure.n is not None:
        parts.append(f"{figure.n:,} people in this group")
    parts.append(study.short)
    return "<br>".join(parts)


def _bar(study: Study, figures: list[Figure], name: str, colour: str) -> go.Bar:
    return go.Bar(
        x=[item.label for item in figures],
        y=[item.value for item in figures],
        name=name,
        marker={"color": colour},
        text=[f"{item.value:g}" for item in figures],
        textposition="outside",
        cliponaxis=False,
        hovertext=[_hover(study, item) for item in figures],
        hoverinfo="text",
        customdata=[study.id] * len(figures),
    )


def build_study_chart(chart: StudyChart, studies: Mapping[str, Study]) -> go.Figure:
    """Bars of registry figures. One study with ``arms`` gives a trace per kind of arm (real,
    sham, no acupuncture) so the legend explains the colours; several studies (for example
    two meta-analyses) are grouped side by side, a trace per study."""
    figure = go.Figure()
    order: list[str] = []
    if len(chart.series) == 1 and chart.arms:
        series = chart.series[0]
        study = studies[series.study]
        figures = select_figures(study, series.unit)
        order = [item.label for item in figures]
        for kind, colour in ARM_COLOURS.items():
            of_kind = [item for item in figures if chart.arms.get(item.label) == kind]
            if of_kind:
                figure.add_trace(_bar(study, of_kind, ARM_LEGEND[kind], colour))
        # Stacking bars that never share a category keeps each bar full width.
        barmode = "stack"
    else:
        for index, series in enumerate(chart.series):
            study = studies[series.study]
            figures = select_figures(study, series.unit)
            order += [item.label for item in figures if item.label not in order]
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            figure.add_trace(_bar(study, figures, series.name or study.short, colour))
        barmode = "group"
    top = max((max(trace.y) for trace in figure.data), default=0)
    figure.update_layout(
        title={"text": chart.title, "font": {"size": 15}},
        barmode=barmode,
        height=400,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.22,
            "x": 0,
            "traceorder": "normal",
        },
        yaxis={
            "title": {"text": chart.y_title},
            "range": [0, top * 1.2 if top > 0 else 1],
            "gridcolor": "#E5E5E5",
            "zeroline": True,
            "zerolinecolor": "#8C8C8C",
        },
        xaxis={
            "categoryorder": "array",
            "categoryarray": order,
            "tickvals": order,
            "ticktext": [_wrap(label) for label in order],
        },
    )
    return figure


def _wrap(label: str, width: int = 14) -> str:
    """Break long axis labels over lines so four bars fit in half a page."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)
