"""What the "What to expect" and "What the research shows" pages say: models and loading.

The words live in ``data/expect.yaml`` and ``data/research.yaml``. They are read with the
strict YAML loader, validated into frozen models, and cross-checked against the evidence
registry: every citation must name a study, every chart must find its figures there, and
no item may state a number unless it also names its sources. All problems are collected
and raised together as one DataError, each with its file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from acupoints.catalog import data_dir, validate
from acupoints.models import Figure, Strict, Study
from acupoints.yaml_io import (
    DataError,
    FieldPath,
    LoadedYaml,
    Problem,
    format_field,
    load_yaml_file,
)

EXPECT_FILE = "expect.yaml"
RESEARCH_FILE = "research.yaml"
# Keys whose values are identifiers, not statements, so digits in them are not figures.
IDENTIFIER_KEYS = frozenset({"id", "study", "citations", "unit"})
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

NonEmpty = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
ModelT = TypeVar("ModelT", bound=BaseModel)


# ---------------------------------------------------------------- What to expect


class SourcedText(Strict):
    """One short paragraph under a heading; ``citations`` are required if it has a figure."""

    heading: NonEmpty
    text: NonEmpty
    citations: list[NonEmpty] = Field(default_factory=list)


class ExpectSection(Strict):
    title: NonEmpty
    intro: str | None = None
    items: list[SourcedText] = Field(min_length=1)


class RedFlag(Strict):
    id: Slug
    label: NonEmpty


class RedFlagCheck(Strict):
    title: NonEmpty
    intro: NonEmpty
    signs: list[RedFlag] = Field(min_length=7)
    alert: NonEmpty
    none_ticked: NonEmpty
    # The guidelines the list follows; the ages in it are numbers and must be sourced.
    citations: list[NonEmpty] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> RedFlagCheck:
        ids = [sign.id for sign in self.signs]
        repeated = sorted({sign_id for sign_id in ids if ids.count(sign_id) > 1})
        if repeated:
            raise ValueError(f"sign ids must be unique: {', '.join(repeated)}")
        return self


class CoursePlanDefaults(Strict):
    """The typical course the timeline starts from; the reader can change some of it."""

    sessions_per_week: Annotated[int, Field(ge=1, le=3)]
    weekly_weeks: Annotated[int, Field(ge=1, le=26)]
    fortnightly_visits: Annotated[int, Field(ge=0, le=12)]
    monthly_visits: Annotated[int, Field(ge=0, le=12)]
    review_after_weeks: Annotated[int, Field(ge=1, le=26)]


class CourseSection(Strict):
    title: NonEmpty
    intro: NonEmpty
    review: NonEmpty
    caption: NonEmpty
    defaults: CoursePlanDefaults
    citations: list[NonEmpty] = Field(min_length=1)


class ExpectContent(Strict):
    red_flags: RedFlagCheck
    before: ExpectSection
    during: ExpectSection
    after: ExpectSection
    course: CourseSection
    ask_a_doctor_first: ExpectSection
    alongside: ExpectSection

    def sections(self) -> list[ExpectSection]:
        """The plain sections in page order (the course is drawn after "after")."""
        return [self.before, self.during, self.after, self.ask_a_doctor_first, self.alongside]


# ---------------------------------------------------------------- What the research shows

ArmKind = Literal["acupuncture", "sham", "comparison"]


class CitedParagraph(Strict):
    text: NonEmpty
    citations: list[NonEmpty] = Field(min_length=1)


class ChartSeries(Strict):
    """The figures of one study with one unit, e.g. haake2007's "% responders"."""

    study: NonEmpty
    unit: NonEmpty
    name: str | None = None


class StudyChart(Strict):
    id: Slug
    title: NonEmpty
    y_title: NonEmpty
    caption: NonEmpty
    series: list[ChartSeries] = Field(min_length=1)
    # What each bar is (real needling, sham, or a non-needling comparison), by figure label.
    arms: dict[str, ArmKind] = Field(default_factory=dict)
    citations: list[NonEmpty] = Field(min_length=1)


class ClaimCheck(Strict):
    claim: NonEmpty
    found: NonEmpty
    citations: list[NonEmpty] = Field(min_length=1)


class GuidelineRow(Strict):
    body: NonEmpty
    year: Annotated[int, Field(ge=1950, le=2100)]
    back_pain: NonEmpty
    advice: NonEmpty
    citations: list[NonEmpty] = Field(min_length=1)


