"""``make serve``: several atlas replicas behind nginx, all supervised by supervisord.

Settings come from the environment:

- ``REPLICAS`` (default 2): how many Streamlit processes run the app on this host;
- ``PORT`` (default 8080) and ``HOST`` (default 127.0.0.1): where nginx listens;
- ``BACKENDS``: ``host:port,host:port,...`` of replicas on other hosts; nginx then proxies
  to those and no replica runs here;
- ``BALANCER=none``: run only the replicas, on ``HOST`` at ports ``PORT``, ``PORT+1``, ...,
  for a balancer on another host;
- ``TLS_CERT`` and ``TLS_KEY``: a certificate (with its chain) and its key, to serve HTTPS
  and HTTP/2 instead of plain HTTP;
- ``STREAMLIT_SERVER_COOKIE_SECRET``: the secret every replica shares (one is made per run
  if unset; replicas on several hosts must be given the same one).

Everything runs in the foreground; Ctrl-C stops supervisord, which stops every process.
"""

from __future__ import annotations

import gzip
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import streamlit

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
LOOPBACK = "127.0.0.1"
# Text bundles worth compressing ahead of time; fonts in woff2 and images already are.
COMPRESSIBLE_SUFFIXES = frozenset({".js", ".css", ".json", ".svg", ".map", ".txt", ".ttf"})
MIN_COMPRESS_BYTES = 512
HEALTH_PATH = "/_stcore/health"
INSTALL_HINT = (
    "make serve needs nginx and supervisord from Debian's packages. As root, `make serve` "
    "installs them; otherwise run: sudo apt-get install nginx supervisor"
)


class ServeError(RuntimeError):
    """A setting or a missing program that stops ``make serve``, with a message for people."""


@dataclass(frozen=True)
class Backend:
    host: str
    port: int

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ServeSettings:
    """What to run. ``replica_ports`` are the local replicas; ``backends`` what nginx
    proxies to (the local replicas unless replicas on other hosts are named)."""

    host: str = LOOPBACK
    port: int = 8080
    replica_host: str = LOOPBACK
    replica_ports: tuple[int, ...] = ()
    remote_backends: tuple[Backend, ...] = ()
    balancer: bool = True
    cookie_secret: str = field(default="", repr=False)
    tls_cert: str = ""
    tls_key: str = ""
    max_body: str = "1m"
    max_upload_mib: int = 1
    connections_per_address: int = 200
    worker_connections: int = 4096
    replica_max_connections: int = 1000
    log_to_terminal: bool = True

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"

    @property
    def backends(self) -> tuple[Backend, ...]:
        if self.remote_backends:
            return self.remote_backends
        return tuple(Backend(self.replica_host, port) for port in self.replica_ports)


def _positive_int(environ: Mapping[str, str], name: str, default: int, upper: int) -> int:
    raw = environ.get(name, "").strip() or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise ServeError(f"{name} must be a whole number, not {raw!r}") from None
    if not 1 <= value <= upper:
        raise ServeError(f"{name} must be between 1 and {upper}, not {value}")
    return value


def _host(raw: str, name: str) -> str:
    """An IP address (names would make nginx resolve them, which may leave the machine)."""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise ServeError(f"{name} must be an IP address such as 127.0.0.1, not {raw!r}") from None


def parse_backends(raw: str) -> tuple[Backend, ...]:
    found = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ServeError(f"BACKENDS entries look like 10.0.0.5:8501, not {item!r}")
        found.append(Backend(_host(host.strip("[]"), "BACKENDS"), int(port)))
    return tuple(found)


