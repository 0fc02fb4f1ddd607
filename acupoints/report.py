"""Content report: ``python -m acupoints.report`` prints coverage, readability and problems.

Exits 1 when the data cannot be loaded or a content check fails, so it can gate a build.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter

from acupoints.catalog import Catalog, load_catalog
from acupoints.content_checks import (
    ATLAS_CODES,
    GRADE_LIMIT_ANY,
    GRADE_LIMIT_MEDIAN,
    LUNG_RISK,
    PREGNANCY_FLAGGED,
    check_catalog,
    reading_grades,
)
from acupoints.pages_content import load_expect_content, load_research_content
from acupoints.yaml_io import DataError


def page_problems(catalog: Catalog) -> list[str]:
    """Problems in the What-to-expect and research pages: unknown citations, numbers
    without sources, charts without figures."""
    problems: list[str] = []
    for load in (load_expect_content, load_research_content):
        try:
            load(catalog.studies)
        except DataError as error:
            problems += [str(problem) for problem in error.problems]
    return problems


def build_report() -> tuple[str, bool]:
    """The report text, and whether everything passed."""
    try:
        catalog = load_catalog()
    except DataError as error:
        lines = [f"Data could not be loaded ({len(error.problems)} problem(s)):"]
        return "\n".join(lines + [f"  {problem}" for problem in error.problems]), False

    covered = ATLAS_CODES & set(catalog.points)
    lines = [
        f"Points: {len(catalog.points)} in the atlas, "
        f"{len(covered)}/{len(ATLAS_CODES)} of the required list",
        f"Studies in the registry: {len(catalog.studies)}",
        "By region: "
        + ", ".join(
            f"{r} {n}"
            for r, n in sorted(Counter(p.region for p in catalog.points.values()).items())
        ),
        "By evidence tier: "
        + ", ".join(
            f"{t} {n}"
            for t, n in sorted(Counter(p.evidence.tier for p in catalog.points.values()).items())
        ),
    ]
    lines.append(
        f"Safety lists: {len(LUNG_RISK)} points need a lung caution, "
        f"{len(PREGNANCY_FLAGGED)} a pregnancy caution"
    )
    grades = reading_grades(catalog)
    median = statistics.median(grades.values())
    hardest = sorted(grades.items(), key=lambda item: -item[1])[:5]
    lines.append(
        f"Reading grade of patient text (Flesch-Kincaid): median {median:.1f} "
        f"(limit {GRADE_LIMIT_MEDIAN:g}), hardest: "
        + ", ".join(f"{code} {grade:.1f}" for code, grade in hardest)
    )
    problems = check_catalog(catalog) + page_problems(catalog)
    problems += [
        f"{catalog.origins[code]}: {code}: reading grade {grade:.1f} is above {GRADE_LIMIT_ANY:g}"
        for code, grade in grades.items()
        if grade > GRADE_LIMIT_ANY
    ]
    if median > GRADE_LIMIT_MEDIAN:
        problems.append(f"median reading grade {median:.1f} is above {GRADE_LIMIT_MEDIAN:g}")
    lines.append(f"Problems: {len(problems)}")
    lines += [f"  {problem}" for problem in problems]
    return "\n".join(lines), not problems


def main() -> int:
    text, passed = build_report()
    print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
