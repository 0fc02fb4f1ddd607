"""Find points by code, pinyin (with or without tones), characters, English or everyday names."""

from __future__ import annotations

import re
import unicodedata

from acupoints.catalog import Catalog
from acupoints.models import Point

MAX_QUERY_LENGTH = 80
_CODE_CHARS = re.compile(r"[\s\-_.]+")


def fold(text: str) -> str:
    """Lower case, tone marks removed: "Shènshū" -> "shenshu"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def compact_code(text: str) -> str:
    """ "bl 23", "BL-23" -> "bl23"; "ex b 7" -> "exb7"."""
    return _CODE_CHARS.sub("", fold(text))


def point_names(point: Point) -> list[str]:
    return [
        point.pinyin,
        point.english,
        point.characters.traditional,
        point.characters.simplified,
        *point.aliases,
    ]


def search(catalog: Catalog, query: str, limit: int | None = None) -> list[str]:
    """Codes of points matching ``query``, best match first. An empty query matches none."""
    query = query[:MAX_QUERY_LENGTH]
    folded = fold(query)
    if not folded:
        return []
    as_code = compact_code(query)
    everyday: dict[str, int] = {}
    for entry in catalog.everyday_names:
        if folded in fold(entry.name):
            for code in entry.points:
                everyday[code] = max(everyday.get(code, 0), 50)
    scored: list[tuple[int, int, str]] = []
    for order, (code, point) in enumerate(catalog.points.items()):
        code_key = compact_code(code)
        names = [fold(name) for name in point_names(point)]
        compact_names = [name.replace(" ", "") for name in names]
        score = 0
        if as_code == code_key:
            score = 100
        elif as_code and code_key.startswith(as_code):
            score = 80
        elif any(name.startswith(folded) for name in names):
            score = 70
        elif any(folded in name for name in names) or any(
            folded.replace(" ", "") in name for name in compact_names
        ):
            score = 60
        score = max(score, everyday.get(code, 0))
        if score:
            scored.append((-score, order, code))
    scored.sort()
    codes = [code for _, _, code in scored]
    return codes[:limit] if limit else codes
