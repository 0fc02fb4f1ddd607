"""The app served as ``make serve`` serves it: two replicas behind nginx, under supervisord.

The real balancer and supervisor from Debian's packages run on free loopback ports; a
missing one skips these tests on a developer's machine and fails them in CI.
"""

from __future__ import annotations

import dataclasses
import gzip
import ipaddress
import os
import re
import shutil
import signal
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from streamlit.proto.ClientState_pb2 import ClientState

from deploy.replica import waiting_fragment_request, whole_page_first
from deploy.serve import (
    Backend,
    RunningStack,
    ServeError,
    healthy,
    render_nginx,
    render_supervisord,
    running_stack,
    settings_from_environment,
    streamlit_static_dir,
    write_configs,
    write_self_signed_certificate,
)
from tests.support import (
    DETAIL_HEADING,
    free_port,
    marker_positions,
    require_browser,
    separated_markers,
    wait_for_map,
)

pytestmark = pytest.mark.serving

STICKY_COOKIE = "atlas_replica"
YEAR_S = 365 * 24 * 3600


def require_serving_tools() -> None:
    """Skip where nginx or supervisord is missing, but fail in CI, where a skip would hide
    a broken install."""
    missing = [
        name
        for name, fallback in (
            ("nginx", "/usr/sbin/nginx"),
            ("supervisord", "/usr/bin/supervisord"),
            ("openssl", "/usr/bin/openssl"),  # makes the certificate of the HTTPS test
        )
        if not shutil.which(name) and not Path(fallback).exists()
    ]
    if not missing:
        return
    message = (
        f"{' and '.join(missing)} missing: install nginx, supervisor and openssl (make test does)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


# --- the configuration, as text --------------------------------------------------------------


def test_each_replica_is_pinned_with_the_others_as_backups(tmp_path: Path) -> None:
    ports = iter([9101, 9102, 9103])
    settings = settings_from_environment({"REPLICAS": "3"}, pick_port=lambda: next(ports))
    text = render_nginx(settings, tmp_path, tmp_path / "static")
    for number, port in enumerate((9101, 9102, 9103), start=1):
        block = re.search(rf"upstream atlas_r{number} {{(.*?)}}", text, re.S)
        assert block is not None, f"no upstream for replica {number}"
        servers = re.findall(r"server (\S+)( backup)?", block.group(1))
        assert servers[0] == (f"127.0.0.1:{port}", "")
        assert sorted(address for address, backup in servers[1:] if backup) == sorted(
            f"127.0.0.1:{other}" for other in (9101, 9102, 9103) if other != port
        )
        assert f"r{number} atlas_r{number};" in text
    assert "listen 127.0.0.1:8080;" in text


def test_backends_on_other_hosts_replace_the_local_replicas(tmp_path: Path) -> None:
    settings = settings_from_environment(
        {"BACKENDS": "10.0.0.5:8501, 10.0.0.6:8501", "HOST": "0.0.0.0", "PORT": "80"}
    )
    assert settings.replica_ports == ()
    assert settings.backends == (Backend("10.0.0.5", 8501), Backend("10.0.0.6", 8501))
    text = render_nginx(settings, tmp_path, tmp_path / "static")
    assert "server 10.0.0.5:8501 max_fails" in text
    assert "server 10.0.0.6:8501 backup;" in text
    assert "listen 0.0.0.0:80;" in text
    programs = re.findall(
        r"^\[program:(\S+)\]", render_supervisord(settings, tmp_path, "nginx"), re.M
    )
    assert programs == ["balancer"]


def test_replicas_for_a_balancer_elsewhere_listen_at_known_ports(tmp_path: Path) -> None:
    settings = settings_from_environment(
        {"BALANCER": "none", "REPLICAS": "2", "HOST": "10.0.0.5", "PORT": "8501"}
    )
    text = render_supervisord(settings, tmp_path, "nginx")
    assert re.findall(r"^\[program:(\S+)\]", text, re.M) == ["replica-1", "replica-2"]
    assert re.findall(r"--server\.address (\S+)", text) == ["10.0.0.5", "10.0.0.5"]
    assert re.findall(r"--server\.port (\d+)", text) == ["8501", "8502"]
    assert text.count(f'STREAMLIT_SERVER_COOKIE_SECRET="{settings.cookie_secret}"') == 2


@pytest.mark.parametrize(
    "environment",
    [{"REPLICAS": "0"}, {"REPLICAS": "two"}, {"PORT": "70000"}, {"HOST": "example.org"},
     {"BACKENDS": "10.0.0.5"}, {"BACKENDS": "10.0.0.5:8501", "BALANCER": "none"},
     {"TLS_CERT": "pyproject.toml"}, {"TLS_CERT": "no-such.pem", "TLS_KEY": "no-such.pem"}],
)  # fmt: skip
def test_bad_settings_stop_with_a_message(environment: dict[str, str]) -> None:
    with pytest.raises(ServeError):
        settings_from_environment(environment)


def test_nginx_accepts_the_generated_configuration(tmp_path: Path) -> None:
    require_serving_tools()
    settings = settings_from_environment({"REPLICAS": "3", "PORT": str(free_port())})
    write_configs(settings, tmp_path)  # runs `nginx -t` and raises on a refusal
    assert (tmp_path / "nginx.conf").exists()
    assert (tmp_path / "supervisord.conf").stat().st_mode & 0o077 == 0


# --- the running stack -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    require_serving_tools()
    settings = settings_from_environment({"REPLICAS": "2", "PORT": str(free_port())})
    with running_stack(dataclasses.replace(settings, log_to_terminal=False)) as running:
        yield running


@pytest.fixture(scope="module")
def server_url(stack: RunningStack) -> str:
    """The browser fixtures of conftest open pages through the balancer."""
    require_browser()
    return stack.url


@pytest.fixture
def page(browser, server_url):  # type: ignore[no-untyped-def]
    """A page that accepts downloads and records the address of every request it makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.requested = []
    context.on("request", lambda request: page.requested.append(request.url))
    page.on("websocket", lambda socket: page.requested.append(socket.url))
    yield page
    context.close()


def assert_only_loopback(urls: list[str]) -> None:
    assert urls, "no request was recorded"
    # data: and blob: addresses are made inside the page and fetch nothing.
    network = [url for url in urls if not url.startswith(("data:", "blob:"))]
    hosts = {urllib.parse.urlsplit(url).hostname for url in network}
    assert hosts == {"127.0.0.1"}, f"requests to {hosts}"


def replica_of(page) -> int:  # type: ignore[no-untyped-def]
    """The replica number the balancer pinned this page's browser to."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    value = cookies.get(STICKY_COOKIE, "")
    assert re.fullmatch(r"r\d+", value), f"no replica cookie: {cookies}"
    return int(value[1:])


def shows(page, code: str, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "([selector, code]) => { const h = document.querySelector(selector);"
        " return h !== null && h.textContent.startsWith(code + ' '); }",
        arg=[DETAIL_HEADING, code],
        timeout=timeout_ms,
    )


def click_another_point(page, current: str) -> str:  # type: ignore[no-untyped-def]
    target = next(m for m in separated_markers(marker_positions(page)) if m["code"] != current)
    page.mouse.click(target["x"], target["y"])
    shows(page, target["code"])
    return target["code"]


def test_static_bundle_comes_back_compressed_and_cached_for_a_year(stack: RunningStack) -> None:
    _, _, html = get(stack.url + "/")
    bundle = re.search(rb'src="\.?(/static/js/index\.[^"]+\.js)"', html)
    assert bundle is not None, "no script bundle in the page"
    path = bundle.group(1).decode()
    status, headers, body = get(stack.url + path, {"Accept-Encoding": "gzip"})
    original = (streamlit_static_dir() / path.lstrip("/")).read_bytes()
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == original
    assert len(body) < 0.5 * len(original)
    cache = headers.get("Cache-Control", "")
    assert "immutable" in cache
    max_age = re.search(r"max-age=(\d+)", cache)
    assert max_age is not None and int(max_age.group(1)) >= YEAR_S
    # A client that cannot decompress gets the bundle as it is.
    _, plain_headers, plain = get(stack.url + path)
    assert "Content-Encoding" not in plain_headers
    assert plain == original


def test_health_check_answers_through_the_balancer(stack: RunningStack) -> None:
    assert healthy(stack.url)
    status, headers, _ = get(stack.url + "/_stcore/health")
    assert status == 200
    cookies = " ".join(headers.get_all("Set-Cookie") or [])
    assert re.search(rf"{STICKY_COOKIE}=r[12];", cookies)


@pytest.mark.browser
def test_map_works_through_the_balancer(page, stack: RunningStack) -> None:  # type: ignore[no-untyped-def]
    page.goto(stack.url + "/?point=BL23")
    wait_for_map(page)
    shows(page, "BL23")
    chosen = click_another_point(page, "BL23")
    page.wait_for_function("code => location.search.includes('point=' + code)", arg=chosen)
    assert_only_loopback(page.requested)


@pytest.mark.browser
def test_handout_download_works_through_the_balancer(page, stack: RunningStack) -> None:  # type: ignore[no-untyped-def]
    page.goto(stack.url + "/?set=BL23,BL40")
    button = page.locator(".st-key-map_handout button")
    button.wait_for(timeout=30_000)
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.url.startswith(stack.url + "/media/")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "BL23" in text and "BL40" in text
    assert_only_loopback(page.requested)


def stack_processes(stack: RunningStack) -> list[int]:
    """supervisord and every process under it (replicas, nginx and its workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found = [stack.process.pid]
    for pid in found:
        found += [child for child, parent in parents.items() if parent == pid]
    return found


def remote_addresses(pids: list[int]) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The remote ends of the TCP sockets these processes hold, read from /proc."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        inodes |= {link[len("socket:[") : -1] for link in links if link.startswith("socket:[")}
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            columns = line.split()
            if columns[9] in inodes:
                raw = bytes.fromhex(columns[2].split(":")[0])
                # /proc prints each 32-bit word of the address in little-endian order.
                address = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(ipaddress.ip_address(address))
    return found


def is_local(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback or address.is_unspecified


@pytest.mark.browser
def test_no_process_of_the_stack_talks_beyond_localhost(page, stack: RunningStack) -> None:  # type: ignore[no-untyped-def]
    page.goto(stack.url + "/?point=BL40")
    wait_for_map(page)
    shows(page, "BL40")
    addresses = remote_addresses(stack_processes(stack))
    assert addresses, "no socket found: the check would see nothing"
    assert {address for address in addresses if not is_local(address)} == set()
    assert_only_loopback(page.requested)


@pytest.mark.browser
def test_a_killed_replica_loses_no_reader_and_comes_back(  # type: ignore[no-untyped-def]
    page, browser, stack: RunningStack
) -> None:
    page.goto(stack.url + "/?point=BL23")
    wait_for_map(page)
    shows(page, "BL23")
    victim = replica_of(page)
    old_pid = stack.replica_pid(victim)
    assert old_pid > 0
    os.kill(old_pid, signal.SIGKILL)

    # A new reader is served at once, by the other replica.
    newcomer = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    try:
        newcomer.goto(stack.url + "/?point=BL40")
        wait_for_map(newcomer)
        shows(newcomer, "BL40")
        assert replica_of(newcomer) != victim
    finally:
        newcomer.context.close()

    # The open page reconnects to the other replica (the cookie follows it), keeps its
    # point from the URL, and answers the next click.
    deadline = time.monotonic() + 30
    while replica_of(page) == victim:
        assert time.monotonic() < deadline, "the open page never reconnected"
        page.wait_for_timeout(250)
    assert "point=BL23" in page.url
    shows(page, "BL23")
    click_another_point(page, "BL23")

    # supervisord starts the killed replica again.
    deadline = time.monotonic() + 60
    while not (
        stack.replica_pid(victim) not in (0, old_pid) and healthy(stack.replica_url(victim))
    ):
        assert time.monotonic() < deadline, "the killed replica did not come back"
        time.sleep(0.5)
    assert_only_loopback(page.requested)


class FakeSession:
    """Just what whole_page_first asks of a session: which fragments it holds."""

    def __init__(self, fragments: set[str]) -> None:
        self.fragments = fragments

    def has_fragment(self, fragment_id: str) -> bool:
        return fragment_id in self.fragments


def client_state(fragment_id: str = "") -> ClientState:
    state = ClientState(query_string="point=BL23", fragment_id=fragment_id)
    state.widget_states.widgets.add(id="$$ID-abc-body_map", json_value='{"selection": {}}')
    return state


def test_a_new_sessions_first_fragment_click_runs_the_page_then_the_fragment() -> None:
    session = FakeSession(set())
    click = client_state("map-fragment")
    now = whole_page_first(session, click)
    assert now is not None and now.fragment_id == ""
    assert now.query_string == "point=BL23"
    assert [w.id for w in now.widget_states.widgets] == ["$$ID-abc-body_map"]
    assert waiting_fragment_request(session) is click
    # A second click while the page runs replaces the waiting one.
    again = client_state("map-fragment")
    assert whole_page_first(session, again) is None
    assert waiting_fragment_request(session) is again


def test_requests_of_a_session_that_has_run_pass_unchanged() -> None:
    session = FakeSession({"map-fragment"})
    first = client_state()
    assert whole_page_first(session, first) is first
    click = client_state("map-fragment")
    assert whole_page_first(session, click) is click
    removed = client_state("gone")  # removed by a later full run: Streamlit ignores it
    assert whole_page_first(session, removed) is removed
    assert waiting_fragment_request(session) is None


def test_page_names_the_chart_bundle_and_fonts_it_will_need(stack: RunningStack) -> None:
    _, _, html = get(stack.url + "/")
    head = html.split(b"</head>")[0].decode()
    named = re.findall(r'<link rel="(?:modulepreload|preload)" href="\./([^"]+)"', head)
    assert any(re.fullmatch(r"static/js/PlotlyChart\.[\w-]+\.js", path) for path in named)
    assert sum(path.endswith(".woff2") for path in named) == 2
    for path in named:
        assert (streamlit_static_dir() / path).is_file(), f"{path} is not a Streamlit file"


def test_with_a_certificate_nginx_serves_https_and_marks_its_cookie_secure(tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("certificate")
    (tmp_path / "key.pem").write_text("key")
    settings = settings_from_environment(
        {"TLS_CERT": str(tmp_path / "cert.pem"), "TLS_KEY": str(tmp_path / "key.pem")},
        pick_port=lambda: 9101,
    )
    text = render_nginx(settings, tmp_path, tmp_path / "static")
    assert "listen 127.0.0.1:8080 ssl http2;" in text
    assert f"ssl_certificate {tmp_path / 'cert.pem'};" in text
    assert text.count("SameSite=Lax; Secure") == 2
    assert settings.scheme == "https"


@pytest.mark.browser
def test_map_works_over_https_and_http2(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    require_serving_tools()
    require_browser()
    cert, key = write_self_signed_certificate(tmp_path)
    settings = settings_from_environment(
        {"REPLICAS": "1", "PORT": str(free_port()), "TLS_CERT": str(cert), "TLS_KEY": str(key)}
    )
    with running_stack(dataclasses.replace(settings, log_to_terminal=False)) as secure:
        assert secure.url.startswith("https://127.0.0.1:")
        # The certificate is made for this test; no authority vouches for it.
        context = browser.new_context(
            viewport={"width": 1400, "height": 1100}, ignore_https_errors=True
        )
        try:
            page = context.new_page()
            sockets: list[str] = []
            page.on("websocket", lambda socket: sockets.append(socket.url))
            page.goto(secure.url + "/?point=BL23")
            wait_for_map(page)
            shows(page, "BL23")
            click_another_point(page, "BL23")
            protocols = page.evaluate(
                "() => performance.getEntriesByType('resource')"
                ".filter(e => e.name.includes('/static/js/')).map(e => e.nextHopProtocol)"
            )
            assert protocols and set(protocols) == {"h2"}
            assert sockets and all(url.startswith("wss://127.0.0.1:") for url in sockets)
            sticky = next(c for c in context.cookies() if c["name"] == STICKY_COOKIE)
            assert sticky["secure"]
        finally:
            context.close()


def test_replicas_and_a_balancer_started_apart_work_together() -> None:
    """The several-hosts layout, on loopback: replicas alone, then nginx alone in front."""
    require_serving_tools()
    replica_port = free_port()
    replicas_only = settings_from_environment(
        {"BALANCER": "none", "HOST": "127.0.0.1", "PORT": str(replica_port), "REPLICAS": "1"}
    )
    with running_stack(dataclasses.replace(replicas_only, log_to_terminal=False)) as replicas:
        assert "balancer" not in replicas.supervisorctl("status")
        balancer_only = settings_from_environment(
            {"BACKENDS": f"127.0.0.1:{replica_port}", "PORT": str(free_port())}
        )
        with running_stack(dataclasses.replace(balancer_only, log_to_terminal=False)) as front:
            assert front.supervisorctl("status").split()[0] == "balancer"
            status, headers, body = get(front.url + "/")
            assert status == 200 and b"<html" in body.lower()
            cookies = " ".join(headers.get_all("Set-Cookie") or [])
            assert f"{STICKY_COOKIE}=r1;" in cookies
