"""Running a page of the multipage app through AppTest, and reading its Plotly charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30


def open_page(script: str) -> AppTest:
    """Run ``pages/...`` as the app runs it: with app.py as the entry point, so the menu's
    page links resolve exactly as in the browser."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.switch_page(script)
    return app.run()


def chart_specs(app: AppTest) -> dict[str, dict[str, Any]]:
    """Each Plotly chart's figure JSON, by the chart's widget key."""
    specs: dict[str, dict[str, Any]] = {}
    for element in app.get("plotly_chart"):
        key = element.proto.id.rpartition("-")[2]
        specs[key] = json.loads(element.proto.spec)
    return specs


def page_text(app: AppTest) -> str:
    return "\n".join(str(element.value) for element in app.markdown)
