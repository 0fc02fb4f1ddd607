"""The only Streamlit code: page setup, cached loading, the error panel and the map page."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from acupoints.catalog import Catalog, data_dir, fingerprint, load_catalog
from acupoints.ui.touch import render_touch_taps
from acupoints.yaml_io import DataError, Problem

T = TypeVar("T")
APP_ROOT = Path(__file__).resolve().parent.parent.parent
LAYOUT_CSS = APP_ROOT / "assets" / "layout.css"
# (script path relative to the app root, menu label, icon)
PAGES: list[tuple[str, str, str]] = [
    ("app.py", "Body map", ":material/accessibility_new:"),
    ("pages/1_What_to_expect.py", "What to expect", ":material/event_note:"),
    ("pages/2_Research.py", "Research", ":material/science:"),
    ("pages/3_Study.py", "Study", ":material/school:"),
    ("pages/4_Consultation.py", "Consultation", ":material/medical_services:"),
]
DISCLAIMER_LEAD = "**This is information, not medical advice.**"
DISCLAIMER_URGENT = (
    "It does not replace a doctor or a licensed practitioner. Call your emergency number if "
    "back pain comes with chest pain, breathlessness, sweating or nausea, spreads to the arm "
    "or jaw, or starts suddenly as a tearing pain. See a doctor now if it comes with loss of "
    "bladder or bowel control, numbness around the genitals or buttocks, new problems with "
    "sex, leg weakness or trouble walking, fever, unexplained weight loss or past cancer, or "
    "follows a fall or injury."
)
DISCLAIMER = f"{DISCLAIMER_LEAD} {DISCLAIMER_URGENT}"
URGENT_LABEL = "When to get medical help now"
MENU_HEIGHT = 76


def setup_page(title: str) -> None:
    """Page config, the menu and the disclaimer every page carries."""
    st.set_page_config(
        page_title=f"{title} · Back-pain acupoint atlas",
        layout="wide",
        # Closed on every screen: on a phone an open sidebar covers most of the page, and
        # on a wide screen it opens only once the page has started to draw, pushing the
        # whole page sideways. The menu is at the top of the page instead.
        initial_sidebar_state="collapsed",
    )
    with st.sidebar:
        # The page's own layout rules, first: the elements they lay out must not arrive
        # before them. Markdown, not st.html, whose code is loaded on demand; and in the
        # sidebar, which starts closed, so its brief placeholder is never seen.
        st.markdown(f"<style>{LAYOUT_CSS.read_text()}</style>", unsafe_allow_html=True)
        st.markdown("**Back-pain acupoint atlas**")
        _render_menu()
        # The script's element draws nothing (the stylesheet hides its placeholder).
        render_touch_taps()
    # A fixed height, given to the page with the element itself (a stylesheet arrives
    # too late for the first paint): the links' placeholders are taller and wider than
    # the links and wrap into more rows, and a row that changed height would move the
    # whole page. Two rows: what the links need on a phone.
    with st.container(horizontal=True, key="menu", gap="small", height=MENU_HEIGHT, border=False):
        _render_menu()
    # Short, so that on a phone the page's own content starts on the first screen; the
    # urgent signs are one tap away on every page, and in full on What to expect.
    with st.container(key="disclaimer"):
        st.info(DISCLAIMER_LEAD, icon=":material/info:")
        with st.expander(URGENT_LABEL, icon=":material/emergency:"):
            st.markdown(DISCLAIMER_URGENT)


def _render_menu() -> None:
    for script, label, icon in PAGES:
        if (APP_ROOT / script).exists():
            try:
                st.page_link(script, label=label, icon=icon)
            except StreamlitPageNotFoundError:
                # A page run on its own (``streamlit run pages/x.py``, or AppTest on one
                # page) knows no other pages; the menu is then simply left out.
                return


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_catalog(folder: str, key: str) -> Catalog:
    catalog = load_catalog(Path(folder))
    exempt_long_lived_objects_from_gc()
    return catalog


@functools.cache  # once per process: the heap as it stands after the first load
def exempt_long_lived_objects_from_gc() -> None:
    """Streamlit runs a full ``gc.collect()`` after every script run, each map click
    included. Over this heap (Streamlit, Plotly, the catalog: about 100,000 objects) that
    takes 100-150 ms on a 2-core machine, and the messages of the run wait behind it. The
    modules and the catalog live as long as the server, so take them out of every later
    collection; whatever a session creates afterwards is still collected as usual."""
    gc.collect()  # first, so that no garbage is kept for good
    gc.freeze()


def render_data_error(error: DataError, folder: Path | None = None) -> None:
    """One clear panel listing every problem; never a traceback. Paths are shown from the
    data folder down (``data/points/x.yaml``): where the server keeps its files is no
    reader's business, and the short form is the one to look for in the repository."""
    folder = folder or data_dir()
    # Both spellings: the folder as configured, and with its links resolved.
    above_data = {f"{folder.absolute().parent}{os.sep}", f"{folder.resolve().parent}{os.sep}"}
    with st.container(key="data-error"):
        st.error(
            f"The atlas data could not be loaded: {len(error.problems)} problem(s) were found. "
            "Fix them in the files named below and reload the page.",
            icon=":material/error:",
        )
        listing = "\n".join(str(problem) for problem in error.problems)
        for prefix in above_data:
            listing = listing.replace(prefix, "")
        st.code(listing, language=None)


def load_or_stop(load: Callable[[Path, str], T]) -> T:
    """Run a cached loader on the data folder and its fingerprint; on bad or unreadable
    data show the error panel and stop the page, so no traceback ever reaches a reader."""
    folder = data_dir()
    try:
        return load(folder, fingerprint(folder))
    except DataError as error:
        render_data_error(error, folder)
    except OSError as error:
        # Name the file from the data folder down, and leave out the OS's own wording,
        # which carries the absolute path.
        unreadable = Path(error.filename) if error.filename else folder
        try:
            inside = unreadable.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            inside = "."
        shown = f"{folder.name}/" if inside == "." else f"{folder.name}/{inside}"
        reason = error.strerror or type(error).__name__
        problem = Problem(shown, None, "", f"cannot be read: {reason}")
        render_data_error(DataError([problem]), folder)
    st.stop()
    raise AssertionError("st.stop() does not return")


def get_catalog() -> Catalog:
    """The validated catalog, cached until a data file changes; stops the page on bad data."""
    return load_or_stop(lambda folder, key: _cached_catalog(str(folder), key))
