"""The framework's floor: a bare Streamlit page whose button click changes one line of text.

The benchmark clicks the button and times the new heading exactly as it times a marker
click on the atlas, so the ratio between the two is what the atlas adds.
"""

import streamlit as st

clicks = st.session_state.get("clicks", 0)
if st.button("Next", key="next"):
    clicks += 1
    st.session_state["clicks"] = clicks
with st.container(key="detail"):
    st.markdown(f"### F{clicks} · a line of text")
