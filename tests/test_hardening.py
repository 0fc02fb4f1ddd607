"""Faults and abuse: broken data shown in the app, hostile links on every page, many
sessions at once, nothing requested off the machine, and accessibility.

The AppTest half is fast. The browser half shares one server (which forgets closed
sessions after 2 s) and one Chromium; the load test opens a Chromium of its own, set up for
many pages at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from acupoints.catalog import DATA_DIR_VARIABLE, DEFAULT_DATA_DIR, Catalog
from tests.fixtures import write_ten_megabytes
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
    wait_until,
    wait_until_drawn,
    wait_until_settled,
)

ROOT = Path(__file__).resolve().parent.parent
PAGE_SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
FIXTURES = ROOT / "tests" / "fixtures"
INVALID = FIXTURES / "invalid"
ECHO_PAGE = FIXTURES / "echo_page.py"
FAILING_PAGE = FIXTURES / "failing_page.py"
# One defect of each kind a hostile or careless edit can bring, each refused before any
# expensive work: aliases are never expanded, nesting and size are bounded.
HOSTILE_FIXTURES = (
    "recursive_alias",
    "alias_bomb",
    "unknown_tag",
    "merge_key",
    "deep_nesting",
    "not_utf8",
)
TIMEOUT = 30
# A page that meets a hostile file must show the panel within this (the real pages render
# in well under a second; a page that tried to expand an alias bomb would never finish).
HOSTILE_PAGE_TIMEOUT = 10
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
# Text that only appears if markup from the URL got into the page, even in part. "<b>x</b>"
# and not "<b>": the charts' own hover labels are bold, and inside the figure JSON, which
# is read decoded, their "<b>" is plain to see.
MARKUP_TRACES = ("<script", "<img", "onerror", "javascript:", "<b>x</b>")
# Every way the echo page can echo; each must be caught by the checks below.
ECHO_ELEMENTS = (
    "markdown",
    "text",
    "code",
    "caption",
    "error",
    "button",
    "select",
    "expander",
    "sidebar",
    "chart",
)
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
# Elements built from a link's payload: an attribute or a script that calls alert().
INJECTED_ELEMENTS_JS = """() => [...document.querySelectorAll('*')]
  .filter(element => [...element.attributes].some(a => a.value.includes('alert('))
    || (element.tagName === 'SCRIPT' && element.textContent.includes('alert(')))
  .map(element => element.outerHTML.slice(0, 120))"""
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWPORT = {"width": 1400, "height": 1000}
SESSION_TTL_S = 2
SESSIONS = 20
CLICKS_PER_SESSION = 20
# CPython keeps freed memory in its own pools rather than returning it, so RSS after the
# sessions close is compared with a margin; 30 sessions measured about 1-2 MiB (make bench).
MEMORY_MARGIN_KIB = 16 * 1024


def _strings_in(value: Any) -> Iterator[str]:
    """Every string in a protobuf message, list, map or JSON document, as it is: a
    message's text form escapes control characters and quotes, so a value echoed verbatim
    would not appear verbatim in it."""
    if isinstance(value, str):
        yield value
        if value[:1] in ("{", "["):
            # A chart's figure travels as JSON, which escapes control characters too.
            try:
                decoded = json.loads(value)
            except ValueError:
                return
            yield from _strings_in(decoded)
    elif isinstance(value, Message):
        for _descriptor, field_value in value.ListFields():
            yield from _strings_in(field_value)
    elif hasattr(value, "items"):  # a protobuf map or a JSON object
        for key, item in value.items():
            yield from _strings_in(key)
            yield from _strings_in(item)
    elif isinstance(value, list | tuple) or type(value).__name__.startswith("Repeated"):
        for item in value:
            yield from _strings_in(item)


def rendered_values(app: AppTest) -> list[str]:
    """Every string each element of the page sends the browser, as the browser gets it."""
    return [
        text
        for root in (app.main, app.sidebar)
        for node in root
        if getattr(node, "proto", None) is not None
        for text in _strings_in(node.proto)
    ]


def echoes_of(app: AppTest, value: str) -> list[str]:
    """Where the page shows ``value`` verbatim, or markup that can only come from a link."""
    found = []
    for text in rendered_values(app):
        if value in text:
            found.append(f"echoed: {text[:80]!r}")
        lowered = text.lower()
        found += [f"markup {trace!r}: {text[:80]!r}" for trace in MARKUP_TRACES if trace in lowered]
    return found


def shows_a_traceback(app: AppTest) -> bool:
    if any(element.stack_trace for element in app.exception):
        return True
    return any("Traceback" in text or 'File "' in text for text in rendered_values(app))


def run_page(script: Path, query: dict[str, str | list[str]], timeout: float = TIMEOUT) -> AppTest:
    app = AppTest.from_file(str(script), default_timeout=timeout)
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


def hostile_query(value: str) -> dict[str, str | list[str]]:
    query: dict[str, str | list[str]] = {name: value for name in LINK_PARAMETERS}
    query["utm_source"] = value  # a parameter no page knows
    query["x" + value[:40]] = "1"  # a hostile parameter name
    return query


def read_fixture(fixture: Path) -> tuple[str, str, bytes]:
    """(target file, expected message, content). As bytes: one is not UTF-8 on purpose."""
    content = fixture.read_bytes()
    first, second = content.splitlines()[:2]
    target = first.decode("ascii").removeprefix("# target: ").strip()
    expect = second.decode("utf-8").removeprefix("# expect: ").strip()
    return target, expect, content


# ---------------------------------------------------------------- broken data in the app


@pytest.mark.parametrize("fixture", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_data_defect_is_shown_in_the_error_panel(
    fixture: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, expect, content = read_fixture(fixture)
    (data_copy / target).write_bytes(content)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_page(ROOT / "app.py", {})
    assert not app.exception
    assert len(app.error) == 1
    assert expect in app.code[0].value
    assert not shows_a_traceback(app)


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
@pytest.mark.parametrize("name", HOSTILE_FIXTURES)
def test_every_page_shows_hostile_data_in_the_error_panel_quickly(
    name: str, script: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, expect, content = read_fixture(INVALID / f"{name}.yaml")
    (data_copy / target).write_bytes(content)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    # AppTest raises if the page has not finished within the timeout.
    app = run_page(script, {}, timeout=HOSTILE_PAGE_TIMEOUT)
    assert not app.exception
    assert [error.value for error in app.error if "could not be loaded" in error.value]
    (panel,) = app.code
    assert expect in panel.value  # the file and its line
    assert str(data_copy) not in "\n".join(rendered_values(app))
    assert not shows_a_traceback(app)


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
def test_every_page_refuses_a_ten_megabyte_file_quickly(
    script: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_ten_megabytes(data_copy / "points" / "zz_huge.yaml")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_page(script, {}, timeout=HOSTILE_PAGE_TIMEOUT)
    assert not app.exception
    (panel,) = app.code
    assert panel.value.startswith("data/points/zz_huge.yaml:")
    assert "file is larger than" in panel.value
    assert not shows_a_traceback(app)


@pytest.mark.parametrize(
    ("target", "script"),
    [
        ("expect.yaml", "1_What_to_expect.py"),
        ("research.yaml", "2_Research.py"),
        ("sets.yaml", "4_Consultation.py"),
        ("body_regions.yaml", "4_Consultation.py"),
    ],
)
def test_a_hostile_page_content_file_is_shown_in_the_error_panel(
    target: str, script: str, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files only one page reads go through the same strict reader."""
    (data_copy / target).write_text("a: &x [*x]\n", encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_page(ROOT / "pages" / script, {}, timeout=HOSTILE_PAGE_TIMEOUT)
    assert not app.exception
    (panel,) = app.code
    assert f"data/{target}:1: a: anchor '&x' is not allowed" in panel.value
    assert not shows_a_traceback(app)


def test_an_unreadable_data_file_is_named_from_the_data_folder(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A dangling link: the folder lists it, but it cannot be opened.
    (data_copy / "points" / "zz_gone.yaml").symlink_to(data_copy / "nowhere.yaml")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(data_copy))
    app = run_page(ROOT / "app.py", {})
    assert not app.exception
    (panel,) = app.code
    assert panel.value == "data/points/zz_gone.yaml: cannot be read: No such file or directory"
    assert str(data_copy) not in "\n".join(rendered_values(app))


def test_an_unexpected_error_shows_readers_no_traceback_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Streamlit shows the reader only a generic notice (``client.showErrorDetails``);
    the server's log keeps the whole traceback."""
    app = run_page(FAILING_PAGE, {})
    (shown,) = app.exception
    assert shown.message.startswith("This app has encountered an error.")
    assert "/srv/atlas" not in "\n".join(rendered_values(app))
    assert "RuntimeError" not in "\n".join(rendered_values(app))
    assert not shows_a_traceback(app)
    log = caplog.text
    assert "Traceback" in log
    assert "RuntimeError: could not open /srv/atlas/secret/settings.yaml" in log


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
    assert str(tmp_path) not in "\n".join(rendered_values(app))
    assert not shows_a_traceback(app)


# ---------------------------------------------------------------- hostile links


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_hostile_link_values_are_never_echoed_on_any_page(script: Path, value: str) -> None:
    app = run_page(script, hostile_query(value))
    assert not app.exception
    assert any("not medical advice" in text for text in rendered_values(app))  # it rendered
    assert echoes_of(app, value) == []
    assert not shows_a_traceback(app)


@pytest.mark.parametrize("element", ECHO_ELEMENTS)
def test_the_echo_checks_catch_a_page_that_echoes(element: str) -> None:
    """The test of the test: a page that echoes its link must fail the checks above,
    whatever element it echoes through and whatever the value holds. One run echoes
    every value (each under its own parameter), and each is looked for on its own."""
    query: dict[str, str | list[str]] = {
        f"value_{index}": value for index, value in enumerate(HOSTILE_VALUES.values())
    }
    app = run_page(ECHO_PAGE, {**query, "via": element})
    assert not app.exception
    missed = [name for name, value in HOSTILE_VALUES.items() if not echoes_of(app, value)]
    assert missed == []


def test_the_echo_checks_catch_each_markup_trace_alone() -> None:
    for trace in MARKUP_TRACES:
        app = run_page(ECHO_PAGE, {"q": f"harmless {trace} text", "via": "text"})
        assert [found for found in echoes_of(app, "not in the page") if trace in found]


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
def test_repeated_link_parameters_are_handled_on_every_page(script: Path) -> None:
    app = run_page(
        script,
        {"point": ["BL23", "GV4"], "set": ["BL23", "<script>x</script>"], "tab": ["1", "2"]},
    )
    assert not app.exception
    assert echoes_of(app, "<script>x</script>") == []
    assert not shows_a_traceback(app)


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

    def record_and_dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record_and_dismiss)
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
        wait_until_drawn(page)
        # A payload can only run from an element it created; none may exist. Checking the
        # page itself needs no wait for an error handler that might fire late.
        assert page.evaluate(INJECTED_ELEMENTS_JS) == [], url
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
            # Fonts and images loaded: whatever the page asks for has been asked for.
            wait_until_drawn(page)
    finally:
        context.close()
    web = [url for url in requested if urlparse(url).scheme in ("http", "https", "ws", "wss")]
    assert len(web) > 20, requested  # the visit really loaded pages
    assert [url for url in web if urlparse(url).hostname not in LOOPBACK_HOSTS] == []


