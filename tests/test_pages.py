"""Every page through streamlit.testing.v1.AppTest: no exceptions, the right content."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from acupoints.catalog import DATA_DIR_VARIABLE
from acupoints.ui.map_page import CHART_KEY, FOCUS_KEY, NEARBY_KEY, PICK_KEY, VIEW_KEY

ROOT = Path(__file__).resolve().parent.parent
PAGE_SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
TIMEOUT = 30


def run_app(script: Path = ROOT / "app.py", **query: str) -> AppTest:
    app = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


def all_markdown(app: AppTest) -> str:
    return "\n".join(element.value for element in app.markdown)


def notices(app: AppTest) -> str:
    return "\n".join(str(element.value) for element in [*app.warning, *app.error])


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
def test_page_runs_and_says_it_is_not_medical_advice(script: Path) -> None:
    app = run_app(script)
    assert not app.exception
    assert any("information, not medical advice" in str(info.value) for info in app.info)


def test_link_to_bl23_opens_on_its_details() -> None:
    app = run_app(point="BL23")
    assert not app.exception
    assert "### BL23 · Kidney Shu" in all_markdown(app)


def test_lower_case_link_opens_the_point() -> None:
    app = run_app(point="gv4")
    assert "### GV4 ·" in all_markdown(app)
    assert app.query_params["point"] == "GV4"


def test_without_a_link_the_panel_invites_a_choice() -> None:
    app = run_app()
    assert "### Choose a point" in all_markdown(app)
    assert not app.warning


def test_select_box_reaches_a_point_and_puts_it_in_the_url() -> None:
    app = run_app()
    app.selectbox(key=PICK_KEY).select("BL40").run()
    assert not app.exception
    assert "### BL40 ·" in all_markdown(app)
    assert app.query_params["point"] == "BL40"


def test_search_narrows_the_select_box() -> None:
    app = run_app()
    app.text_input(key="point_query").input("back of the knee").run()
    assert "BL40" in app.selectbox(key=PICK_KEY).options[0]


def test_simulated_map_click_shows_the_point_and_updates_the_url() -> None:
    app = run_app(point="BL23")
    app.session_state[CHART_KEY] = {
        "selection": {
            "points": [{"customdata": "BL40"}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    app.run()
    assert not app.exception
    assert "### BL40 ·" in all_markdown(app)
    assert app.query_params["point"] == "BL40"


def test_empty_selection_keeps_the_chosen_point() -> None:
    app = run_app(point="BL23")
    app.session_state[CHART_KEY] = {
        "selection": {"points": [], "point_indices": [], "box": [], "lasso": []}
    }
    app.run()
    assert "### BL23 · Kidney Shu" in all_markdown(app)


def test_practitioner_sees_needling_and_patient_does_not() -> None:
    app = run_app(point="BL23")
    assert "**Needling:**" not in all_markdown(app)
    app.radio(key="reader").set_value("practitioner").run()
    assert "**Needling:**" in all_markdown(app)


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert('x')</script>",
        "A" * 5000,
        "BL23\u202e\u0000",
        "\U0001f600\U0001f600",
        "<img src=x onerror=alert(1)>",
        "../../etc/passwd",
    ],
)
def test_hostile_point_link_gives_a_friendly_notice_and_the_map(value: str) -> None:
    app = run_app(point=value)
    assert not app.exception
    text = all_markdown(app) + notices(app)
    assert "does not have" in notices(app)
    assert value not in text
    assert "### Choose a point" in all_markdown(app)
    assert "point" not in app.query_params


def test_unknown_code_is_named_in_the_notice() -> None:
    app = run_app(point="BL99")
    assert "no point called BL99" in notices(app)


def test_invalid_data_shows_one_error_panel(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    fixture = ROOT / "tests" / "fixtures" / "invalid" / "unknown_citation.yaml"
    (data_copy / "points" / "zz_fixture.yaml").write_text(fixture.read_text(encoding="utf-8"))
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_app()
    assert not app.exception
    assert len(app.error) == 1
    assert "could not be loaded" in app.error[0].value
    assert "data/points/zz_fixture.yaml:28" in app.code[0].value


def test_notes_under_the_map_explain_b_cun_and_ashi_points() -> None:
    app = run_app()
    titles = [expander.label for expander in app.expander]
    assert "What is a B-cun?" in titles
    assert "Ashi points (tender spots)" in titles


def test_set_link_on_the_map_page_offers_its_handout() -> None:
    app = run_app(set="BL23,GV4,nonsense<b>")
    assert not app.exception
    assert "**Treatment set in this link** · 1 BL23, 2 GV4" in all_markdown(app)
    assert any(button.label == "Patient handout" for button in app.get("download_button"))
    assert "<b>" not in notices(app)


def test_map_page_without_a_set_offers_no_handout() -> None:
    app = run_app(point="BL23")
    assert not app.get("download_button")


def map_figure_codes(app: AppTest) -> set[str]:
    """Codes drawn on the body map in this run (AppTest sees the chart's JSON spec)."""
    import json

    chart = next(
        element
        for element in app.get("plotly_chart")
        if json.loads(element.proto.spec)["data"][0].get("customdata")
    )
    return {code for trace in json.loads(chart.proto.spec)["data"] for code in trace["customdata"]}


def simulate_tap(app: AppTest, code: str, x: float, y: float) -> None:
    app.session_state[CHART_KEY] = {
        "selection": {
            "points": [{"customdata": code, "x": x, "y": y}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    app.run()


def test_a_link_to_a_front_point_opens_the_front_view_with_it_drawn() -> None:
    app = run_app(point="ST36")
    assert app.radio(key=VIEW_KEY).value == "anterior"
    assert "ST36" in map_figure_codes(app)


def test_picking_a_front_point_from_search_switches_the_view_and_zoom() -> None:
    app = run_app()
    app.selectbox(key=FOCUS_KEY).select("upper back").run()
    app.selectbox(key=PICK_KEY).select("ST36").run()
    assert app.radio(key=VIEW_KEY).value == "anterior"
    assert app.selectbox(key=FOCUS_KEY).value == "whole body"
    assert "ST36" in map_figure_codes(app)
    assert "### ST36 ·" in all_markdown(app)


def test_a_tap_in_a_crowded_spot_offers_the_points_a_finger_could_have_meant(
    catalog,  # type: ignore[no-untyped-def]
) -> None:
    site = catalog.placements["BL31"][0]
    app = run_app()
    simulate_tap(app, "BL31", site.x, site.y)
    nearby = app.button_group(key=NEARBY_KEY)
    offered = [label.split(" ·")[0] for label in nearby.options]  # "BL27 · Small Intestine Shu"
    assert offered[0] in {"BL27", "BL32"}
    assert "BL31" not in offered
    assert any(button.label == "Zoom in to the lower back" for button in app.button)
    neighbour = offered[0]
    nearby.set_value(neighbour).run()
    assert f"### {neighbour} ·" in all_markdown(app)
    assert app.query_params["point"] == neighbour


def test_zooming_in_from_a_crowded_tap_shows_the_lower_back(catalog) -> None:  # type: ignore[no-untyped-def]
    site = catalog.placements["BL31"][0]
    app = run_app()
    simulate_tap(app, "BL31", site.x, site.y)
    next(button for button in app.button if button.label.startswith("Zoom in")).click().run()
    assert app.selectbox(key=FOCUS_KEY).value == "lower back"
    assert "### BL31 ·" in all_markdown(app)
