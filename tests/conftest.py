"""Shared fixtures: the real catalog, and copies of the data folder to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from acupoints.catalog import DEFAULT_DATA_DIR, Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_DATA_DIR)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the real data folder."""
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target