def settings_from_environment(
    environ: Mapping[str, str], pick_port: Callable[[], int] | None = None
) -> ServeSettings:
    """Read the settings; local replicas get free loopback ports unless ``BALANCER=none``."""
    replicas = _positive_int(environ, "REPLICAS", 2, 64)
    port = _positive_int(environ, "PORT", 8080, 65535)
    host = _host(environ.get("HOST", "").strip() or LOOPBACK, "HOST")
    balancer = environ.get("BALANCER", "nginx").strip().lower() != "none"
    remote = parse_backends(environ.get("BACKENDS", ""))
    if remote and not balancer:
        raise ServeError("BACKENDS names replicas for this balancer: not with BALANCER=none")
    secret = environ.get("STREAMLIT_SERVER_COOKIE_SECRET", "") or secrets.token_hex(32)
    tls_cert, tls_key = _tls_files(environ)
    if not balancer:
        # Replicas for a balancer elsewhere: on the given address, at known ports.
        ports = tuple(port + offset for offset in range(replicas))
        return ServeSettings(
            host=host,
            port=port,
            replica_host=host,
            replica_ports=ports,
            balancer=False,
            cookie_secret=secret,
        )
    choose = pick_port or free_port
    ports = () if remote else tuple(choose() for _ in range(replicas))
    return ServeSettings(
        host=host,
        port=port,
        replica_ports=ports,
        remote_backends=remote,
        cookie_secret=secret,
        tls_cert=tls_cert,
        tls_key=tls_key,
    )


def _tls_files(environ: Mapping[str, str]) -> tuple[str, str]:
    cert, key = (environ.get(name, "").strip() for name in ("TLS_CERT", "TLS_KEY"))
    if bool(cert) != bool(key):
        raise ServeError("TLS_CERT and TLS_KEY go together: give both, or neither")
    for name, path in (("TLS_CERT", cert), ("TLS_KEY", key)):
        if path and not Path(path).is_file():
            raise ServeError(f"{name} names no readable file: {path}")
    return (str(Path(cert).resolve()), str(Path(key).resolve())) if cert else ("", "")


def write_self_signed_certificate(directory: Path, address: str = LOOPBACK) -> tuple[Path, Path]:
    """A certificate for ``address`` that nobody vouches for, to try HTTPS on one machine
    (browsers warn about it; the tests and the benchmark tell Chromium to accept it)."""
    cert, key = directory / "local-cert.pem", directory / "local-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={address}", "-addext", f"subjectAltName=IP:{address}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


# --- configuration -------------------------------------------------------------------------


def _template(name: str) -> Template:
    return Template((DEPLOY / name).read_text(encoding="utf-8"))


def _indent(lines: list[str], spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in lines)


def _log_lines(settings: ServeSettings, run_dir: Path, name: str) -> str:
    if settings.log_to_terminal:
        # supervisord passes each program's output through to its own.
        return "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true"
    return f"stdout_logfile={run_dir / name}.log\nredirect_stderr=true"


