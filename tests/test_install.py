"""The install is what the files say: ranges, lock files and package metadata agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
# (ranges, lock compiled from them)
LOCKS = [
    ("requirements.txt", "requirements.lock"),
    ("requirements-dev.txt", "requirements-dev.lock"),
]
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)")


def ranges(file_name: str) -> list[Requirement]:
    """The requirements a file names, following ``-r`` includes."""
    found: list[Requirement] = []
    for raw in (ROOT / file_name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += ranges(line.removeprefix("-r ").strip())
        elif line:
            found.append(Requirement(line))
    return found


def pins(file_name: str) -> dict[str, list[tuple[str, int]]]:
    """Each locked package's versions (one per marker), with how many hashes each has."""
    found: dict[str, list[tuple[str, int]]] = {}
    entries = re.split(r"\n(?=\S)", (ROOT / file_name).read_text(encoding="utf-8"))
    for entry in entries:
        match = PINNED.match(entry)
        if match:
            name = canonicalize_name(match["name"])
            found.setdefault(name, []).append((match["version"], entry.count("--hash=sha256:")))
    return found


@pytest.mark.parametrize(("source", "lock"), LOCKS)
def test_every_range_is_locked_to_a_version_inside_it(source: str, lock: str) -> None:
    locked = pins(lock)
    outside = [
        f"{requirement} locked at {versions}"
        for requirement in ranges(source)
        for versions in [
            [version for version, _ in locked.get(canonicalize_name(requirement.name), [])]
        ]
        if not versions or not all(requirement.specifier.contains(v) for v in versions)
    ]
    assert outside == []


@pytest.mark.parametrize("lock", [lock for _, lock in LOCKS])
def test_every_locked_version_carries_its_hashes(lock: str) -> None:
    locked = pins(lock)
    assert len(locked) > 10
    assert [name for name, versions in locked.items() if any(n == 0 for _, n in versions)] == []


def test_the_tools_use_the_same_versions_as_the_app() -> None:
    app, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: app[name] for name in app} == {name: dev.get(name) for name in app}


def test_the_package_declares_the_app_ranges_and_only_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = [Requirement(text) for text in project["project"]["dependencies"]]
    assert sorted(map(str, declared)) == sorted(map(str, ranges("requirements.txt")))
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = set(find_packages(str(ROOT), include=include))
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "acupoints").rglob("__init__.py")
    }
    assert packages == on_disk
