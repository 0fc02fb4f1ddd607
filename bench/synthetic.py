"""A synthetic atlas for the scale benchmark: the real data plus made-up points up to N.

Each made-up point copies a real point's text (so its detail panel is as long as a real
one) and gets its own code and a place on a grid over the back of the body. The atlas is
written to a temporary folder for ``ACUPOINTS_DATA_DIR``; it is never shipped as content.
"""

from __future__ import annotations

import copy
import shutil
import string
from collections.abc import Iterator
from pathlib import Path

import yaml

from acupoints.catalog import DEFAULT_DATA_DIR, load_catalog

TEMPLATE_CODE = "BL23"
TEMPLATE_FILE = "lower_back.yaml"
# Grid over the back view, in body units: columns of lateral distance (each drawn on both
# sides), rows from the feet to the head. About 15 px apart at the default zoom.
LATERAL_COLUMNS = (1.0, 2.5, 4.0, 5.5, 7.0, 8.5, 10.0, 11.5)
LOWEST_Y, HIGHEST_Y = 2.0, 74.0
ORIGIN = "c7_spinous"  # a midline landmark; sites are offsets from it
POINTS_PER_FILE = 100  # keeps each file well under the loader's size ceiling


def synthetic_codes() -> Iterator[str]:
    """Codes of the standard's shape that no real channel uses: QA1 ... QZ99."""
    for letter in string.ascii_uppercase:
        for number in range(1, 100):
            yield f"Q{letter}{number}"


def grid_positions(count: int) -> list[tuple[float, float]]:
    """``count`` (lateral, height) places spread evenly over the grid."""
    rows = -(-count // len(LATERAL_COLUMNS))
    step = (HIGHEST_Y - LOWEST_Y) / max(rows - 1, 1)
    places = [
        (lateral, round(LOWEST_Y + row * step, 2))
        for row in range(rows)
        for lateral in LATERAL_COLUMNS
    ]
    return places[:count]


def _template(folder: Path) -> dict:
    with (folder / "points" / TEMPLATE_FILE).open(encoding="utf-8") as handle:
        points = yaml.safe_load(handle)["points"]
    return next(point for point in points if point["code"] == TEMPLATE_CODE)


def _synthetic_point(template: dict, code: str, lateral: float, height: float) -> dict:
    origin_y = 64.4  # c7_spinous in data/body.yaml; checked by write_synthetic_atlas
    point = copy.deepcopy(template)  # shared sub-objects would be dumped as YAML aliases
    point.update(
        code=code,
        english=f"Synthetic point {code}",
        pinyin=f"Héchéng {code}",
        aliases=[f"synthetic {code}"],
        region="upper_back" if height > 52 else "lower_back" if height > 36 else "distal",
        view="posterior",
        bilateral=True,
    )
    point["location"] = {
        "standard": "WHO 2008",
        "description": f"A synthetic place {lateral} B-cun from the midline, for benchmarks.",
        "sites": [
            {
                "kind": "offset",
                "origin": ORIGIN,
                "lateral_bcun": lateral,
                "superior_bcun": round(height - origin_y, 2),
            }
        ],
    }
    return point


def write_synthetic_atlas(target: Path, total_points: int = 400) -> Path:
    """Copy the real data folder to ``target`` and add made-up points until the atlas has
    ``total_points``. Returns ``target``; raises if the result does not load cleanly."""
    shutil.copytree(DEFAULT_DATA_DIR, target)
    real = load_catalog(target)
    if real.body.landmarks[ORIGIN].y != 64.4:
        raise RuntimeError(f"{ORIGIN} moved: update origin_y in bench/synthetic.py")
    template = _template(target)
    missing = total_points - len(real.points)
    codes = (code for code in synthetic_codes() if code not in real.points)
    points = [
        _synthetic_point(template, next(codes), lateral, height)
        for lateral, height in grid_positions(missing)
    ]
    for index in range(0, len(points), POINTS_PER_FILE):
        chunk = points[index : index + POINTS_PER_FILE]
        path = target / "points" / f"zz_synthetic_{index // POINTS_PER_FILE:02d}.yaml"
        path.write_text(
            yaml.safe_dump({"points": chunk}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    loaded = load_catalog(target)
    if len(loaded.points) != total_points:
        raise RuntimeError(f"synthetic atlas has {len(loaded.points)} points, not {total_points}")
    return target
