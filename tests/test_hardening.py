"""Faults and abuse: broken data shown in the app, hostile links on every page, many
sessions at once, nothing requested off the machine, and accessibility.

The AppTest half is fast. The browser half shares one server (which forgets closed
sessions after 2 s) and one Chromium; the load test opens a Chromium of its own, set up for
many pages at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from acupoints.catalog import DATA_DIR_VARIABLE, DEFAULT_DATA_DIR, Catalog
from tests.support import (
    ARM_CLICK_TIMER_JS,
    DETAIL_HEADING,
    MANY_PAGES_ARGS,
    RunningServer,
    launch_chromium,
    marker_positions,
    page_links,
    require_browser,
    separated_markers,
    spread,
    streamlit_process,
    wait_for_map,
    wait_until_settled,
)

ROOT = Path(__file__).resolve().parent.parent
PAGE_SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
INVALID = ROOT / "tests" / "fixtures" / "invalid"
TIMEOUT = 30
# Every parameter a page reads from its URL (the map's point, the consultation's set).
LINK_PARAMETERS = ("point", "set")
HOSTILE_VALUES = {
    "script": "<script>alert('x')</script>",
    "image": '"><img src=x onerror=alert(1)>',
    "markdown": "[open](javascript:alert(1)) **bold** <b>x</b> :red[red]",
    "ten-thousand": "BL23" + "A" * 9_996,
    "control": "BL23\x00\x07\x08\x1b[31m\r\n\t\x7f",
    "right-to-left": "\u202eBL23\u202d\u200f\u2066x\u2069",
}
# Text that only appears if markup from the URL got into the page as markup.
MARKUP_TRACES = ("<script", "<img", "onerror", "javascript:", "<b>")
# Clicks a list of markers in the page itself, each after the previous one was answered,
# and leaves how long each answer took (or null) in window.__answers. A click here is the
# mouse events Plotly listens to, at the marker's position: the pages then click at the
# same time, which a test driving each page in turn through Playwright would not do.
START_CLICKING_JS = """({plan, gapMs, timeoutMs}) => {
  window.__answers = undefined;
  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
  const shows = code => {
    const heading = document.querySelector('.st-key-detail h3');
    return heading !== null && heading.textContent.startsWith(code + ' ');
  };
  (async () => {
    const answers = [];
    for (const {code, x, y} of plan) {
      const target = document.elementFromPoint(x, y);
      const at = {clientX: x, clientY: y, bubbles: true, cancelable: true, view: window};
      target.dispatchEvent(new MouseEvent('mousemove', at));
      await sleep(60);  // Plotly finds the point under the mouse on a throttled mousemove
      const started = performance.now();
      for (const kind of ['mousedown', 'mouseup', 'click']) {
        target.dispatchEvent(new MouseEvent(kind, at));
      }
      while (!shows(code) && performance.now() - started < timeoutMs) await sleep(10);
      answers.push(shows(code) ? performance.now() - started : null);
      await sleep(gapMs);
    }
    window.__answers = answers;
  })();
}"""
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWPORT = {"width": 1400, "height": 1000}
SESSION_TTL_S = 2
SESSIONS = 20
CLICKS_PER_SESSION = 20
# CPython keeps freed memory in its own pools rather than returning it, so RSS after the
# sessions close is compared with a margin; 30 sessions measured about 1-2 MiB (make bench).
MEMORY_MARGIN_KIB = 16 * 1024


def rendered_text(app: AppTest) -> str:
    """Every element's content, as the browser would receive it."""
    return "\n".join(
        str(getattr(node, "proto", "")) for root in (app.main, app.sidebar) for node in root
    )


def run_page(script: Path, query: dict[str, str | list[str]]) -> AppTest:
    app = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


# ---------------------------------------------------------------- broken data in the app


