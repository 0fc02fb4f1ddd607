"""Find points by any name: the code in any common code system, pinyin (with tone marks,
numbered tones or none), characters, English or everyday names, forgiving a small typo.

Every place that lets a reader look a point up calls ``search``, so a query finds the same
points on every page.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from acupoints.catalog import Catalog
from acupoints.models import Point

MAX_QUERY_LENGTH = 80
_CODE_CHARS = re.compile(r"[\s\-_.]+")
# Anything that is not a letter or digit separates words: "kidney-shu", "Heaven's Pivot".
_SEPARATORS = re.compile(r"[\W_]+")
# A channel code with its number, however it is written: "UB 23", "ub-23", "Liv3", "K 3".
_CHANNEL_CODE = re.compile(r"^([a-z]{1,4})[\s\-_.]*(\d{1,2})$")
# An extra point: "EX-B7", "ex b 7", "exue7".
_EXTRA_CODE = re.compile(r"^ex[\s\-_.]*([a-z]{1,2})[\s\-_.]*(\d{1,2})$")
# Numbered tones follow a syllable: "shen4shu1", "shen4 shu1".
_TONE_NUMBER = re.compile(r"(?<=[a-zü])[0-5]")

# Scores: every exact kind of match ranks above every typo-tolerant one.
EXACT_CODE = 100
EXACT_NAME = 90
CODE_PREFIX = 80
NAME_START = 70
WORD_START = 65
NAME_PART = 60
EVERYDAY_NAME = 50
TYPO = 40
# Shorter queries are too close to too many names for a typo to be told from another word.
MIN_TYPO_QUERY = 4
LONG_TYPO_QUERY = 8


def fold(text: str) -> str:
    """Lower case, tone marks removed: "Shènshū" -> "shenshu"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def compact_code(text: str) -> str:
    """ "bl 23", "BL-23" -> "bl23"; "ex b 7" -> "exb7"."""
    return _CODE_CHARS.sub("", fold(text))


def spaced_words(text: str) -> str:
    """Folded, tone numbers dropped, words single-spaced: "Shen4-Shu1" -> "shen shu"."""
    return _SEPARATORS.sub(" ", _TONE_NUMBER.sub("", fold(text))).strip()


def point_names(point: Point) -> list[str]:
    return [
        point.pinyin,
        point.english,
        point.characters.traditional,
        point.characters.simplified,
        *point.aliases,
    ]


def allowed_typos(query_length: int) -> int:
    """One slip in a word-length query, two in a longer one, none in a short one."""
    if query_length < MIN_TYPO_QUERY:
        return 0
    return 1 if query_length < LONG_TYPO_QUERY else 2


@dataclass(frozen=True)
class _Index:
    """What a query is compared with, worked out once per catalog."""

    order: dict[str, int]
    # code -> its names, each as (spaced words, the same without spaces).
    names: dict[str, list[tuple[str, str]]]
    # (spaced words, compact) of each everyday name, with the points it stands for.
    everyday: list[tuple[str, str, list[str]]]
    # Every compact name, for the typo check, with the points it names.
    compact_owners: dict[str, list[str]]
    # Folded channel letters of any code system -> the atlas's prefix: "ub" -> "BL".
    channels: dict[str, str]


_INDEXES: dict[int, tuple[weakref.ref[Catalog], _Index]] = {}


def _index(catalog: Catalog) -> _Index:
    # Keyed by identity: a catalog holds dicts, so it cannot be hashed, and the app loads a
    # new one whenever a data file changes.
    cached = _INDEXES.get(id(catalog))
    if cached is not None and cached[0]() is catalog:
        return cached[1]
    names: dict[str, list[tuple[str, str]]] = {}
    owners: dict[str, list[str]] = {}
    for code, point in catalog.points.items():
        forms = []
        for name in point_names(point):
            spaced = spaced_words(name)
            compact = spaced.replace(" ", "")
            if compact:
                forms.append((spaced, compact))
                owners.setdefault(compact, []).append(code)
        names[code] = forms
    everyday = []
    for entry in catalog.everyday_names:
        spaced = spaced_words(entry.name)
        compact = spaced.replace(" ", "")
        everyday.append((spaced, compact, list(entry.points)))
        owners.setdefault(compact, []).extend(entry.points)
    channels = {prefix.casefold(): prefix for prefix in catalog.meridian_prefixes.values()}
    channels.update(catalog.channel_codes)
    index = _Index(
        order={code: position for position, code in enumerate(catalog.points)},
        names=names,
        everyday=everyday,
        compact_owners=owners,
        channels=channels,
    )
    _INDEXES.clear()  # One catalog is in use at a time; drop the old one's index.
    _INDEXES[id(catalog)] = (weakref.ref(catalog), index)
    return index


