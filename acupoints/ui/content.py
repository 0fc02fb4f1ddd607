"""Cached loading of the page content files, stopping the page with the error panel on bad data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import streamlit as st

from acupoints.catalog import Catalog, data_dir, fingerprint
from acupoints.models import Study
from acupoints.pages_content import (
    ExpectContent,
    ResearchContent,
    load_expect_content,
    load_research_content,
)
from acupoints.ui import render_data_error
from acupoints.yaml_io import DataError, Problem

ContentT = TypeVar("ContentT")


# The studies are skipped by the cache's hashing (leading underscore): the fingerprint
# already changes whenever evidence.yaml does.
@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_expect(folder: str, key: str, _studies: Mapping[str, Study]) -> ExpectContent:
    return load_expect_content(_studies, Path(folder))


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_research(folder: str, key: str, _studies: Mapping[str, Study]) -> ResearchContent:
    return load_research_content(_studies, Path(folder))


def _load_or_stop(
    loader: Callable[[str, str, Mapping[str, Study]], ContentT], catalog: Catalog
) -> ContentT:
    folder = data_dir()
    try:
        return loader(str(folder), fingerprint(folder), catalog.studies)
    except DataError as error:
        render_data_error(error)
        st.stop()
    except OSError as error:
        render_data_error(DataError([Problem(str(folder), None, "", f"cannot be read: {error}")]))
        st.stop()


def get_expect_content(catalog: Catalog) -> ExpectContent:
    """The What-to-expect content, cached until a data file changes."""
    return _load_or_stop(_cached_expect, catalog)


def get_research_content(catalog: Catalog) -> ResearchContent:
    """The research page content, cached until a data file changes."""
    return _load_or_stop(_cached_research, catalog)
