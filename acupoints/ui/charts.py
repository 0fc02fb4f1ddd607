"""What every page's charts share."""

from __future__ import annotations

from typing import Any, Literal


def chart_height(figure: Any) -> int | Literal["content"]:
    """The figure's own height, for ``st.plotly_chart(height=...)``.

    Streamlit works a figure's height out for itself, but only once the chart's code has
    loaded; until then its placeholder is 40 px tall, and the chart arriving pushed all
    that follows it down the page. Given explicitly, the height comes with the element
    and the placeholder holds the space.
    """
    height = figure.layout.height
    return int(height) if height else "content"
