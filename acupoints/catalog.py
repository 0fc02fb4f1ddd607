"""Load every data file, validate it, cross-check references, and place every point.

All problems across all files are collected and raised together as one DataError, so a
broken data set is fixed in one pass rather than one error at a time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from acupoints.geometry import GeometryError, Placement, Position, Resolver, place
from acupoints.models import (
    BetweenSite,
    BodyModel,
    ChannelCode,
    CodeSystemFile,
    EverydayName,
    EverydayNameFile,
    EvidenceFile,
    MeridianFile,
    Note,
    NoteFile,
    OffsetSite,
    Point,
    PointFile,
    SpinalRowSite,
    SpinalSite,
    Study,
    Tier,
)
from acupoints.yaml_io import DataError, LoadedYaml, Problem, format_field, load_yaml_file

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DATA_DIR_VARIABLE = "ACUPOINTS_DATA_DIR"
SITE_KINDS = {"spinal", "spinal_row", "between", "offset"}

ModelT = TypeVar("ModelT", bound=BaseModel)


def data_dir() -> Path:
    """The data folder: the repository's own, unless the environment names another."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    return Path(override) if override else DEFAULT_DATA_DIR


def data_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("points/*.yaml")])


def shown_path(path: Path, folder: Path) -> str:
    """How messages name a data file: from the data folder down (``data/points/x.yaml``),
    never where the server keeps it."""
    return path.relative_to(folder.parent).as_posix()


def fingerprint(folder: Path | None = None) -> str:
    """Changes whenever any data file changes; cached loaders key on it. Raises DataError
    naming a file that is listed but cannot be read (a dangling link, say)."""
    folder = folder or data_dir()
    digest = hashlib.sha256()
    for path in data_files(folder):
        try:
            stat = path.stat()
        except OSError as error:
            problem = Problem(
                shown_path(path, folder), None, "", f"cannot be read: {error.strerror}"
            )
            raise DataError([problem]) from None
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Catalog:
    body: BodyModel
    points: dict[str, Point]
    studies: dict[str, Study]
    tiers: dict[str, Tier]
    central_finding_text: str
    central_finding_citations: list[str]
    meridians: list[str]
    meridian_prefixes: dict[str, str]
    everyday_names: list[EverydayName]
    notes: list[Note]
    placements: dict[str, list[Placement]] = field(default_factory=dict)
    positions: dict[str, list[Position]] = field(default_factory=dict)
    # "data/points/x.yaml:12" for each point, so content checks can say where to look.
    origins: dict[str, str] = field(default_factory=dict)
    # Other ways of writing a channel's letters, case-folded, to the atlas's own prefix:
    # "ub" -> "BL", "liv" -> "LR" (data/code_systems.yaml).
    channel_codes: dict[str, str] = field(default_factory=dict)

    def point(self, code: str) -> Point:
        return self.points[code]

    def cited(self, ids: Iterable[str]) -> list[Study]:
        return [self.studies[study_id] for study_id in ids]


