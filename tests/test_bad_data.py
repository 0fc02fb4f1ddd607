"""One fixture per defect: each must give its own clear, located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from acupoints.catalog import load_catalog
from acupoints.yaml_io import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"


def read_header(path: Path) -> tuple[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    target = lines[0].removeprefix("# target: ").strip()
    expect = lines[1].removeprefix("# expect: ").strip()
    return target, expect


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_defect_gives_its_own_located_message(fixture: Path, data_copy: Path) -> None:
    target, expect = read_header(fixture)
    (data_copy / target).write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_catalog(data_copy)
    messages = [str(problem) for problem in caught.value.problems]
    assert any(message.startswith(expect) for message in messages), messages


def test_ten_megabyte_file_is_refused_with_a_message(data_copy: Path) -> None:
    (data_copy / "points" / "huge.yaml").write_text("points:\n" + "# padding\n" * 1_000_000)
    with pytest.raises(DataError) as caught:
        load_catalog(data_copy)
    assert [str(p) for p in caught.value.problems] == [
        "data/points/huge.yaml: file is larger than 2,000,000 bytes"
    ]


def test_problems_in_several_files_are_all_reported(data_copy: Path) -> None:
    for name in ("duplicate_key", "unknown_field"):
        text = (FIXTURES / f"{name}.yaml").read_text(encoding="utf-8")
        (data_copy / "points" / f"{name}.yaml").write_text(text, encoding="utf-8")
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
    assert (
        text.splitlines()[problem.line - 1].strip().startswith("doi: 10.1001/archinternmed.2009.65")
    )