@pytest.mark.browser
@pytest.mark.load
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
    # Closed sessions are dropped SESSION_TTL_S after they disconnect, then their memory
    # comes back: wait for that, and no longer than it needs.
    assert wait_until(
        lambda: server.rss_kib() - start_kib < MEMORY_MARGIN_KIB, timeout_s=SESSION_TTL_S + 10
    ), f"{(server.rss_kib() - start_kib) / 1024:.1f} MiB more than before the sessions"
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
        wait_until_drawn(page)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                found.append(f"{url}: {violation['id']} ({violation['impact']}): {targets}")
    assert found == [], "\n".join(found)


def type_into_point_list(page, code: str) -> None:  # type: ignore[no-untyped-def]
    """Open the focused point list with the keyboard and type a code, until the list shows
    it: Enter picks the first option listed. On a first visit the list's own code may
    still be loading when the first keys arrive; then the keys are cleared and typed
    again."""
    option = page.locator("[role=option]", has_text=f"{code} ·").first
    for _ in range(3):
        page.keyboard.press("ArrowDown")
        page.keyboard.type(code)
        try:
            option.wait_for(timeout=4_000)
            return
        except Exception:  # the keys went nowhere yet: clear them and try again
            page.keyboard.press("Escape")
            page.keyboard.press("Control+A")
            page.keyboard.press("Backspace")
    option.wait_for(timeout=4_000)


@pytest.mark.browser
def test_every_point_is_reachable_by_keyboard_alone(page, server, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    wait_for_map(page)
    wait_until_settled(page)
    # The finder is folded away (a phone's first screen is kept for the map): Tab to its
    # heading, open it with Enter, then Tab on to the point list.
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const active = document.activeElement;"
            " if (active === null) return null;"
            " if (active.closest('.st-key-point_pick')) return 'pick';"
            " if (active.closest('.st-key-finder summary')) return 'finder'; return null; }"
        )
        if focused == "finder":
            page.keyboard.press("Enter")
            page.locator(".st-key-point_pick").wait_for(state="visible", timeout=10_000)
        elif focused == "pick":
            break
    else:
        pytest.fail("Tab never reached the point select box")
    unreachable = []
    for code in catalog.points:
        type_into_point_list(page, code)
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
