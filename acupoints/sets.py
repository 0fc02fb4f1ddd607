"""Treatment sets: a named list of points, read from and written to a shareable link.

A set travels in the URL as ``?set=BL23,BL40,GV4``. Links are typed, pasted and edited
by people, so reading one never fails: unknown codes are named and skipped, anything that
is not even shaped like a code is counted but never repeated back, duplicates are
dropped, and very long values are cut. The set's name and per-point notes are kept out of
the URL on purpose: notes about a patient should not end up in browser history or logs.

Well-known sets come from the evidence registry (a trial's ``protocol_points``) through
``data/sets.yaml``, which names the study but never retypes its codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from acupoints.catalog import Catalog, data_dir, validate
from acupoints.models import CODE_PATTERN, Strict, Study
from acupoints.yaml_io import DataError, LoadedYaml, Problem, load_yaml_file

SET_PARAM = "set"
SETS_FILE = "sets.yaml"
MAX_SET_POINTS = 20
# Twenty codes of up to six characters with separators fit comfortably in this.
MAX_SET_PARAM_CHARS = 200
MAX_NAME_CHARS = 60
MAX_NOTE_CHARS = 160
DEFAULT_SET_NAME = "Treatment set"
_SEPARATORS = re.compile(r"[,;\s]+")
_SEPARATOR_CHARS = ",; \t\n\r"

SourceKind = Literal["used_in_trial"]
SOURCE_LABELS: dict[SourceKind, str] = {"used_in_trial": "used in a trial"}

NonEmpty = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


# ---------------------------------------------------------------- the link


@dataclass(frozen=True)
class SetLink:
    """What a ``?set=`` value resolved to: the known codes, and a notice safe to show."""

    codes: tuple[str, ...]
    unknown: tuple[str, ...] = ()
    unreadable: int = 0
    duplicates: int = 0
    too_long: bool = False

    @property
    def notice(self) -> str | None:
        parts: list[str] = []
        if self.unknown:
            names = ", ".join(self.unknown)
            parts.append(f"This atlas has no point called {names}, so the set leaves it out.")
        if self.unreadable:
            parts.append(
                "1 entry in the link is not a point code and was left out."
                if self.unreadable == 1
                else f"{self.unreadable} entries in the link are not point codes and were left out."
            )
        if self.too_long:
            parts.append(
                f"The link was longer than a set can be; only its first {MAX_SET_POINTS} "
                "points were read."
            )
        return " ".join(parts) if parts else None


def _cut(value: str) -> tuple[str, bool]:
    """The first MAX_SET_PARAM_CHARS characters, ending on a separator so that a code cut
    in half (``GV14`` -> ``GV1``) never turns into a different, real point."""
    if len(value) <= MAX_SET_PARAM_CHARS:
        return value, False
    head = value[: MAX_SET_PARAM_CHARS + 1]
    last_break = max(head.rfind(char) for char in _SEPARATOR_CHARS)
    return (head[:last_break] if last_break > 0 else ""), True


def parse_set_param(known_codes: Collection[str], value: str | None) -> SetLink:
    """Read a ``?set=`` value: ``"bl23, BL40;gv4"`` -> ``("BL23", "BL40", "GV4")``."""
    if not value:
        return SetLink(())
    text, too_long = _cut(value)
    codes: list[str] = []
    unknown: list[str] = []
    unreadable = duplicates = 0
    for token in _SEPARATORS.split(text.strip()):
        if not token:
            continue
        candidate = token.upper()
        if not candidate.isascii() or not CODE_PATTERN.match(candidate):
            unreadable += 1
        elif candidate not in known_codes:
            if candidate not in unknown:
                unknown.append(candidate)
        elif candidate in codes:
            duplicates += 1
        else:
            codes.append(candidate)
    if len(codes) > MAX_SET_POINTS:
        codes, too_long = codes[:MAX_SET_POINTS], True
    return SetLink(tuple(codes), tuple(unknown), unreadable, duplicates, too_long)


def format_set_param(codes: Iterable[str]) -> str:
    return ",".join(codes)


# ---------------------------------------------------------------- the set itself


def clean_text(text: str | None, limit: int) -> str:
    """Typed text made safe to keep and print: control and direction-override characters
    removed (they can make a note read backwards), spaces collapsed, length capped."""
    if not text:
        return ""
    kept = "".join(
        char if unicodedata.category(char)[0] != "C" else " " for char in text[: limit * 4]
    )
    return " ".join(kept.split())[:limit].strip()


@dataclass(frozen=True)
class TreatmentSet:
    """The points a practitioner chose, in their order, with a name and optional notes."""

    codes: tuple[str, ...]
    name: str = DEFAULT_SET_NAME
    # (code, note) pairs rather than a dict, so that a set can key a cache.
    notes: tuple[tuple[str, str], ...] = ()

    def note(self, code: str) -> str:
        return dict(self.notes).get(code, "")


def build_treatment_set(
    codes: Iterable[str], name: str | None = None, notes: Mapping[str, str] | None = None
) -> TreatmentSet:
    """A set with duplicates dropped, the name and notes cleaned, and notes kept only for
    points that are in the set."""
    unique = tuple(dict.fromkeys(codes))[:MAX_SET_POINTS]
    cleaned_notes = tuple(
        (code, note)
        for code in unique
        if (note := clean_text((notes or {}).get(code), MAX_NOTE_CHARS))
    )
    return TreatmentSet(
        codes=unique,
        name=clean_text(name, MAX_NAME_CHARS) or DEFAULT_SET_NAME,
        notes=cleaned_notes,
    )


# ---------------------------------------------------------------- well-known sets


class WellKnownSetEntry(Strict):
    id: Slug
    name: NonEmpty
    study: NonEmpty
    source: SourceKind
    about: NonEmpty


class HandoutWording(Strict):
    title: NonEmpty
    intro: NonEmpty
    expectations_heading: NonEmpty
    red_flags_heading: NonEmpty
    not_advice: NonEmpty


class SetsFile(Strict):
    well_known_sets: list[WellKnownSetEntry] = Field(min_length=1)
    handout: HandoutWording


@dataclass(frozen=True)
class WellKnownSet:
    id: str
    name: str
    source_label: str
    about: str
    study: Study
    codes: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.source_label})"


@dataclass(frozen=True)
class SetLibrary:
    well_known: tuple[WellKnownSet, ...]
    handout: HandoutWording
    by_id: dict[str, WellKnownSet] = field(default_factory=dict)


def _well_known_problems(
    entries: list[WellKnownSetEntry], loaded: LoadedYaml, catalog: Catalog
) -> list[Problem]:
    problems: list[Problem] = []

    def report(index: int, name: str, message: str) -> None:
        path = ("well_known_sets", index, name)
        problems.append(
            Problem(loaded.file, loaded.line_of(path), f"well_known_sets[{index}].{name}", message)
        )

    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.id in seen:
            report(index, "id", f"duplicate set id '{entry.id}'")
        seen.add(entry.id)
        study = catalog.studies.get(entry.study)
        if study is None:
            report(index, "study", f"unknown study '{entry.study}'")
            continue
        if not study.protocol_points:
            report(index, "study", f"study '{entry.study}' lists no protocol_points")
        missing = [code for code in study.protocol_points if code not in catalog.points]
        if missing:
            report(
                index,
                "study",
                f"study '{entry.study}' names points the atlas lacks: {', '.join(missing)}",
            )
    return problems


def load_set_library(catalog: Catalog, folder: Path | None = None) -> SetLibrary:
    """The well-known sets and the handout wording. Raises DataError listing every problem."""
    folder = folder or data_dir()
    path = folder / SETS_FILE
    if not path.exists():
        raise DataError([Problem(f"data/{SETS_FILE}", None, "", "required file is missing")])
    loaded = load_yaml_file(path, shown_as=str(path.relative_to(folder.parent)))
    problems: list[Problem] = []
    parsed = validate(loaded, SetsFile, problems)
    if parsed is not None:
        problems += _well_known_problems(parsed.well_known_sets, loaded, catalog)
    if problems or parsed is None:
        raise DataError(problems)
    sets = tuple(
        WellKnownSet(
            id=entry.id,
            name=entry.name,
            source_label=SOURCE_LABELS[entry.source],
            about=entry.about,
            study=catalog.studies[entry.study],
            codes=tuple(catalog.studies[entry.study].protocol_points),
        )
        for entry in parsed.well_known_sets
    )
    return SetLibrary(sets, parsed.handout, {item.id: item for item in sets})