def _clean_location(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's discriminator tags (``sites.0.spinal.level`` -> ``sites.0.level``)."""
    cleaned: list[str | int] = []
    for index, part in enumerate(loc):
        after_index = index > 0 and isinstance(loc[index - 1], int)
        if after_index and part in SITE_KINDS and index < len(loc) - 1:
            continue
        cleaned.append(part if isinstance(part, int) else str(part))
    return tuple(cleaned)


def validate(loaded: LoadedYaml, model: type[ModelT], problems: list[Problem]) -> ModelT | None:
    """Validate into ``model``; on failure add one located Problem per error."""
    try:
        return model.model_validate(loaded.data)
    except ValidationError as error:
        for item in error.errors():
            path = _clean_location(item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = "unknown field"
            problems.append(Problem(loaded.file, loaded.line_of(path), format_field(path), message))
        return None


def _load(path: Path, folder: Path, problems: list[Problem]) -> LoadedYaml | None:
    try:
        return load_yaml_file(path, shown_as=shown_path(path, folder))
    except DataError as error:
        problems.extend(error.problems)
        return None


def _references(point: Point) -> list[tuple[str, str, str]]:
    """(field, kind, name) for every reference a point's sites make."""
    found: list[tuple[str, str, str]] = []
    for index, site in enumerate(point.location.sites):
        where = f"location.sites[{index}]"
        if isinstance(site, SpinalSite):
            found.append((f"{where}.level", "level", site.level))
        elif isinstance(site, SpinalRowSite):
            found += [
                (f"{where}.first", "level", site.first),
                (f"{where}.last", "level", site.last),
            ]
        elif isinstance(site, BetweenSite):
            found += [(f"{where}.start", "ref", site.start), (f"{where}.end", "ref", site.end)]
        elif isinstance(site, OffsetSite):
            found.append((f"{where}.origin", "ref", site.origin))
    return found


def load_catalog(folder: Path | None = None) -> Catalog:
    """Load and check the whole data set. Raises DataError listing every problem."""
    folder = folder or data_dir()
    problems: list[Problem] = []
    required = {
        name: folder / f"{name}.yaml"
        for name in ("body", "evidence", "meridians", "everyday_names", "notes", "code_systems")
    }
    for name, path in required.items():
        if not path.exists():
            problems.append(Problem(f"data/{name}.yaml", None, "", "required file is missing"))
    point_paths = sorted((folder / "points").glob("*.yaml"))
    if not point_paths:
        problems.append(Problem("data/points/", None, "", "no point files found"))
    if problems:
        raise DataError(problems)

    body_yaml = _load(required["body"], folder, problems)
    evidence_yaml = _load(required["evidence"], folder, problems)
    meridian_yaml = _load(required["meridians"], folder, problems)
    body = validate(body_yaml, BodyModel, problems) if body_yaml else None
    evidence = validate(evidence_yaml, EvidenceFile, problems) if evidence_yaml else None
    meridians = validate(meridian_yaml, MeridianFile, problems) if meridian_yaml else None
    names_yaml = _load(required["everyday_names"], folder, problems)
    names = validate(names_yaml, EverydayNameFile, problems) if names_yaml else None
    notes_yaml = _load(required["notes"], folder, problems)
    notes = validate(notes_yaml, NoteFile, problems) if notes_yaml else None
    codes_yaml = _load(required["code_systems"], folder, problems)
    codes = validate(codes_yaml, CodeSystemFile, problems) if codes_yaml else None

    points: dict[str, Point] = {}
    point_lines: dict[str, tuple[LoadedYaml, int]] = {}
    for path in point_paths:
        loaded = _load(path, folder, problems)
        parsed = validate(loaded, PointFile, problems) if loaded else None
        if loaded is None or parsed is None:
            continue
        for index, point in enumerate(parsed.points):
            if point.code in points:
                first_file = point_lines[point.code][0].file
                problems.append(
                    Problem(
                        loaded.file,
                        loaded.line_of(("points", index, "code")),
                        f"points[{index}].code",
                        f"duplicate point code '{point.code}' (also in {first_file})",
                    )
                )
                continue
            points[point.code] = point
            point_lines[point.code] = (loaded, index)

    if (
        body is None
        or evidence is None
        or meridians is None
        or names is None
        or notes is None
        or codes is None
    ):
        raise DataError(problems)
    # Each model above was validated from its file, so the files were read.
    assert body_yaml and evidence_yaml and names_yaml and codes_yaml
    channel_codes = _check_code_systems(codes, codes_yaml, problems)

    studies: dict[str, Study] = {}
    for index, study in enumerate(evidence.studies):
        if study.id in studies:
            problems.append(
                Problem(
                    evidence_yaml.file,
                    evidence_yaml.line_of(("studies", index, "id")),
                    f"studies[{index}].id",
                    f"duplicate study id '{study.id}'",
                )
            )
        studies[study.id] = study
    for citation in evidence.central_finding.citations:
        if citation not in studies:
            problems.append(
                Problem(
                    evidence_yaml.file,
                    evidence_yaml.line_of(("central_finding", "citations")),
                    "central_finding.citations",
                    f"unknown citation '{citation}'",
                )
            )

    for segment_index, segment in enumerate(body.segments):
        for end in (segment.start, segment.end):
            if end not in body.landmarks:
                problems.append(
                    Problem(
                        body_yaml.file,
                        body_yaml.line_of(("segments", segment_index)),
                        f"segments[{segment_index}]",
                        f"unknown landmark '{end}'",
                    )
                )

    for name_index, everyday in enumerate(names.everyday_names):
        for code_index, code in enumerate(everyday.points):
            if code not in points:
                name_path = ("everyday_names", name_index, "points", code_index)
                problems.append(
                    Problem(
                        names_yaml.file,
                        names_yaml.line_of(name_path),
                        format_field(name_path),
                        f"unknown point '{code}'",
                    )
                )

    meridian_names = [meridian.name for meridian in meridians.meridians]
    for code, point in points.items():
        loaded, index = point_lines[code]

        def report(
            field_name: str, message: str, loaded: LoadedYaml = loaded, index: int = index
        ) -> None:
            path = ("points", index, *_split(field_name))
            problems.append(Problem(loaded.file, loaded.line_of(path), format_field(path), message))

        if point.meridian not in meridian_names:
            report("meridian", f"unknown meridian '{point.meridian}'")
        for cite_index, citation in enumerate(point.evidence.citations):
            if citation not in studies:
                report(f"evidence.citations[{cite_index}]", f"unknown citation '{citation}'")
        for field_name, kind, name in _references(point):
            if kind == "level" and name not in body.levels:
                report(field_name, f"unknown level '{name}'")
            elif kind == "ref" and name not in body.landmarks and name not in points:
                report(field_name, f"unknown landmark or point '{name}'")
    if problems:
        raise DataError(problems)

    resolver = Resolver(body, points)
    positions: dict[str, list[Position]] = {}
    placements: dict[str, list[Placement]] = {}
    for code, point in points.items():
        try:
            positions[code] = resolver.positions(point)
        except GeometryError as error:
            loaded, index = point_lines[code]
            sites_path = ("points", index, "location", "sites")
            problems.append(
                Problem(
                    loaded.file, loaded.line_of(sites_path), format_field(sites_path), str(error)
                )
            )
            continue
        placements[code] = place(point, positions[code])
    if problems:
        raise DataError(problems)

    return Catalog(
        body=body,
        points=points,
        studies=studies,
        tiers={tier.id: tier for tier in evidence.tiers},
        central_finding_text=evidence.central_finding.text,
        central_finding_citations=list(evidence.central_finding.citations),
        meridians=meridian_names,
        meridian_prefixes={meridian.name: meridian.prefix for meridian in meridians.meridians},
        everyday_names=list(names.everyday_names),
        notes=list(notes.notes),
        placements=placements,
        positions=positions,
        origins={
            code: f"{loaded.file}:{loaded.line_of(('points', index))}"
            for code, (loaded, index) in point_lines.items()
        },
        channel_codes=channel_codes,
    )


def _check_code_systems(
    codes: CodeSystemFile, loaded: LoadedYaml, problems: list[Problem]
) -> dict[str, str]:
    """Cross-check the code table and return it as folded code -> standard prefix.

    A code that stood for two channels, or for another channel's standard code, would send
    a search to the wrong point, so each is refused where it stands."""

    def report(path: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(loaded.file, loaded.line_of(path), format_field(path), message))

    source_ids: set[str] = set()
    for index, source in enumerate(codes.sources):
        if source.id in source_ids:
            report(("sources", index, "id"), f"duplicate source id '{source.id}'")
        source_ids.add(source.id)
    standard = {code.casefold(): code for code in get_args(ChannelCode)}
    owners: dict[str, str] = {}
    seen_channels: set[str] = set()
    for channel_index, channel in enumerate(codes.channels):
        if channel.standard in seen_channels:
            report(
                ("channels", channel_index, "standard"),
                f"channel '{channel.standard}' is listed twice",
            )
        seen_channels.add(channel.standard)
        for code_index, alternative in enumerate(channel.codes):
            path: tuple[str | int, ...] = ("channels", channel_index, "codes", code_index)
            folded = alternative.code.casefold()
            if folded in standard:
                report(
                    (*path, "code"),
                    f"'{alternative.code}' is the standard code of {standard[folded]}",
                )
            elif folded in owners:
                report(
                    (*path, "code"), f"'{alternative.code}' is already given for {owners[folded]}"
                )
            else:
                owners[folded] = channel.standard
            for source_index, source_id in enumerate(alternative.sources):
                if source_id not in source_ids:
                    report((*path, "sources", source_index), f"unknown source '{source_id}'")
    return owners


def _split(field_name: str) -> tuple[str | int, ...]:
    """``location.sites[0].level`` -> ``("location", "sites", 0, "level")``."""
    parts: list[str | int] = []
    for chunk in field_name.replace("]", "").split("."):
        name, *indexes = chunk.split("[")
        parts.append(name)
        parts.extend(int(i) for i in indexes)
    return tuple(parts)