def parse_code(query: str, channels: dict[str, str]) -> str | None:
    """The atlas code a query names in any code system, or None if it names no code:
    "UB 23" -> "BL23", "Liv3" -> "LR3", "ex-b7" -> "EX-B7"."""
    folded = fold(query)
    extra = _EXTRA_CODE.match(folded)
    if extra:
        return f"EX-{extra.group(1).upper()}{int(extra.group(2))}"
    channel = _CHANNEL_CODE.match(folded)
    if channel and channel.group(1) in channels:
        return f"{channels[channel.group(1)]}{int(channel.group(2))}"
    return None


def search(catalog: Catalog, query: str, limit: int | None = None) -> list[str]:
    """Codes of points matching ``query``, best match first. An empty query matches none,
    and so does one that is only close to nothing in the atlas."""
    query = query[:MAX_QUERY_LENGTH]
    if not fold(query):
        return []
    index = _index(catalog)
    code = parse_code(query, index.channels)
    if code is not None:
        # A code names one point. Beyond it only the codes it begins ("BL2" -> BL20-BL29):
        # "Lu 7" must not fall through to names that contain "lu".
        by_code = {code: EXACT_CODE} if code in catalog.points else {}
        for other in catalog.points:
            if other != code and other.startswith(code):
                by_code[other] = CODE_PREFIX
        return _ranked(by_code, index, limit)

    scores: dict[str, int] = {}

    def offer(point_code: str, score: int) -> None:
        if score > scores.get(point_code, 0):
            scores[point_code] = score

    as_code = compact_code(query)
    # Channel letters alone list the channel: "GV", "Du", "Liv", "b" (as "bl" would).
    channel = index.channels.get(as_code)
    for point_code in catalog.points:
        in_channel = bool(channel) and point_code.startswith(channel or "")
        if in_channel or (as_code and compact_code(point_code).startswith(as_code)):
            offer(point_code, CODE_PREFIX)

    spaced = spaced_words(query)
    compact = spaced.replace(" ", "")
    if compact:
        for point_code, forms in index.names.items():
            for name_spaced, name_compact in forms:
                if compact == name_compact:
                    offer(point_code, EXACT_NAME)
                elif name_spaced.startswith(spaced) or name_compact.startswith(compact):
                    offer(point_code, NAME_START)
                elif _joins_from_a_word(compact, name_spaced):
                    offer(point_code, WORD_START)
                elif spaced in name_spaced:
                    offer(point_code, NAME_PART)
        for name_spaced, _, points in index.everyday:
            if spaced in name_spaced or _joins_from_a_word(compact, name_spaced):
                for point_code in points:
                    offer(point_code, EVERYDAY_NAME)
        typos = allowed_typos(len(compact))
        if typos:
            for name_compact, distance, _ in process.extract(
                compact,
                list(index.compact_owners),
                scorer=OSA.distance,
                score_cutoff=typos,
                limit=None,
            ):
                for point_code in index.compact_owners[name_compact]:
                    offer(point_code, TYPO - int(distance))
    return _ranked(scores, index, limit)


def _joins_from_a_word(compact: str, name_spaced: str) -> bool:
    """Whether the query, typed without spaces, reads on from the start of a word:
    "kidneyshu" in "kidney shu", but not "hand" across "fourth and"."""
    words = name_spaced.split()
    return any("".join(words[start:]).startswith(compact) for start in range(len(words)))


def _ranked(scores: dict[str, int], index: _Index, limit: int | None) -> list[str]:
    codes = sorted(scores, key=lambda code: (-scores[code], index.order[code]))
    return codes[:limit] if limit else codes
