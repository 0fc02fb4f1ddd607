"""Study mode: locate quizzes, flashcards and saved progress, drawn from the atlas data.

Pure logic, no Streamlit: every question and answer comes from the same catalog (points,
their computed placements and their location guides) that the body map draws.

Scoring a click on the map
--------------------------
A click is scored by its straight-line distance, in B-cun, to the nearest true site of the
point in the point's own view. Plot coordinates are B-cun on both axes (x from the midline,
y above the sole), so the distance needs no conversion. "Nearest site" means a bilateral
point counts the side nearer the click, and a row of sites (Huatuojiaji) counts the nearest
site of the row.

- Within ``FULL_MARKS_WITHIN_BCUN`` (0.5 B-cun, half a thumb-width) the click earns full
  marks, ``MAX_SCORE`` (10). A click exactly on the point is distance 0 and so full marks.
- From there the score falls linearly, reaching 0 at ``ZERO_MARKS_FROM_BCUN`` (3 B-cun, a
  hand's breadth) and staying 0 beyond.
- An answer scoring under ``MISSED_BELOW_SCORE`` (half marks, i.e. farther than 1.75 B-cun)
  counts as missed: it is offered again in a "practise the missed points" round and
  counted in the saved progress.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from acupoints.catalog import Catalog
from acupoints.figures import FOCUS_RANGES
from acupoints.geometry import Placement, bcun_in_fingers
from acupoints.models import CODE_PATTERN, REGION_LABELS, VIEW_LABELS, Point, Region
from acupoints.nearby import tightest_zoom

FULL_MARKS_WITHIN_BCUN = 0.5
ZERO_MARKS_FROM_BCUN = 3.0
MAX_SCORE = 10.0
MISSED_BELOW_SCORE = MAX_SCORE / 2
ROUND_SIZE = 10
# A zoom must show the point with this much room around it, so the answer never sits on
# the edge of the map (which would give it away).
FOCUS_MARGIN_BCUN = 1.5
WHOLE_BODY = "whole body"

AskBy = Literal["code", "pinyin", "english"]
ASK_BY_LABELS: dict[AskBy, str] = {
    "code": "Code (BL23)",
    "pinyin": "Pinyin (Shenshu)",
    "english": "English name (Kidney Shu)",
}


# ---------------------------------------------------------------- scoring


def score_for_distance(distance_bcun: float) -> float:
    """Marks out of MAX_SCORE for a click this far from the point (see the module doc)."""
    if distance_bcun <= FULL_MARKS_WITHIN_BCUN:
        return MAX_SCORE
    if distance_bcun >= ZERO_MARKS_FROM_BCUN:
        return 0.0
    span = ZERO_MARKS_FROM_BCUN - FULL_MARKS_WITHIN_BCUN
    return MAX_SCORE * (ZERO_MARKS_FROM_BCUN - distance_bcun) / span


@dataclass(frozen=True)
class LocateAnswer:
    """One scored click: where the student clicked and the true site nearest to it."""

    code: str
    click_x: float
    click_y: float
    nearest: Placement
    distance_bcun: float
    score: float

    @property
    def missed(self) -> bool:
        return self.score < MISSED_BELOW_SCORE


def nearest_placement(catalog: Catalog, code: str, x: float, y: float) -> Placement:
    """The point's site nearest to (x, y): the nearer side of a bilateral point."""
    return min(catalog.placements[code], key=lambda site: math.hypot(site.x - x, site.y - y))


def score_click(catalog: Catalog, code: str, x: float, y: float) -> LocateAnswer:
    """Score a click at plot position (x, y), in the point's own view, against ``code``."""
    nearest = nearest_placement(catalog, code, x, y)
    distance = math.hypot(nearest.x - x, nearest.y - y)
    return LocateAnswer(code, x, y, nearest, distance, score_for_distance(distance))


def distance_in_fingers(distance_bcun: float) -> str:
    """The distance as the finger-widths a student would measure it with on a body.

    Rounded to the half B-cun, the finest step the finger measures of the standard use.
    """
    rounded = round(distance_bcun * 2) / 2
    if rounded <= 0:
        return "right on it"
    return bcun_in_fingers(rounded)


def focus_for_point(catalog: Catalog, code: str) -> str:
    """The tightest zoom of the map that shows every site of the point with room around it."""
    sites = catalog.placements[code]
    return tightest_zoom(((site.x, site.y) for site in sites), FOCUS_MARGIN_BCUN)


