"""One replica: ``streamlit run`` with one change for readers who come from a replica that died.

A reader whose replica dies keeps the page; the browser reconnects through the balancer to
another replica, where a new session starts. If the page's last run was a full one, the
browser asks for no run on reconnecting, and its next click on the map asks to rerun only
the map's fragment. The new session has never run the page, so it holds no fragment, and
Streamlit drops the request: the click, and every click after it, would do nothing.

Here such a request first runs the whole page (the URL's ``?point=`` and ``?set=`` bring
back the reader's point and set) and then the fragment, as asked, with the click: the map
reads a click from the chart's state before drawing the chart, and a session only knows
that state from the run after the chart was first drawn.

Only a session's first request is changed; a fragment that a later full run removed is
still ignored as Streamlit ignores it.
"""

from __future__ import annotations

import sys
from typing import Any

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import ScriptRunnerEvent

_HAS_RUN = "_atlas_has_run"
_WAITING = "_atlas_fragment_waiting"


def waiting_fragment_request(session: Any) -> ClientState | None:
    """The fragment request that waits for the session's whole-page run, if any."""
    return getattr(session, _WAITING, None)


def whole_page_first(session: Any, client_state: ClientState | None) -> ClientState | None:
    """The request to run now. A session's first request, if it is for a fragment the
    session does not hold, becomes a run of the whole page, and the fragment request waits
    (in the session) for that run to finish."""
    first = not getattr(session, _HAS_RUN, False)
    setattr(session, _HAS_RUN, True)
    unknown_fragment = (
        client_state is not None
        and bool(client_state.fragment_id)
        and not session.has_fragment(client_state.fragment_id)
    )
    if first and unknown_fragment:
        setattr(session, _WAITING, client_state)
        whole_page = ClientState()
        whole_page.CopyFrom(client_state)
        whole_page.fragment_id = ""
        return whole_page
    if unknown_fragment and waiting_fragment_request(session) is not None:
        # Another click while the whole page runs: the latest one is the one to answer.
        setattr(session, _WAITING, client_state)
        return None
    return client_state


def install() -> None:
    """Wrap AppSession's rerun request and its end-of-run handling (once per process)."""
    needed = ("request_rerun", "has_fragment", "_handle_scriptrunner_event_on_event_loop")
    if not all(hasattr(AppSession, name) for name in needed):
        # Another Streamlit, built otherwise: serve as it is; the failover test will say so.
        print("deploy.replica: this Streamlit has no AppSession hooks to wrap", file=sys.stderr)
        return
    request_rerun = AppSession.request_rerun
    handle_event = AppSession._handle_scriptrunner_event_on_event_loop
    if getattr(request_rerun, "_atlas_wrapped", False):
        return

    def request_rerun_whole_page_first(self: AppSession, client_state: ClientState | None) -> None:
        chosen = whole_page_first(self, client_state)
        if chosen is not None or client_state is None:
            request_rerun(self, chosen)

    def handle_event_then_run_waiting(
        self: AppSession, sender: Any, event: ScriptRunnerEvent, *args: Any, **kwargs: Any
    ) -> None:
        handle_event(self, sender, event, *args, **kwargs)
        waiting = waiting_fragment_request(self)
        if event == ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS and waiting is not None:
            setattr(self, _WAITING, None)
            request_rerun(self, waiting)

    request_rerun_whole_page_first._atlas_wrapped = True  # type: ignore[attr-defined]
    AppSession.request_rerun = request_rerun_whole_page_first  # type: ignore[method-assign]
    AppSession._handle_scriptrunner_event_on_event_loop = handle_event_then_run_waiting  # type: ignore[method-assign]


def main() -> None:
    from streamlit.web.cli import main as streamlit_main

    install()
    # The same command line as `streamlit run ...`, so Streamlit sees what it expects.
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
