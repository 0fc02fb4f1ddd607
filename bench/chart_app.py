"""The first-load baseline: a bare Streamlit page showing a one-point Plotly chart."""

import plotly.graph_objects as go
import streamlit as st

with st.container(key="map"):
    st.plotly_chart(go.Figure(go.Scatter(x=[0], y=[0], mode="markers")), key="chart")