def feedback_markdown(catalog: Catalog, answer: LocateAnswer) -> str:
    """What the student reads after a click: marks, distance, and where to start finding it."""
    point = catalog.points[answer.code]
    distance = answer.distance_bcun
    if distance <= FULL_MARKS_WITHIN_BCUN:
        verdict = "Spot on."
    elif not answer.missed:
        verdict = "Close."
    else:
        verdict = "Not quite."
    sites = len(catalog.placements[answer.code])
    side = ""
    if sites == 2 and answer.nearest.side != "midline":
        side = f", measured to the body's {answer.nearest.side} side, the one nearer your click"
    elif sites > 2:
        side = f", measured to the nearest of its {sites} sites"
    return (
        f"**{verdict} {answer.score:.1f} of {MAX_SCORE:g} marks.**\n\n"
        f"Your click was **{distance:.1f} B-cun** from {point.code} "
        f"({distance_in_fingers(distance)}){side}.\n\n"
        f"**First step to find it:** {point.guide[0]}"
    )


# ---------------------------------------------------------------- questions and rounds


def eligible_codes(
    catalog: Catalog,
    regions: Collection[Region] = (),
    meridians: Collection[str] = (),
    only: Collection[str] | None = None,
) -> list[str]:
    """Codes passing the filters (an empty filter lets everything through), in a stable order."""
    return sorted(
        code
        for code, point in catalog.points.items()
        if (not regions or point.region in regions)
        and (not meridians or point.meridian in meridians)
        and (only is None or code in only)
    )


def build_questions(
    catalog: Catalog,
    *,
    seed: int,
    size: int = ROUND_SIZE,
    regions: Collection[Region] = (),
    meridians: Collection[str] = (),
    only: Collection[str] | None = None,
) -> tuple[str, ...]:
    """The points of one round: filtered, never repeated, in an order fixed by ``seed``.

    A round is shorter than ``size`` when fewer points pass the filters.
    """
    pool = eligible_codes(catalog, regions, meridians, only)
    return tuple(random.Random(seed).sample(pool, min(size, len(pool))))


def question_prompt(point: Point, ask_by: AskBy) -> str:
    """How the quiz names the point, as the student chose."""
    if ask_by == "pinyin":
        return point.pinyin
    if ask_by == "english":
        return point.english
    return point.code


@dataclass(frozen=True)
class QuizRound:
    """A round of locate questions; a new value is made for every step (it is never mutated).

    ``reviewing`` is true while the feedback for the latest answer is on screen.
    """

    number: int
    seed: int
    ask_by: AskBy
    codes: tuple[str, ...]
    answers: tuple[LocateAnswer, ...] = ()
    reviewing: bool = False

    @property
    def finished(self) -> bool:
        return len(self.answers) >= len(self.codes) and not self.reviewing

    @property
    def current_code(self) -> str | None:
        """The point being asked, or whose feedback is showing; None when the round is over."""
        if self.reviewing:
            return self.answers[-1].code
        if self.finished:
            return None
        return self.codes[len(self.answers)]

    @property
    def question_number(self) -> int:
        """1-based number of the question on screen."""
        return len(self.answers) if self.reviewing else len(self.answers) + 1

    def answer(self, answer: LocateAnswer) -> QuizRound:
        if self.reviewing or self.finished or answer.code != self.current_code:
            raise ValueError("this round is not waiting for an answer to that point")
        return replace(self, answers=(*self.answers, answer), reviewing=True)

    def next_question(self) -> QuizRound:
        return replace(self, reviewing=False)


@dataclass(frozen=True)
class RoundSummary:
    questions: int
    total_score: float
    max_score: float
    average_distance_bcun: float
    # Missed points of this round, farthest first.
    missed: tuple[str, ...] = field(default_factory=tuple)


def summarize_round(quiz: QuizRound) -> RoundSummary:
    answers = quiz.answers
    missed = sorted((a for a in answers if a.missed), key=lambda a: -a.distance_bcun)
    return RoundSummary(
        questions=len(answers),
        total_score=sum(a.score for a in answers),
        max_score=MAX_SCORE * len(answers),
        average_distance_bcun=(
            sum(a.distance_bcun for a in answers) / len(answers) if answers else 0.0
        ),
        missed=tuple(a.code for a in missed),
    )


