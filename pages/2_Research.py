"""What the research shows: trials, pooled analyses, claims checked, and guidelines."""

from acupoints.ui import get_catalog, setup_page
from acupoints.ui.research_page import render_research_page

setup_page("What the research shows")
render_research_page(get_catalog())
