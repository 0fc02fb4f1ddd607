from pathlib import Path

import pytest

from acupoints.yaml_io import MAX_FILE_BYTES, DataError, load_yaml_file, load_yaml_text


def problems_of(text: str) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_yaml_text(text, "points/x.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_duplicate_key_is_rejected_with_both_lines() -> None:
    text = "points:\n  - code: BL23\n    pinyin: a\n    pinyin: b\n"
    assert problems_of(text) == [
        "points/x.yaml:4: points[0].pinyin: duplicate key 'pinyin' (first given on line 3)"
    ]


def test_every_duplicate_is_reported_at_once() -> None:
    text = "a: 1\na: 2\nb:\n  c: 1\n  c: 2\n"
    assert len(problems_of(text)) == 2


def test_malformed_yaml_names_the_line() -> None:
    (message,) = problems_of("points:\n  - code: [BL23\n  - other: 1\n")
    assert message.startswith("points/x.yaml:3: not valid YAML")


def test_empty_file_is_an_error() -> None:
    assert problems_of("# only a comment\n") == ["points/x.yaml: file is empty"]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    with pytest.raises(DataError, match="larger than"):
        load_yaml_file(big)


def test_lines_are_recorded_for_nested_fields() -> None:
    loaded = load_yaml_text("points:\n  - code: BL23\n    location:\n      standard: x\n", "f")
    assert loaded.line_of(("points", 0, "location", "standard")) == 4
    assert loaded.line_of(("points", 0, "location", "missing")) == 3


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(DataError, match="not UTF-8"):
        load_yaml_file(bad)
