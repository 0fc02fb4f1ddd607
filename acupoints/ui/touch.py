"""Taps and swipes on Plotly charts: the small script that routes touches past Plotly.

Why it is needed is written at the top of ``assets/touch_taps.js``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

TOUCH_SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "touch_taps.js"
TOUCH_KEY = "touch-taps"


@functools.cache
def _touch_component() -> Callable[..., Any]:
    # Registered once per process; a component's script runs in the app page itself
    # (not in an iframe), which is what lets it see the touches meant for the charts.
    return st.components.v2.component("atlas_touch_taps", js=TOUCH_SCRIPT.read_text())


def render_touch_taps() -> None:
    """Mount the script (it installs its listeners once per browser tab)."""
    _touch_component()(key=TOUCH_KEY)
