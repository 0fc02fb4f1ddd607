"""The floor again, with the one change the atlas makes to Streamlit's per-run cost.

Streamlit runs a full ``gc.collect()`` after every script run; the atlas takes its
long-lived objects out of it (``gc.freeze``, see acupoints/ui/__init__.py). This page does
the same, so the benchmark can show what is left of the ratio without that advantage.
"""

import gc

import streamlit as st


@st.cache_resource
def exempt_long_lived_objects_from_gc() -> None:
    gc.collect()
    gc.freeze()


exempt_long_lived_objects_from_gc()
clicks = st.session_state.get("clicks", 0)
if st.button("Next", key="next"):
    clicks += 1
    st.session_state["clicks"] = clicks
with st.container(key="detail"):
    st.markdown(f"### F{clicks} · a line of text")
