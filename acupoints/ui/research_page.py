"""The research page: a plain summary, charts from the registry, claims checked, guidelines."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from acupoints.catalog import Catalog
from acupoints.pages_content import (
    ResearchContent,
    markdown_safe,
    short_citation,
    source_links,
)
from acupoints.panel import citation_markdown
from acupoints.research_figures import build_study_chart
from acupoints.ui.charts import chart_height
from acupoints.ui.content import get_research_content

CHART_CONFIG = {"displayModeBar": False, "responsive": True}


def render_research_page(catalog: Catalog) -> None:
    content = get_research_content(catalog)
    st.title("What the research shows")
    with st.container(key="summary"):
        for paragraph in content.summary:
            st.markdown(paragraph.text)
            st.caption(source_links(catalog.studies, paragraph.citations))
    render_charts(content, catalog)
    render_claims(content, catalog)
    render_guidelines(content, catalog)
    with st.expander("Every study cited on this page"):
        st.markdown(citation_markdown(catalog, cited_ids(content)))


def cited_ids(content: ResearchContent) -> list[str]:
    """Each cited study once, in order of first mention."""
    groups: Iterable[list[str]] = [
        *(paragraph.citations for paragraph in content.summary),
        *(chart.citations for chart in content.charts),
        *(claim.citations for claim in content.claims),
        *(row.citations for row in content.guidelines),
    ]
    return list(dict.fromkeys(study_id for group in groups for study_id in group))


def _cell(text: str) -> str:
    return markdown_safe(text).replace("|", r"\|").replace("\n", " ")


def _citation_cell(catalog: Catalog, ids: list[str]) -> str:
    return "; ".join(
        f"[{short_citation(catalog.studies[study_id])}]({catalog.studies[study_id].link})"
        for study_id in ids
    )


def render_charts(content: ResearchContent, catalog: Catalog) -> None:
    st.header("What the trials found")
    st.markdown(content.charts_intro)
    columns = st.columns(2, gap="medium")
    for index, chart in enumerate(content.charts):
        with columns[index % 2], st.container(border=True, key=f"chart-{chart.id}"):
            study_figure = build_study_chart(chart, catalog.studies)
            st.plotly_chart(
                study_figure,
                key=f"research_chart_{chart.id}",
                config=CHART_CONFIG,
                width="stretch",
                height=chart_height(study_figure),
            )
            st.markdown(chart.caption)
            st.caption(source_links(catalog.studies, chart.citations))


def render_claims(content: ResearchContent, catalog: Catalog) -> None:
    st.header("What articles claim, and what studies found")
    st.markdown(content.claims_intro)
    rows = [
        "| What articles claim | What the studies found | Sources |",
        "|---|---|---|",
        *(
            f"| {_cell(claim.claim)} | {_cell(claim.found)} | "
            f"{_citation_cell(catalog, claim.citations)} |"
            for claim in content.claims
        ),
    ]
    with st.container(key="claims"):
        st.markdown("\n".join(rows))


def render_guidelines(content: ResearchContent, catalog: Catalog) -> None:
    st.header("What guidelines advise")
    st.markdown(content.guidelines_intro)
    rows = [
        "| Who | When | Which back pain | What they advise | Source |",
        "|---|---|---|---|---|",
        *(
            f"| {_cell(row.body)} | {row.year} | {_cell(row.back_pain)} | {_cell(row.advice)} | "
            f"{_citation_cell(catalog, row.citations)} |"
            for row in content.guidelines
        ),
    ]
    with st.container(key="guidelines"):
        st.markdown("\n".join(rows))
