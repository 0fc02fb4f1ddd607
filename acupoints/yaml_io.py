"""Strict YAML reading: duplicate keys are errors, and every value remembers its line.

PyYAML silently keeps the last of two equal keys, which would let a typo in a point's
location overwrite the real one unnoticed. Here the node tree is walked by hand so that
duplicates are caught and each field's line number is kept for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# A generous ceiling: the real files are a few hundred kilobytes at most.
MAX_FILE_BYTES = 2_000_000

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, located well enough to fix it."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class DataError(Exception):
    """Raised with every problem found, so one run reports them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LoadedYaml:
    """Plain Python data plus the line on which each field path starts."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of the deepest known ancestor of ``path``."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


def format_field(path: FieldPath) -> str:
    """``("points", 3, "location")`` -> ``points[3].location``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _walk(
    node: yaml.Node,
    loader: yaml.SafeLoader,
    path: FieldPath,
    lines: dict[FieldPath, int],
    problems: list[Problem],
    file: str,
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                problems.append(
                    Problem(
                        file, key_node.start_mark.line + 1, format_field(path), "keys must be plain"
                    )
                )
                continue
            child: FieldPath = (*path, str(key))
            if key in result:
                problems.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        format_field(child),
                        f"duplicate key '{key}' (first given on line {lines[child]})",
                    )
                )
                continue
            lines[child] = key_node.start_mark.line + 1
            result[key] = _walk(value_node, loader, child, lines, problems, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _walk(item, loader, (*path, index), lines, problems, file)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def load_yaml_text(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document strictly. Raises DataError listing every problem."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise DataError([Problem(file, None, "", f"file is larger than {MAX_FILE_BYTES:,} bytes")])
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise DataError([Problem(file, line, "", f"not valid YAML: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise DataError([Problem(file, None, "", f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise DataError([Problem(file, None, "", "file is empty")])
    problems: list[Problem] = []
    lines: dict[FieldPath, int] = {}
    data = _walk(root, loader, (), lines, problems, file)
    if problems:
        raise DataError(problems)
    return LoadedYaml(file=file, data=data, lines=lines)


def load_yaml_file(path: Path, shown_as: str | None = None) -> LoadedYaml:
    """Read and parse ``path``; errors name it as ``shown_as`` (default: its name)."""
    name = shown_as or path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DataError([Problem(name, None, "", f"cannot be read: {error.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise DataError([Problem(name, None, "", f"file is larger than {MAX_FILE_BYTES:,} bytes")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError([Problem(name, None, "", "file is not UTF-8 text")]) from None
    return load_yaml_text(text, name)
