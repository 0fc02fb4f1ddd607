"""A bare page laid out as the atlas is (layout="wide"): the framework's own layout shift
while a page appears, measured beside the atlas's pages."""

import streamlit as st

st.set_page_config(page_title="Bare wide page", layout="wide", initial_sidebar_state="collapsed")
st.info("**A line of information.**")
st.markdown("### A heading")
st.markdown("A paragraph of text. " * 20)
