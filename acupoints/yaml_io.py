"""Strict YAML reading: plain YAML only, every problem located, every value keeps its line.

PyYAML silently keeps the last of two equal keys, which would let a typo in a point's
location overwrite the real one unnoticed. It also expands anchors and aliases without
bound (a few lines can stand for billions of values, or for a list that contains
itself), and it builds objects for tags. Hand-edited data needs none of that, so the
parser's events are read one by one here and turned into plain values directly:
duplicates, anchors, aliases, merge keys and tags are reported with their line, nesting
and size are bounded, and each field's line is kept for later error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

# The largest data file is about 75 KB and holds about 3,500 values (keys, items, scalars).
# Bytes bound reading; values bound parsing, whose time grows with their number: 500 KB of
# the smallest values (``[0,0,...]``) is 250,000 of them, which took 4 s on a busy 2-core
# machine. Ten times the largest file on both counts brings the worst file down to 1.5 s
# there (libyaml; PyYAML's own parser, used where libyaml is missing, takes about 6 s).
MAX_FILE_BYTES = 500_000
MAX_VALUES = 40_000
# The real files nest six levels deep at most (a point's location sites). Twenty is ample
# and keeps a hostile ``[[[[...`` from reaching Python's recursion limit in the walk below
# or in validation after it.
MAX_DEPTH = 20
# A file full of aliases would otherwise list hundreds of identical problems.
MAX_PROBLEMS_PER_FILE = 20
MERGE_TAG = "tag:yaml.org,2002:merge"
# libyaml's parser is written in C: about fifteen times faster than PyYAML's own on large
# inputs, which keeps the worst-case file above within a second. Both give the same events.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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


# What a refused scalar reads as, so that a refused key is not also called "not plain".
_REFUSED = object()


class _Stop(Exception):
    """Reading cannot usefully go on; the problems found so far are the answer."""


class _EventReader:
    """Builds plain values from a parser's events, collecting every problem on the way."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[FieldPath, int] = {}
        self.problems: list[Problem] = []
        self.values_read = 0

    @staticmethod
    def line_of(event: yaml.Event) -> int:
        """The event's line, counted from 1 (both parsers always give a position)."""
        mark = event.start_mark
        return mark.line + 1 if mark is not None else 0

    def report(self, line: int, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.file, line, format_field(path), message))
        if len(self.problems) >= MAX_PROBLEMS_PER_FILE:
            self.problems.append(
                Problem(self.file, None, "", "further problems are not listed; fix these first")
            )
            raise _Stop

    def stop(self, line: int, path: FieldPath, message: str) -> NoReturn:
        self.problems.append(Problem(self.file, line, format_field(path), message))
        raise _Stop

    def document(self) -> tuple[bool, Any]:
        """(whether the file holds a document, its value)."""
        get = self.loader.get_event
        get()  # stream start
        if self.loader.check_event(yaml.StreamEndEvent):
            return False, None
        get()  # document start
        value = self.value((), 1)
        get()  # document end
        if not self.loader.check_event(yaml.StreamEndEvent):
            extra = self.loader.peek_event()
            self.stop(self.line_of(extra), (), "only one YAML document is allowed per file")
        return True, value

    def count(self, line: int, path: FieldPath) -> None:
        self.values_read += 1
        if self.values_read > MAX_VALUES:
            self.stop(line, path, f"more than {MAX_VALUES:,} values in one file")

    def value(self, path: FieldPath, depth: int) -> Any:
        event = self.loader.get_event()
        line = self.line_of(event)
        self.count(line, path)
        self.lines.setdefault(path, line)
        if isinstance(event, yaml.AliasEvent):
            self.report(line, path, f"alias '*{event.anchor}' is not allowed: write the value out")
            return None
        if event.anchor is not None:
            self.report(line, path, f"anchor '&{event.anchor}' is not allowed: write values out")
        if event.tag is not None:
            self.report(line, path, f"tag '{event.tag}' is not allowed: use plain YAML values")
        if isinstance(event, yaml.ScalarEvent):
            scalar = self.scalar(event, path)
            return None if scalar is _REFUSED else scalar
        if depth > MAX_DEPTH:
            self.stop(line, path, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not self.loader.check_event(yaml.SequenceEndEvent):
                items.append(self.value((*path, len(items)), depth + 1))
            self.loader.get_event()
            return items
        return self.mapping(path, depth)

    def mapping(self, path: FieldPath, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        while not self.loader.check_event(yaml.MappingEndEvent):
            key_event = self.loader.peek_event()
            key_line = self.line_of(key_event)
            if not isinstance(key_event, yaml.ScalarEvent) or key_event.anchor or key_event.tag:
                # Read the key only to step past it; its problems are reported on the way.
                self.value((*path, "?"), depth + 1)
                self.report(key_line, path, "keys must be plain")
                self.value((*path, "?"), depth + 1)
                continue
            self.count(key_line, path)
            key = self.scalar(self.loader.get_event(), path, is_key=True)
            if not isinstance(key, str | int | float | bool):
                if key is not _REFUSED:
                    self.report(key_line, path, "keys must be plain")
                self.value((*path, "?"), depth + 1)
                continue
            child: FieldPath = (*path, str(key))
            if key in result:
                self.report(
                    key_line,
                    child,
                    f"duplicate key '{key}' (first given on line {self.lines[child]})",
                )
                self.value((*path, "?"), depth + 1)
                continue
            self.lines[child] = key_line
            result[key] = self.value(child, depth + 1)
        self.loader.get_event()
        return result

    def scalar(self, event: yaml.ScalarEvent, path: FieldPath, is_key: bool = False) -> Any:
        line = self.line_of(event)
        tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == MERGE_TAG:
            self.report(line, path, "merge key '<<' is not allowed: write the keys out")
            return _REFUSED
        # No marks: libyaml's are of its own type, and an error is located by the line above.
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as error:
            # For example a date that does not exist (2001-02-30).
            what = "key" if is_key else "value"
            self.report(line, path, f"cannot read the {what} {event.value!r}: {error}")
            return _REFUSED


def _too_large(data: bytes, file: str) -> DataError:
    """Name the line on which the file passes the limit: where to start cutting."""
    line = data[:MAX_FILE_BYTES].count(b"\n") + 1
    return DataError([Problem(file, line, "", f"file is larger than {MAX_FILE_BYTES:,} bytes")])


def load_yaml_text(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document strictly. Raises DataError listing every problem."""
    encoded = text.encode("utf-8", errors="replace")
    if len(encoded) > MAX_FILE_BYTES:
        raise _too_large(encoded, file)
    reader: _EventReader | None = None
    loader: yaml.SafeLoader | None = None
    try:
        loader = _LOADER(text)
        reader = _EventReader(loader, file)
        found, data = reader.document()
    except _Stop:
        assert reader is not None
        raise DataError(reader.problems) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = Problem(file, line, "", f"not valid YAML: {error.problem}")
        raise DataError([*(reader.problems if reader else []), problem]) from None
    except yaml.reader.ReaderError as error:
        # A control character. The reader gives its offset, not its line: in UTF-8 bytes
        # from libyaml, in characters from PyYAML's own reader.
        if _LOADER is yaml.SafeLoader:
            line = text[: error.position].count("\n") + 1
        else:
            line = encoded[: error.position].count(b"\n") + 1
        message = f"not valid YAML: control character U+{error.character:04X} is not allowed"
        raise DataError([Problem(file, line, "", message)]) from None
    except yaml.YAMLError as error:
        raise DataError([Problem(file, None, "", f"not valid YAML: {error}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not found:
        raise DataError([Problem(file, None, "", "file is empty")])
    if reader.problems:
        raise DataError(reader.problems)
    return LoadedYaml(file=file, data=data, lines=reader.lines)


def load_yaml_file(path: Path, shown_as: str | None = None) -> LoadedYaml:
    """Read and parse ``path``; errors name it as ``shown_as`` (default: its name)."""
    name = shown_as or path.name
    try:
        if not path.is_file():
            # A folder or a pipe named like a data file: reading it would fail or wait forever.
            raise DataError([Problem(name, None, "", "is not a regular file")])
        with path.open("rb") as handle:
            # One byte past the limit is enough to know; a huge file is never read whole.
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DataError([Problem(name, None, "", f"cannot be read: {error.strerror}")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(data, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"file is not UTF-8 text (byte {data[error.start]:#04x} cannot be read)"
        raise DataError([Problem(name, line, "", message)]) from None
    return load_yaml_text(text, name)
