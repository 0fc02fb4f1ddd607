"""Back-pain acupoint atlas: data, geometry, figures and search, free of Streamlit."""
