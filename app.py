"""Entry page: the clickable body map of back-pain acupoints."""

from acupoints.ui import get_catalog, setup_page
from acupoints.ui.map_page import render_map_page

setup_page("Body map")
render_map_page(get_catalog())