@pytest.mark.parametrize("fixture", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_data_defect_is_shown_in_the_error_panel(
    fixture: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = fixture.read_text(encoding="utf-8").splitlines()
    target = lines[0].removeprefix("# target: ").strip()
    expect = lines[1].removeprefix("# expect: ").strip()
    (data_copy / target).write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_page(ROOT / "app.py", {})
    assert not app.exception
    assert len(app.error) == 1
    assert expect in app.code[0].value
    assert "Traceback" not in rendered_text(app)


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
def test_every_page_shows_malformed_data_in_the_error_panel(
    script: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data_copy / "points" / "zz_broken.yaml").write_text("points: [\n  {code: BL23\n")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_page(script, {})
    assert not app.exception
    assert [error.value for error in app.error if "could not be loaded" in error.value]
    assert "data/points/zz_broken.yaml" in "\n".join(code.value for code in app.code)


def test_undecodable_bytes_in_a_data_file_are_shown_in_the_error_panel(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data_copy / "points" / "zz_binary.yaml").write_bytes(b"points:\n  - code: \xff\xfe\x00BL23\n")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_page(ROOT / "app.py", {})
    assert not app.exception
    assert len(app.error) == 1
    assert "data/points/zz_binary.yaml" in app.code[0].value


def test_a_missing_data_folder_is_shown_in_the_error_panel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "nowhere"))
    app = run_page(ROOT / "app.py", {})
    assert not app.exception
    assert len(app.error) == 1
    assert "Traceback" not in rendered_text(app)


# ---------------------------------------------------------------- hostile links


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_hostile_link_values_are_never_echoed_on_any_page(script: Path, value: str) -> None:
    query: dict[str, str | list[str]] = {name: value for name in LINK_PARAMETERS}
    query["utm_source"] = value  # a parameter no page knows
    query["x" + value[:40]] = "1"  # a hostile parameter name
    app = run_page(script, query)
    assert not app.exception
    text = rendered_text(app)
    assert "not medical advice" in text  # the page did render
    assert value not in text
    assert not [trace for trace in MARKUP_TRACES if trace in text.lower()]
    assert "Traceback" not in text


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
def test_repeated_link_parameters_are_handled_on_every_page(script: Path) -> None:
    app = run_page(
        script,
        {"point": ["BL23", "GV4"], "set": ["BL23", "<script>x</script>"], "tab": ["1", "2"]},
    )
    assert not app.exception
    text = rendered_text(app)
    assert "<script" not in text
    assert "Traceback" not in text


def test_repeated_point_shows_the_last_one_as_streamlit_reads_it() -> None:
    app = run_page(ROOT / "app.py", {"point": ["BL23", "GV4"]})
    headings = [m.value for m in app.markdown if m.value.startswith("### ")]
    assert headings and headings[0].startswith("### GV4 ·")


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    require_browser()
    # Closed sessions are normally kept 120 s for a reconnect; a short time lets the load
    # test see their memory come back.
    options = {"server.disconnectedSessionTTL": str(SESSION_TTL_S)}
    with streamlit_process(options=options) as running:
        yield running


@pytest.fixture(scope="module")
def playwright() -> Iterator[object]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright) -> Iterator[object]:  # type: ignore[no-untyped-def]
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


def every_page_url(page, server: RunningServer) -> list[str]:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    wait_until_settled(page)
    links = page_links(page)
    assert len(links) == len(PAGE_SCRIPTS), links
    return links


@pytest.mark.browser
def test_a_script_in_any_link_opens_no_dialog(page, server) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    query = "&".join(
        f"{name}={quote(value)}"
        for name, value in (
            ("point", "<script>alert(1)</script>"),
            ("set", "<img src=x onerror=alert(2)>"),
            ("q", "<svg onload=alert(3)>"),
        )
    )
    for url in every_page_url(page, server):
        page.goto(f"{url}?{query}")
        wait_until_settled(page)
        page.wait_for_timeout(300)
        body = page.locator("body").inner_text()
        assert "<script" not in body and "<img" not in body and "<svg" not in body, url
        assert "Traceback" not in body, url
    assert dialogs == []


