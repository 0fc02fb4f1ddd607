"""What to expect: the red-flag check, each stage of treatment, and a typical course."""

from acupoints.ui import get_catalog, setup_page
from acupoints.ui.expect_page import render_expect_page

setup_page("What to expect")
render_expect_page(get_catalog())