# ---------------------------------------------------------------- flashcards

CardFace = Literal["code", "names", "guide", "region"]
CARD_FACE_LABELS: dict[CardFace, str] = {
    "code": "Code",
    "names": "Names",
    "guide": "How to find it",
    "region": "Region",
}


def card_face_markdown(catalog: Catalog, code: str, face: CardFace) -> str:
    """One side of a flashcard, as Markdown."""
    point = catalog.points[code]
    if face == "code":
        return f"## {point.code}"
    if face == "names":
        characters = point.characters.simplified
        return f"**{point.pinyin}** {characters}  \n{point.english}"
    if face == "guide":
        return "\n".join(f"{index}. {step}" for index, step in enumerate(point.guide, start=1))
    return f"**{REGION_LABELS[point.region]}**, on the {VIEW_LABELS[point.view].lower()}"


def build_deck(
    catalog: Catalog,
    *,
    seed: int,
    regions: Collection[Region] = (),
    meridians: Collection[str] = (),
) -> tuple[str, ...]:
    """Every point passing the filters, shuffled by ``seed``."""
    deck = eligible_codes(catalog, regions, meridians)
    random.Random(seed).shuffle(deck)
    return tuple(deck)


# ---------------------------------------------------------------- saved progress

PROGRESS_FORMAT = "back-pain-acupoint-atlas/study-progress"
PROGRESS_VERSION = 1
MAX_PROGRESS_BYTES = 64 * 1024
MAX_ROUNDS_KEPT = 200
MAX_COUNT = 1_000_000
PointCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN.pattern, max_length=12)]


class _Saved(BaseModel):
    # strict: "3" is not 3, and NaN or infinity never passes as a number.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class PointProgress(_Saved):
    attempts: Annotated[int, Field(ge=1, le=MAX_COUNT)]
    misses: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    total_score: Annotated[float, Field(ge=0, le=MAX_COUNT * MAX_SCORE)]
    total_distance_bcun: Annotated[float, Field(ge=0, le=MAX_COUNT * 100)]

    @property
    def average_distance_bcun(self) -> float:
        return self.total_distance_bcun / self.attempts


class RoundRecord(_Saved):
    questions: Annotated[int, Field(ge=1, le=1000)]
    total_score: Annotated[float, Field(ge=0, le=1000 * MAX_SCORE)]
    average_distance_bcun: Annotated[float, Field(ge=0, le=100)]


class Progress(_Saved):
    """What the student can download and load again: counts per point, and past rounds."""

    format: Literal["back-pain-acupoint-atlas/study-progress"] = PROGRESS_FORMAT
    version: Literal[1] = PROGRESS_VERSION
    points: Annotated[dict[PointCode, PointProgress], Field(max_length=500)] = {}
    rounds: Annotated[list[RoundRecord], Field(max_length=MAX_ROUNDS_KEPT)] = []
    last_missed: Annotated[list[PointCode], Field(max_length=1000)] = []


class ProgressError(ValueError):
    """An uploaded progress file that cannot be used; the message is safe to show as is."""


def record_answer(progress: Progress, answer: LocateAnswer) -> Progress:
    previous = progress.points.get(answer.code)
    updated = PointProgress(
        attempts=(previous.attempts if previous else 0) + 1,
        misses=(previous.misses if previous else 0) + int(answer.missed),
        total_score=(previous.total_score if previous else 0.0) + answer.score,
        total_distance_bcun=(previous.total_distance_bcun if previous else 0.0)
        + answer.distance_bcun,
    )
    return progress.model_copy(update={"points": {**progress.points, answer.code: updated}})


def record_round(progress: Progress, summary: RoundSummary) -> Progress:
    """Add a finished round; the oldest rounds drop off so the file stays small."""
    if summary.questions == 0:
        return progress
    record = RoundRecord(
        questions=summary.questions,
        total_score=summary.total_score,
        average_distance_bcun=summary.average_distance_bcun,
    )
    rounds = [*progress.rounds, record][-MAX_ROUNDS_KEPT:]
    return progress.model_copy(update={"rounds": rounds, "last_missed": list(summary.missed)})