def streamlit_options(settings: ServeSettings, port: int) -> list[str]:
    return [
        "--server.port", str(port),
        "--server.address", settings.replica_host,
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--server.maxUploadSize", str(settings.max_upload_mib),
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


# What the map page always loads but finds late: the chart's bundle (1.4 MB compressed) is
# imported when the first chart arrives, the fonts when text is first drawn.
PRELOADS = (
    ("static/js/PlotlyChart.*.js", '<link rel="modulepreload" href="./{path}">'),
    (
        "static/media/SourceSansVF-Upright.ttf.*.woff2",
        '<link rel="preload" href="./{path}" as="font" type="font/woff2" crossorigin>',
    ),
    (
        "static/media/MaterialSymbols-Rounded.*.woff2",
        '<link rel="preload" href="./{path}" as="font" type="font/woff2" crossorigin>',
    ),
)


def preload_links(static_root: Path) -> str:
    """Links for the page's head to the files in PRELOADS that this Streamlit has."""
    links = []
    for pattern, link in PRELOADS:
        for path in sorted(static_root.glob(pattern)):
            links.append(link.format(path=path.relative_to(static_root).as_posix()))
    return "".join(links)


def _listen_lines(settings: ServeSettings, address: str) -> list[str]:
    if not settings.tls_cert:
        return [f"listen {address};"]
    return [
        # HTTP/2 fetches the page's hundred bundles over one connection, all at once.
        f"listen {address} ssl http2;",
        f"ssl_certificate {settings.tls_cert};",
        f"ssl_certificate_key {settings.tls_key};",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "ssl_session_cache shared:tls:10m;",
    ]


def render_nginx(settings: ServeSettings, run_dir: Path, static_root: Path) -> str:
    backends = settings.backends
    if not backends:
        raise ServeError("nothing to balance: REPLICAS is 0 and BACKENDS is empty")
    server_options = f"max_fails=1 fail_timeout=5s max_conns={settings.replica_max_connections}"
    names = [f"r{number}" for number in range(1, len(backends) + 1)]
    pinned: list[str] = []
    for name, backend in zip(names, backends, strict=True):
        others = [b for b in backends if b != backend]
        pinned += [
            f"upstream atlas_{name} {{",
            f"    server {backend.address} {server_options};",
            *(f"    server {other.address} backup;" for other in others),
            "}",
        ]
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    is_root = os.geteuid() == 0
    return _template("nginx.conf.in").substitute(
        replica_count=len(backends),
        run_dir=run_dir,
        # As root the workers drop to nobody; otherwise they run as whoever started them.
        user_line="user nobody nogroup;" if is_root else "# workers run as the starting user",
        worker_connections=settings.worker_connections,
        access_log="off",
        max_body=settings.max_body,
        connections_per_address=settings.connections_per_address,
        pool_map=_indent([f"{name} atlas_{name};" for name in names], 8),
        answered_map=_indent(
            [
                # $upstream_addr lists every address tried, "a, b": the last one answered.
                f'"~(^|\\s){re.escape(backend.address)}$" {name};'
                for name, backend in zip(names, backends, strict=True)
            ],
            8,
        ),
        any_servers=_indent([f"server {b.address} {server_options};" for b in backends], 8),
        pinned_upstreams=_indent(pinned, 4) + "\n",
        listen_lines=_indent(_listen_lines(settings, f"{host}:{settings.port}"), 8),
        secure_cookie="; Secure" if settings.tls_cert else "",
        static_root=static_root,
        preload_links=preload_links(static_root),
    )


def render_supervisord(settings: ServeSettings, run_dir: Path, nginx: str) -> str:
    program = _template("replica.program.in")
    replicas = []
    for number, port in enumerate(settings.replica_ports, start=1):
        replicas.append(
            program.substitute(
                number=number,
                python=sys.executable,
                streamlit_options=" ".join(streamlit_options(settings, port)),
                root=ROOT,
                environment=f'STREAMLIT_SERVER_COOKIE_SECRET="{settings.cookie_secret}"',
                log_lines=_log_lines(settings, run_dir, f"replica-{number}"),
            )
        )
    text = _template("supervisord.conf.in").substitute(
        replica_count=len(settings.replica_ports),
        run_dir=run_dir,
        silent="false" if settings.log_to_terminal else "true",
        replica_programs="\n".join(replicas),
        nginx=nginx,
        log_lines=_log_lines(settings, run_dir, "balancer"),
    )
    if not settings.balancer:
        # Replicas only: the balancer runs on another host.
        text = text[: text.index("[program:balancer]")]
    return text


# --- the static bundles, compressed once ---------------------------------------------------


def streamlit_static_dir() -> Path:
    return Path(streamlit.__file__).resolve().parent / "static"


def _usable_cache(path: Path) -> bool:
    """A cache in the shared temporary folder is used only if this user made it and no one
    else can write to it."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.geteuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        and (path / ".complete").exists()
    )


def prepare_static(cache_parent: Path | None = None) -> Path:
    """A copy of Streamlit's static folder with a ``.gz`` beside each text file, made once
    per Streamlit version (compressing at level 9 takes a few seconds)."""
    parent = cache_parent or Path(tempfile.gettempdir())
    target = parent / f"atlas-static-{streamlit.__version__}-{os.geteuid()}"
    if _usable_cache(target):
        return target
    building = Path(tempfile.mkdtemp(prefix="atlas-static-", dir=parent))
    shutil.copytree(streamlit_static_dir(), building, dirs_exist_ok=True)
    for path in building.rglob("*"):
        if path.suffix in COMPRESSIBLE_SUFFIXES and path.stat().st_size >= MIN_COMPRESS_BYTES:
            # mtime=0: the same bundle always compresses to the same bytes.
            packed = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
            Path(f"{path}.gz").write_bytes(packed)
    (building / ".complete").touch()
    # Readable by nginx's workers, writable only by this user.
    for path in [building, *building.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    if target.exists() or target.is_symlink():
        if not _usable_cache(target) and target.is_dir() and target.stat().st_uid == os.geteuid():
            shutil.rmtree(target)
        elif not _usable_cache(target):
            return building  # someone else's folder by that name: use ours under its own name
    try:
        building.rename(target)
    except OSError:
        return building
    return target


# --- running -------------------------------------------------------------------------------


def find_program(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if not found:
        raise ServeError(f"{name} is missing. {INSTALL_HINT}")
    return found


@dataclass(frozen=True)
class RunningStack:
    """A started stack: where it answers, its run folder, and its supervisord process."""

    url: str
    run_dir: Path
    settings: ServeSettings
    process: subprocess.Popen

    def supervisorctl(self, *arguments: str) -> str:
        result = subprocess.run(
            [find_program("supervisorctl"), "-c", str(self.run_dir / "supervisord.conf"),
             *arguments],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        return result.stdout

    def replica_pid(self, number: int) -> int:
        """The process id of replica ``number`` (0 while it is not running)."""
        text = self.supervisorctl("pid", f"replica-{number}").strip()
        return int(text) if text.isdigit() else 0

    def replica_url(self, number: int) -> str:
        host = self.settings.replica_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.settings.replica_ports[number - 1]}"


def write_configs(settings: ServeSettings, run_dir: Path) -> None:
    supervisord_conf = run_dir / "supervisord.conf"
    nginx = find_program("nginx") if settings.balancer else "nginx"
    supervisord_conf.write_text(render_supervisord(settings, run_dir, nginx), encoding="utf-8")
    supervisord_conf.chmod(0o600)  # it holds the cookie secret
    if settings.balancer:
        nginx_conf = run_dir / "nginx.conf"
        nginx_conf.write_text(render_nginx(settings, run_dir, prepare_static()), encoding="utf-8")
        check = subprocess.run(
            [nginx, "-t", "-q", "-p", str(run_dir), "-c", str(nginx_conf),
             "-e", str(run_dir / "nginx-error.log")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if check.returncode != 0:
            raise ServeError(f"nginx refused the generated configuration:\n{check.stderr}")


def healthy(url: str) -> bool:
    # Only whether our own listener answers: its certificate may name another address.
    context = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=2, context=context) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until_serving(stack: RunningStack, timeout: float) -> None:
    """Until every local replica and the balancer answer the health check."""
    urls = [stack.replica_url(n) for n in range(1, len(stack.settings.replica_ports) + 1)]
    if stack.settings.balancer:
        urls.append(stack.url)
    deadline = time.monotonic() + timeout
    while not all(healthy(url) for url in urls):
        if stack.process.poll() is not None:
            raise ServeError(f"supervisord stopped; its log is in {stack.run_dir}")
        if time.monotonic() > deadline:
            raise ServeError(f"not healthy after {timeout:.0f} s; logs are in {stack.run_dir}")
        time.sleep(0.3)


@contextmanager
def running_stack(settings: ServeSettings, timeout: float = 90.0) -> Iterator[RunningStack]:
    """Start supervisord (the replicas and nginx) and wait until it all answers; stop it
    all on leaving."""
    supervisord = find_program("supervisord")
    run_dir = Path(tempfile.mkdtemp(prefix="atlas-serve-"))
    run_dir.chmod(0o755)  # nginx's workers create their temporary files inside it
    try:
        write_configs(settings, run_dir)
        process = subprocess.Popen(
            [supervisord, "-c", str(run_dir / "supervisord.conf")],
            cwd=ROOT,
            # Ctrl-C reaches supervisord through the terminal's process group; the stack
            # started for tests gets a new group so that only its own stop ends it.
            start_new_session=not settings.log_to_terminal,
        )
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        url = f"{settings.scheme}://{host}:{settings.port}"
        stack = RunningStack(url, run_dir, settings, process)
        try:
            wait_until_serving(stack, timeout)
            yield stack
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def main() -> int:
    try:
        settings = settings_from_environment(os.environ)
        with running_stack(settings) as stack:
            where = (
                stack.url if settings.balancer else ", ".join(b.address for b in settings.backends)
            )
            user = pwd.getpwuid(os.geteuid()).pw_name
            print(
                f"\nThe atlas is served on {where} by {len(settings.backends)} replica(s)"
                f" (running as {user}). Ctrl-C stops everything.\n",
                flush=True,
            )
            stack.process.wait()
    except ServeError as error:
        print(f"make serve: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