@pytest.mark.browser
def test_a_visit_to_every_page_requests_nothing_off_the_machine(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.on("websocket", lambda socket: requested.append(socket.url))
    try:
        page.goto(server.url)
        wait_for_map(page)
        marker = separated_markers(marker_positions(page))[0]
        page.evaluate(ARM_CLICK_TIMER_JS, marker["code"])
        page.mouse.click(marker["x"], marker["y"])
        page.wait_for_function("() => window.__clickLatency !== null", timeout=15_000)
        for url in page_links(page):
            page.goto(url)
            wait_until_settled(page)
            page.wait_for_timeout(500)
    finally:
        context.close()
    web = [url for url in requested if urlparse(url).scheme in ("http", "https", "ws", "wss")]
    assert len(web) > 20, requested  # the visit really loaded pages
    assert [url for url in web if urlparse(url).hostname not in LOOPBACK_HOSTS] == []


@pytest.mark.browser
def test_twenty_sessions_clicking_twenty_points_each_get_every_answer(playwright, server) -> None:  # type: ignore[no-untyped-def]
    start_kib = server.rss_kib()
    problems: list[str] = []
    many_pages_browser = launch_chromium(playwright, MANY_PAGES_ARGS)
    # One context shares the browser cache, so only the first page downloads the bundles;
    # each page is still its own Streamlit session (its own websocket).
    context = many_pages_browser.new_context(viewport=VIEWPORT)
    try:
        pages, plans = [], []
        for number in range(SESSIONS):
            page = context.new_page()
            page.on("pageerror", lambda error, n=number: problems.append(f"session {n}: {error}"))
            page.on(
                "console",
                lambda message, n=number: (
                    problems.append(f"session {n}: {message.text}")
                    if message.type == "error"
                    else None
                ),
            )
            page.goto(server.url)
            wait_for_map(page)
            pages.append(page)
            plans.append(spread(separated_markers(marker_positions(page)), CLICKS_PER_SESSION))
        assert min(len(plan) for plan in plans) >= 2
        started = time.monotonic()
        # Each session clicks through its points on its own, all at the same time.
        for page, plan in zip(pages, plans, strict=True):
            page.evaluate(
                START_CLICKING_JS,
                {
                    "plan": [plan[click % len(plan)] for click in range(CLICKS_PER_SESSION)],
                    "gapMs": 100,
                    "timeoutMs": 30_000,
                },
            )
        answers = []
        for page in pages:
            page.wait_for_function("() => window.__answers !== undefined", timeout=240_000)
            answers.append(page.evaluate("() => window.__answers"))
        elapsed = time.monotonic() - started
        for number, page in enumerate(pages):
            if page.locator("[data-testid=stException]").count():
                problems.append(f"session {number}: an exception is shown")
    finally:
        many_pages_browser.close()
    unanswered = [
        (session, click)
        for session, times in enumerate(answers)
        for click, answer in enumerate(times)
        if answer is None
    ]
    assert sum(len(times) for times in answers) == SESSIONS * CLICKS_PER_SESSION
    assert unanswered == []
    assert problems == []
    assert elapsed < 180
    time.sleep(SESSION_TTL_S + 3)
    assert server.rss_kib() - start_kib < MEMORY_MARGIN_KIB
    log = server.log_text()
    assert "Traceback" not in log and "Exception" not in log, log[-3000:]


@pytest.mark.browser
def test_no_page_has_serious_or_critical_accessibility_violations(page, server) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    # The map once with a point chosen, so that the detail panel is checked too.
    for url in [f"{server.url}/?point=BL23", *every_page_url(page, server)]:
        page.goto(url)
        wait_until_settled(page)
        page.wait_for_timeout(500)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                found.append(f"{url}: {violation['id']} ({violation['impact']}): {targets}")
    assert found == [], "\n".join(found)


@pytest.mark.browser
def test_every_point_is_reachable_by_keyboard_alone(page, server, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    wait_for_map(page)
    wait_until_settled(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(
            "() => document.activeElement !== null"
            " && document.activeElement.closest('.st-key-point_pick') !== null"
        ):
            break
    else:
        pytest.fail("Tab never reached the point select box")
    unreachable = []
    for code in catalog.points:
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        try:
            page.wait_for_function(
                "code => { const h = document.querySelector('.st-key-detail h3');"
                " return h !== null && h.textContent.startsWith(code + ' '); }",
                arg=code,
                timeout=10_000,
            )
        except Exception:  # collect every point that fails, then report them all at once
            unreachable.append(code)
            page.keyboard.press("Escape")
        wait_until_settled(page)
    assert unreachable == []
    assert page.locator(DETAIL_HEADING).count() == 1


def test_the_benchmark_data_folder_is_not_shipped() -> None:
    """The scale benchmark writes its synthetic atlas to a temporary folder only."""
    assert not list(DEFAULT_DATA_DIR.rglob("*synthetic*"))
