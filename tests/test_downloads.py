"""Files offered for download are built when the reader asks for one, not on every run."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from acupoints.catalog import Catalog
from acupoints.pages_content import load_expect_content
from acupoints.sets import build_treatment_set, load_set_library
from acupoints.ui import consult_page, study_page
from tests.page_support import ROOT, TIMEOUT


def open_with(script: str, **query: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.switch_page(script)
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each handout or progress file built while a page runs."""
    built: list[str] = []

    def handout(*args: Any, **kwargs: Any) -> str:
        built.append("handout")
        return "<html></html>"

    def progress(*args: Any, **kwargs: Any) -> bytes:
        built.append("progress")
        return b"{}"

    monkeypatch.setattr(consult_page, "build_handout_html", handout)
    monkeypatch.setattr(study_page, "progress_to_json", progress)
    return built


@pytest.mark.parametrize(
    ("script", "key"),
    [
        ("pages/4_Consultation.py", "consult_handout"),
        ("app.py", "map_handout"),
        ("pages/3_Study.py", "study_download"),
    ],
)
def test_a_page_offers_its_download_without_building_it(
    script: str, key: str, builds: list[str]
) -> None:
    app = open_with(script, set="BL23,BL40,GV4")
    assert not app.exception
    buttons = [button for button in app.get("download_button") if button.proto.id.endswith(key)]
    assert buttons, [button.proto.id for button in app.get("download_button")]
    # Streamlit holds a callable for the button and calls it on the press.
    assert buttons[0].proto.deferred_file_id
    assert builds == []


def test_the_deferred_handout_is_the_full_handout(catalog: Catalog) -> None:
    library = load_set_library(catalog)
    treatment_set = build_treatment_set(["BL23", "GV4"])
    build = consult_page._handout_when_asked(
        catalog, library, load_expect_content(catalog.studies), treatment_set, "A4"
    )
    html = build()
    assert html.lower().startswith("<!doctype html>")
    assert "BL23" in html and "GV4" in html