def most_missed(progress: Progress, limit: int = 5) -> list[tuple[str, PointProgress]]:
    """Points missed at least once, most misses first, then the farthest on average."""
    missed = [(code, record) for code, record in progress.points.items() if record.misses]
    missed.sort(key=lambda item: (-item[1].misses, -item[1].average_distance_bcun, item[0]))
    return missed[:limit]


def progress_to_json(progress: Progress) -> bytes:
    return progress.model_dump_json(indent=1).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _field_name(location: tuple[Any, ...]) -> str:
    """A validation error's location, with anything the file itself named masked out, so a
    hostile key never reaches the page."""
    known = set(Progress.model_fields) | set(PointProgress.model_fields)
    known |= set(RoundRecord.model_fields)
    parts = []
    for part in location:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part in known or (isinstance(part, str) and CODE_PATTERN.match(part)):
            parts.append(f".{part}")
        else:
            parts.append(".(an unexpected entry)")
    return "".join(parts).lstrip(".") or "the file as a whole"


def parse_progress(data: bytes, catalog: Catalog) -> Progress:
    """Read an uploaded progress file; raise ProgressError with a message safe to show.

    Every check happens before anything is returned, so a bad file changes nothing.
    """
    if len(data) > MAX_PROGRESS_BYTES:
        raise ProgressError(
            f"That file is too large to be a progress file from this page "
            f"(the limit is {MAX_PROGRESS_BYTES // 1024} KB)."
        )
    try:
        text = data.decode("utf-8")
        raw = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProgressError(
            "That file is not a progress file: it is not valid JSON text."
        ) from None
    if not isinstance(raw, Mapping) or raw.get("format") != PROGRESS_FORMAT:
        raise ProgressError(
            "That file is not a progress file from this page. Download your progress here "
            "first, then load that file."
        )
    try:
        progress = Progress.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        # pydantic's messages describe the rule, never the value, so they are safe to show.
        problem = first["msg"]
        if "[key]" in location:
            # A dict entry named by something other than a point code.
            location = location[: location.index("[key]") - 1]
            problem = "every entry must be named by a point code such as BL23"
        raise ProgressError(
            f"That progress file has a problem, so nothing was loaded: "
            f"{_field_name(location)}: {problem} "
            f"({error.error_count()} problem(s) in all)."
        ) from None
    unknown = sorted(
        {code for code in [*progress.points, *progress.last_missed] if code not in catalog.points}
    )
    if unknown:
        shown = ", ".join(unknown[:5]) + (" and others" if len(unknown) > 5 else "")
        raise ProgressError(
            f"That progress file names points this atlas does not have ({shown}), "
            "so nothing was loaded."
        )
    for code, record in progress.points.items():
        if record.misses > record.attempts or record.total_score > record.attempts * MAX_SCORE:
            raise ProgressError(
                f"That progress file does not add up for {code} (more misses or marks than "
                "attempts), so nothing was loaded."
            )
    return progress


# ---------------------------------------------------------------- reading a click


def selected_position(chart_state: Any) -> tuple[float, float] | None:
    """(x, y) of the first selected point in a Plotly chart selection, or None.

    The selection comes from the browser, so anything that is not a finite number is
    ignored rather than trusted.
    """
    try:
        first = chart_state["selection"]["points"][0]
        x, y = first["x"], first["y"]
    except (KeyError, IndexError, TypeError):
        return None
    for value in (x, y):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not math.isfinite(value):
            return None
    return float(x), float(y)


def within_focus(focus: str, x: float, y: float) -> bool:
    """Whether a position lies inside a zoom range of the map (a genuine click always does)."""
    (x_min, x_max), (y_min, y_max) = FOCUS_RANGES.get(focus, FOCUS_RANGES[WHOLE_BODY])
    return x_min <= x <= x_max and y_min <= y <= y_max


@dataclass(frozen=True)
class UploadOutcome:
    """The progress to keep after an upload, and what to tell the student."""

    progress: Progress
    loaded: bool
    message: str


def load_progress_upload(current: Progress, data: bytes, catalog: Catalog) -> UploadOutcome:
    """Replace ``current`` with an uploaded file's progress, or keep it and say why not."""
    try:
        progress = parse_progress(data, catalog)
    except ProgressError as error:
        return UploadOutcome(current, False, str(error))
    return UploadOutcome(
        progress,
        True,
        f"Progress loaded: {len(progress.points)} point(s) practised, "
        f"{len(progress.rounds)} round(s) finished.",
    )