class ResearchContent(Strict):
    summary: list[CitedParagraph] = Field(min_length=1)
    charts_intro: NonEmpty
    charts: list[StudyChart] = Field(min_length=1)
    claims_intro: NonEmpty
    claims: list[ClaimCheck] = Field(min_length=6)
    guidelines_intro: NonEmpty
    guidelines: list[GuidelineRow] = Field(min_length=2)

    def chart(self, chart_id: str) -> StudyChart:
        return next(chart for chart in self.charts if chart.id == chart_id)


# ---------------------------------------------------------------- pure helpers


def select_figures(study: Study, unit: str) -> list[Figure]:
    """The study's figures reported in ``unit``, in registry order."""
    return [figure for figure in study.figures if figure.unit == unit]


def markdown_safe(text: str) -> str:
    """Streamlit reads ``$...$`` as mathematics; prices must show as dollars."""
    return text.replace("$", r"\$")


def short_citation(study: Study) -> str:
    """A compact "Author year" label: "Haake 2007" from "GERAC low back pain trial (Haake
    2007)", "Cherkin 2009" from "Cherkin 2009 (four-arm trial)"; else the full short name."""
    before, _, inside = study.short.partition("(")
    inside = inside.removesuffix(")")
    year = str(study.year)
    for candidate in (inside.strip(), before.strip()):
        if year in candidate and candidate != year:
            return candidate
    return study.short


def source_links(studies: Mapping[str, Study], ids: Iterable[str]) -> str:
    """``Sources: [GERAC ...](https://doi.org/...); ...`` for a caption under an item."""
    links = [f"[{studies[study_id].short}]({studies[study_id].link})" for study_id in ids]
    if not links:
        return ""
    return ("Source: " if len(links) == 1 else "Sources: ") + "; ".join(links)


def _walk(
    data: Any, path: FieldPath = (), cited: bool = False
) -> Iterator[tuple[FieldPath, Any, bool]]:
    """Every (path, scalar value, cited) below ``data``; ``cited`` when an enclosing
    mapping carries a non-empty ``citations`` list."""
    if isinstance(data, dict):
        cited = cited or bool(data.get("citations"))
        for key, value in data.items():
            if key not in IDENTIFIER_KEYS:
                yield from _walk(value, (*path, str(key)), cited)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, index), cited)
    else:
        yield path, data, cited


def _states_a_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_DIGIT.search(value))


def uncited_numbers(loaded: LoadedYaml) -> list[Problem]:
    """A Problem for every number (in text or as a value) on an item without citations."""
    return [
        Problem(
            loaded.file,
            loaded.line_of(path),
            format_field(path),
            "states a number but neither it nor an enclosing item has 'citations'",
        )
        for path, value, cited in _walk(loaded.data)
        if not cited and _states_a_number(value)
    ]


def _citation_references(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """(path, study id) for every entry of a ``citations`` list and every ``study`` value."""
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, str(key))
            if key == "citations" and isinstance(value, list):
                for index, study_id in enumerate(value):
                    yield (*child, index), study_id
            elif key == "study":
                yield child, value
            else:
                yield from _citation_references(value, child)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _citation_references(value, (*path, index))


def unknown_citations(loaded: LoadedYaml, studies: Mapping[str, Study]) -> list[Problem]:
    return [
        Problem(loaded.file, loaded.line_of(path), format_field(path), f"unknown citation '{ref}'")
        for path, ref in _citation_references(loaded.data)
        if not isinstance(ref, str) or ref not in studies
    ]


def numbers_in(text: str) -> list[str]:
    """Numbers as written: ``229,230``, ``8.6``, ``2017``."""
    return [match.rstrip(",") for match in _NUMBER.findall(text)]


def _as_number(token: str) -> float:
    return float(token.replace(",", ""))


def _source_numbers(study: Study) -> set[float]:
    """Every number a registry entry states, with rounded versions of its figures, so that
    "about 9 in 100" can trace to 8.6%."""
    found: set[float] = {float(study.year)}
    texts = [study.title, study.journal, study.design, study.size, study.summary]
    for figure in study.figures:
        found |= {figure.value, round(figure.value), round(figure.value, 1)}
        if figure.n is not None:
            found.add(float(figure.n))
        texts += [figure.label, figure.unit, figure.group or "", figure.measure or ""]
        if "%" in figure.unit:
            found.add(100.0)  # "6 in 100" restates a percentage
    for text in texts:
        found |= {_as_number(token) for token in numbers_in(text)}
    return found


