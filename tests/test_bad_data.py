"""One fixture per defect: each must give its own clear, located message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from acupoints.catalog import load_catalog
from acupoints.yaml_io import MAX_FILE_BYTES, DataError
from tests.fixtures import write_ten_megabytes

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"


# Hostile files are refused before any expensive work; on a busy 2-core machine the whole
# catalog load takes well under a second, so this bound only trips on real slowness.
HOSTILE_LOAD_SECONDS = 3.0


def read_header(path: Path) -> tuple[str, str]:
    """The fixture's target file and expected message, from its first two lines. Read as
    bytes: one fixture is deliberately not UTF-8 after its header."""
    first, second = path.read_bytes().splitlines()[:2]
    target = first.decode("ascii").removeprefix("# target: ").strip()
    expect = second.decode("utf-8").removeprefix("# expect: ").strip()
    return target, expect


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_defect_gives_its_own_located_message(fixture: Path, data_copy: Path) -> None:
    target, expect = read_header(fixture)
    (data_copy / target).write_bytes(fixture.read_bytes())
    started = time.monotonic()
    with pytest.raises(DataError) as caught:
        load_catalog(data_copy)
    assert time.monotonic() - started < HOSTILE_LOAD_SECONDS
    messages = [str(problem) for problem in caught.value.problems]
    assert any(message.startswith(expect) for message in messages), messages


def test_ten_megabyte_file_is_refused_at_the_line_that_passes_the_limit(
    data_copy: Path,
) -> None:
    write_ten_megabytes(data_copy / "points" / "huge.yaml")
    started = time.monotonic()
    with pytest.raises(DataError) as caught:
        load_catalog(data_copy)
    assert time.monotonic() - started < HOSTILE_LOAD_SECONDS
    # "points:\n" then lines of ten bytes: the limit falls inside line 2 + limit // 10.
    line = 2 + (MAX_FILE_BYTES - len("points:\n")) // len("# padding\n")
    assert [str(p) for p in caught.value.problems] == [
        f"data/points/huge.yaml:{line}: file is larger than {MAX_FILE_BYTES:,} bytes"
    ]


def test_problems_in_several_files_are_all_reported(data_copy: Path) -> None:
    for name in ("duplicate_key", "unknown_field"):
        (data_copy / "points" / f"{name}.yaml").write_bytes(
            (FIXTURES / f"{name}.yaml").read_bytes()
        )
    with pytest.raises(DataError) as caught:
        load_catalog(data_copy)
    files = {problem.file for problem in caught.value.problems}
    assert files == {"data/points/duplicate_key.yaml", "data/points/unknown_field.yaml"}


def test_missing_required_file_is_named(data_copy: Path) -> None:
    (data_copy / "body.yaml").unlink()
    with pytest.raises(DataError, match=r"data/body.yaml: required file is missing"):
        load_catalog(data_copy)


def test_bad_study_identifier_is_located(data_copy: Path) -> None:
    evidence = data_copy / "evidence.yaml"
    text = evidence.read_text(encoding="utf-8")
    broken = text.replace("doi: 10.1001/archinternmed.2009.65", "doi: archinternmed.2009.65", 1)
    assert broken != text
    evidence.write_text(broken, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_catalog(data_copy)
    (problem,) = caught.value.problems
    assert problem.file == "data/evidence.yaml"
    assert problem.field.endswith(".doi")
    assert "is not a DOI" in problem.message
    assert problem.line is not None
    assert (
        text.splitlines()[problem.line - 1].strip().startswith("doi: 10.1001/archinternmed.2009.65")
    )
