"""Study mode: find points on the blank map, flashcards, and progress to save and load."""

from acupoints.ui import get_catalog, setup_page
from acupoints.ui.study_page import render_study_page

setup_page("Study mode")
render_study_page(get_catalog())
