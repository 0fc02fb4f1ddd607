"""Consultation: treatment sets and their handout, where it hurts, how to find a point."""

from acupoints.ui import get_catalog, setup_page
from acupoints.ui.consult_page import render_consult_page

setup_page("Consultation")
render_consult_page(get_catalog())