def numbers_not_in_sources(text: str, sources: Iterable[Study]) -> list[str]:
    """Numbers in ``text`` that none of ``sources`` states (allowing for rounding)."""
    known: set[float] = set()
    for study in sources:
        known |= _source_numbers(study)
    return [token for token in numbers_in(text) if _as_number(token) not in known]


# ---------------------------------------------------------------- loading


def _load_page_file(
    name: str, model: type[ModelT], studies: Mapping[str, Study], folder: Path | None
) -> tuple[ModelT | None, LoadedYaml | None, list[Problem]]:
    folder = folder or data_dir()
    path = folder / name
    if not path.exists():
        return None, None, [Problem(f"data/{name}", None, "", "required file is missing")]
    loaded = load_yaml_file(path, shown_as=str(path.relative_to(folder.parent)))
    problems = uncited_numbers(loaded) + unknown_citations(loaded, studies)
    content = validate(loaded, model, problems)
    return content, loaded, problems


def load_expect_content(studies: Mapping[str, Study], folder: Path | None = None) -> ExpectContent:
    """The What-to-expect page content. Raises DataError listing every problem."""
    content, _loaded, problems = _load_page_file(EXPECT_FILE, ExpectContent, studies, folder)
    if problems or content is None:
        raise DataError(problems)
    return content


def _chart_problems(
    content: ResearchContent, loaded: LoadedYaml, studies: Mapping[str, Study]
) -> list[Problem]:
    problems: list[Problem] = []

    def report(path: FieldPath, message: str) -> None:
        problems.append(Problem(loaded.file, loaded.line_of(path), format_field(path), message))

    seen: set[str] = set()
    for chart_index, chart in enumerate(content.charts):
        where: FieldPath = ("charts", chart_index)
        if chart.id in seen:
            report((*where, "id"), f"duplicate chart id '{chart.id}'")
        seen.add(chart.id)
        labels: set[str] = set()
        for series_index, series in enumerate(chart.series):
            series_path = (*where, "series", series_index)
            if series.study not in studies:
                continue  # already reported as an unknown citation
            if series.study not in chart.citations:
                report((*series_path, "study"), f"'{series.study}' is charted but not cited")
            figures = select_figures(studies[series.study], series.unit)
            if not figures:
                report(
                    (*series_path, "unit"),
                    f"study '{series.study}' has no figures in unit '{series.unit}'",
                )
            series_labels = [figure.label for figure in figures]
            if len(set(series_labels)) < len(series_labels):
                report(
                    (*series_path, "unit"),
                    f"study '{series.study}' has several '{series.unit}' figures with one label",
                )
            labels |= set(series_labels)
        for label in chart.arms:
            if label not in labels:
                report((*where, "arms", label), f"no charted figure is labelled '{label}'")
    return problems


def load_research_content(
    studies: Mapping[str, Study], folder: Path | None = None
) -> ResearchContent:
    """The research page content. Raises DataError listing every problem."""
    content, loaded, problems = _load_page_file(RESEARCH_FILE, ResearchContent, studies, folder)
    if content is not None and loaded is not None:
        problems += _chart_problems(content, loaded, studies)
    if problems or content is None:
        raise DataError(problems)
    return content


# ---------------------------------------------------------------- text the reader sees


def expect_patient_texts(content: ExpectContent) -> dict[str, str]:
    """Each block of reader-facing words on the What-to-expect page, by a readable name."""
    flags = content.red_flags
    texts = {
        "red_flags": " ".join(
            [flags.intro, *(sign.label for sign in flags.signs), flags.alert, flags.none_ticked]
        ),
        "course": " ".join([content.course.intro, content.course.review, content.course.caption]),
    }
    for section in content.sections():
        for item in section.items:
            texts[f"{section.title}: {item.heading}"] = f"{item.heading}. {item.text}"
        if section.intro:
            texts[f"{section.title}: introduction"] = section.intro
    return texts


def research_patient_texts(content: ResearchContent) -> dict[str, str]:
    texts = {f"summary {index}": p.text for index, p in enumerate(content.summary, start=1)}
    texts["charts"] = content.charts_intro
    texts |= {f"chart {chart.id}": chart.caption for chart in content.charts}
    texts["claims"] = content.claims_intro
    texts |= {f"claim: {claim.claim}": claim.found for claim in content.claims}
    texts["guidelines"] = content.guidelines_intro
    texts |= {
        f"guideline {index}: {row.body}": row.advice
        for index, row in enumerate(content.guidelines, start=1)
    }
    return texts
