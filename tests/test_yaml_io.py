import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from acupoints import yaml_io
from acupoints.catalog import DEFAULT_DATA_DIR
from acupoints.yaml_io import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_PROBLEMS_PER_FILE,
    MAX_VALUES,
    DataError,
    load_yaml_file,
    load_yaml_text,
)


@pytest.fixture(autouse=True, params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every test runs with libyaml's parser and with PyYAML's own, which is used where
    libyaml is not installed: both must refuse the same things in the same words."""
    if request.param == "pure-python":
        monkeypatch.setattr(yaml_io, "_LOADER", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML was built without libyaml here")
    yield request.param


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


def test_oversized_text_names_the_line_where_it_passes_the_limit() -> None:
    lines = [f"key_{number:06d}: value" for number in range(MAX_FILE_BYTES // 10)]
    text = "\n".join(lines) + "\n"
    line_length = len(lines[0]) + 1
    (message,) = problems_of(text)
    limit_line = MAX_FILE_BYTES // line_length + 1
    assert message == f"points/x.yaml:{limit_line}: file is larger than {MAX_FILE_BYTES:,} bytes"


def test_lines_are_recorded_for_nested_fields() -> None:
    loaded = load_yaml_text("points:\n  - code: BL23\n    location:\n      standard: x\n", "f")
    assert loaded.line_of(("points", 0, "location", "standard")) == 4
    assert loaded.line_of(("points", 0, "location", "missing")) == 3


def test_non_utf8_file_is_a_clear_error_on_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: 1\nb: \xff\xfe\n")
    with pytest.raises(DataError) as caught:
        load_yaml_file(bad, shown_as="data/bad.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "data/bad.yaml:2: file is not UTF-8 text (byte 0xff cannot be read)"
    ]


def test_a_folder_named_like_a_data_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "points.yaml").mkdir()
    with pytest.raises(DataError, match=r"points\.yaml: is not a regular file"):
        load_yaml_file(tmp_path / "points.yaml")


def test_anchor_and_alias_are_refused_where_they_stand() -> None:
    assert problems_of("a: &x 1\nb: *x\n") == [
        "points/x.yaml:1: a: anchor '&x' is not allowed: write values out",
        "points/x.yaml:2: b: alias '*x' is not allowed: write the value out",
    ]


def test_a_list_that_contains_itself_is_refused_without_expanding() -> None:
    messages = problems_of("a: &x [*x]\n")
    assert messages[0] == "points/x.yaml:1: a: anchor '&x' is not allowed: write values out"
    assert messages[1] == "points/x.yaml:1: a[0]: alias '*x' is not allowed: write the value out"


def test_an_alias_bomb_is_refused_at_once_with_a_bounded_list() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, previous in zip("bcdefghijklm", "abcdefghijkl", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    started = time.monotonic()
    messages = problems_of("\n".join(lines) + "\n")
    assert time.monotonic() - started < 1.0
    assert len(messages) == MAX_PROBLEMS_PER_FILE + 1
    assert messages[-1] == "points/x.yaml: further problems are not listed; fix these first"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !foo x\n", "!foo"),
        (
            "a: !!python/object/apply:os.system [echo]\n",
            "tag:yaml.org,2002:python/object/apply:os.system",
        ),
        ("a: !!str 12\n", "tag:yaml.org,2002:str"),
        ("a: ! 12\n", "!"),
        ("a: !foo {b: 1}\n", "!foo"),
    ],
)
def test_any_tag_is_refused(text: str, tag: str) -> None:
    assert problems_of(text) == [
        f"points/x.yaml:1: a: tag '{tag}' is not allowed: use plain YAML values"
    ]


def test_merge_key_is_refused_once_even_without_an_alias() -> None:
    assert problems_of("a:\n  b: 1\n  <<: {c: 2}\n") == [
        "points/x.yaml:3: a: merge key '<<' is not allowed: write the keys out"
    ]


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_yaml_text("'<<': 1\n", "f").data == {"<<": 1}


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_deeper_than_the_limit_is_refused(style: str) -> None:
    if style == "flow":
        text = "a: " + "[" * 400 + "]" * 400 + "\n"
    else:
        text = "".join("  " * level + "- \n" for level in range(MAX_DEPTH + 5))
    (message,) = problems_of(text)
    assert message.endswith(f"nested more than {MAX_DEPTH} levels deep")


def test_nesting_at_the_limit_is_accepted() -> None:
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "\n"
    value = load_yaml_text(text, "f").data
    for _ in range(MAX_DEPTH):
        (value,) = value
    assert value == 1


def test_too_many_values_are_refused_at_the_value_that_passes_the_limit() -> None:
    text = "".join(f"k{number}: 0\n" for number in range(MAX_VALUES))
    (message,) = problems_of(text)
    # The document's mapping is one value, then each line holds two (a key and its value):
    # the value past the limit is the one on line MAX_VALUES / 2.
    line = MAX_VALUES // 2
    assert (
        message == f"points/x.yaml:{line}: k{line - 1}: more than {MAX_VALUES:,} values in one file"
    )


def test_control_character_names_its_line() -> None:
    (message,) = problems_of("a: é\nb: x\x07y\n")
    assert message == "points/x.yaml:2: not valid YAML: control character U+0007 is not allowed"


def test_a_date_that_does_not_exist_is_located() -> None:
    (message,) = problems_of("a: 1\nchecked: 2001-02-30\n")
    assert message.startswith("points/x.yaml:2: checked: cannot read the value '2001-02-30'")


def test_a_second_document_is_refused() -> None:
    assert problems_of("a: 1\n---\nb: 2\n") == [
        "points/x.yaml:2: only one YAML document is allowed per file"
    ]


def test_a_list_as_a_key_is_refused() -> None:
    assert problems_of("? [a, b]\n: 1\nc: 2\n") == ["points/x.yaml:1: keys must be plain"]


@pytest.mark.parametrize(
    "path",
    sorted(DEFAULT_DATA_DIR.rglob("*.yaml")),
    ids=lambda p: p.relative_to(DEFAULT_DATA_DIR).as_posix(),
)
def test_real_data_reads_exactly_as_pyyaml_reads_it(path: Path) -> None:
    reference_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert load_yaml_file(path).data == yaml.load(path.read_bytes(), Loader=reference_loader)
