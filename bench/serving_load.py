"""Many readers at once, each a protocol-level client: Streamlit's own messages over its
websocket, as the browser sends and receives them (``BackMsg`` / ``ForwardMsg``).

A browser page per reader would take the machine's two cores for itself; this client costs
a few milliseconds per message, so the time measured is the server's. Each reader opens
the page as a browser does (the page, then the websocket, with the balancer's cookie),
waits for the first run to finish, then clicks markers on the map one after another: a
click is the chart's selection sent as a rerun of the map's fragment, and it counts as
answered when the run has finished and its messages named the point clicked.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

CHART_KEY_SUFFIX = "-body_map"
RUN_TIMEOUT_S = 30.0
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class ReaderResult:
    open_ms: float | None = None
    click_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Marker:
    code: str
    x: float
    y: float
    curve: int
    index: int


@dataclass
class Page:
    """What the first run told the reader: the page, the chart and where its markers are."""

    page_script_hash: str = ""
    chart_id: str = ""
    fragment_id: str = ""
    markers: list[Marker] = field(default_factory=list)


def _markers(spec: str) -> list[Marker]:
    figure = json.loads(spec)
    found = []
    for curve, trace in enumerate(figure.get("data", [])):
        for index, code in enumerate(trace.get("customdata") or []):
            code = code[0] if isinstance(code, list) else code
            if isinstance(code, str):
                found.append(Marker(code, trace["x"][index], trace["y"][index], curve, index))
    return found


def _read_page(message: ForwardMsg, page: Page) -> None:
    kind = message.WhichOneof("type")
    if kind == "new_session":
        page.page_script_hash = message.new_session.page_script_hash
    elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        element = message.delta.new_element
        if element.WhichOneof("type") == "plotly_chart":
            chart = element.plotly_chart
            if chart.id.endswith(CHART_KEY_SUFFIX):
                page.chart_id = chart.id
                page.fragment_id = message.delta.fragment_id
                page.markers = _markers(chart.spec)


def _selection(marker: Marker) -> str:
    point = {
        "curve_number": marker.curve,
        "point_number": marker.index,
        "point_index": marker.index,
        "x": marker.x,
        "y": marker.y,
        "customdata": marker.code,
    }
    return json.dumps(
        {"selection": {"points": [point], "point_indices": [marker.index], "box": [], "lasso": []}}
    )


async def _run(socket: Any, state: ClientState, page: Page, expect: bytes | None) -> bool:
    """Send one rerun and read until it finishes; whether ``expect`` was in its messages."""
    message = BackMsg()
    message.rerun_script.CopyFrom(state)
    await socket.send(message.SerializeToString())
    seen = expect is None
    while True:
        raw = await asyncio.wait_for(socket.recv(), RUN_TIMEOUT_S)
        forward = ForwardMsg()
        forward.ParseFromString(raw)
        _read_page(forward, page)
        if not seen and expect in raw:
            seen = True
        if forward.WhichOneof("type") == "script_finished":
            if forward.script_finished in FINISHED:
                return seen
            if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                raise RuntimeError(f"run ended with status {forward.script_finished}")


def _open_page(url: str) -> str:
    """GET the page as a browser does first; returns the cookies the balancer set."""
    with urllib.request.urlopen(url + "/", timeout=RUN_TIMEOUT_S) as response:
        response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(cookie.split(";", 1)[0] for cookie in cookies)


async def reader(url: str, clicks: int, think_s: float, seed: int) -> ReaderResult:
    result = ReaderResult()
    chooser = random.Random(seed)
    query = "point=BL23"
    try:
        cookie = await asyncio.to_thread(_open_page, url)
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        headers = {"Origin": url, **({"Cookie": cookie} if cookie else {})}
        async with connect(
            ws_url,
            subprotocols=[Subprotocol("streamlit")],
            additional_headers=headers,
            max_size=2**25,
        ) as socket:
            page = Page()
            started = time.perf_counter()
            await _run(socket, ClientState(query_string=query), page, None)
            result.open_ms = (time.perf_counter() - started) * 1000
            if not page.markers:
                raise RuntimeError("the first run drew no map")
            for _ in range(clicks):
                await asyncio.sleep(think_s * chooser.uniform(0.5, 1.5))
                marker = chooser.choice(page.markers)
                state = ClientState(
                    query_string=query,
                    page_script_hash=page.page_script_hash,
                    fragment_id=page.fragment_id,
                )
                state.widget_states.widgets.add(id=page.chart_id, string_value=_selection(marker))
                started = time.perf_counter()
                answered = await _run(socket, state, page, f"{marker.code} \u00b7".encode())
                if answered:
                    result.click_ms.append((time.perf_counter() - started) * 1000)
                else:
                    result.errors.append(f"click on {marker.code} did not show it")
                query = f"point={marker.code}"
    except Exception as error:  # every failure is counted, none ends the run
        result.errors.append(f"{type(error).__name__}: {error}")
    return result


async def _many(url: str, sessions: int, clicks: int, think_s: float, ramp_s: float) -> list:
    async def delayed(number: int) -> ReaderResult:
        # Readers arrive over the ramp, not all in the same millisecond.
        await asyncio.sleep(ramp_s * number / sessions)
        return await reader(url, clicks, think_s, seed=number)

    return await asyncio.gather(*(delayed(number) for number in range(sessions)))


def run_readers(
    url: str, sessions: int, clicks: int, think_s: float = 0.5, ramp_s: float = 5.0
) -> list[ReaderResult]:
    """``sessions`` readers at once, each opening the page and clicking ``clicks`` times."""
    # A thread of its own: Playwright's synchronous API keeps an event loop on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _many(url, sessions, clicks, think_s, ramp_s)).result()
