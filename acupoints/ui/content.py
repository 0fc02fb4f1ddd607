"""Cached loading of the page content files, stopping the page with the error panel on bad data."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from acupoints.catalog import Catalog
from acupoints.models import Study
from acupoints.pages_content import (
    ExpectContent,
    ResearchContent,
    load_expect_content,
    load_research_content,
)
from acupoints.ui import load_or_stop


# The studies are skipped by the cache's hashing (leading underscore): the fingerprint
# already changes whenever evidence.yaml does.
@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_expect(folder: str, key: str, _studies: Mapping[str, Study]) -> ExpectContent:
    return load_expect_content(_studies, Path(folder))


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_research(folder: str, key: str, _studies: Mapping[str, Study]) -> ResearchContent:
    return load_research_content(_studies, Path(folder))


def get_expect_content(catalog: Catalog) -> ExpectContent:
    """The What-to-expect content, cached until a data file changes."""
    return load_or_stop(lambda folder, key: _cached_expect(str(folder), key, catalog.studies))


def get_research_content(catalog: Catalog) -> ResearchContent:
    """The research page content, cached until a data file changes."""
    return load_or_stop(lambda folder, key: _cached_research(str(folder), key, catalog.studies))
