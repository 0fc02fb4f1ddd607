"""Serving many readers, measured in the same run as its baselines (``make bench``):

- first load on an emulated phone link (10 Mbit/s, 80 ms, through Chromium's own network
  emulation): the atlas through ``make serve`` against a bare Streamlit + Plotly page
  served the stock way (``streamlit run``), with the bytes each transferred; the atlas
  served the stock way is measured too, to show what the balancer alone changes;
- load: many readers at once, each opening the map and clicking markers, through
  ``make serve`` with 3 replicas against the same with 1, with the errors, the click
  times and the memory of each replica.

Every address is on the loopback interface.
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from bench.measure import MAP_SHOWN_JS, VIEWPORT, summarize
from bench.serving_load import run_readers
from deploy.serve import (
    RunningStack,
    running_stack,
    settings_from_environment,
    write_self_signed_certificate,
)
from tests.support import ROOT, free_port, read_rss_kib, streamlit_process, wait_until_settled

PHONE_LINK = {
    "offline": False,
    "latency": 80,  # ms added to each request
    "downloadThroughput": 10_000_000 / 8,  # bytes per second
    "uploadThroughput": 10_000_000 / 8,
}
TARGETS = {"phone_first_load_ratio": 0.55, "phone_bytes_ratio": 0.55, "load_errors": 0}


def phone_first_load(browser, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """ms from navigation to the map drawn, with an empty cache over the phone link, and
    the bytes the page received by the time its first run had finished."""
    # The HTTPS run uses a certificate made for it, which no authority vouches for.
    context = browser.new_context(viewport=VIEWPORT, ignore_https_errors=url.startswith("https:"))
    context.add_init_script(MAP_SHOWN_JS)
    page = context.new_page()
    received = {"bytes": 0}
    cdp = context.new_cdp_session(page)

    def count_response(event: dict[str, Any]) -> None:
        received["bytes"] += int(event.get("encodedDataLength", 0))

    def count_frame(event: dict[str, Any]) -> None:
        payload = event["response"]["payloadData"]
        # Binary frames arrive base64-encoded: three bytes for every four characters.
        binary = event["response"].get("opcode") == 2
        received["bytes"] += len(payload) * 3 // 4 if binary else len(payload.encode())

    cdp.on("Network.loadingFinished", count_response)
    cdp.on("Network.webSocketFrameReceived", count_frame)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", PHONE_LINK)
    try:
        page.goto(url + "/", wait_until="commit", timeout=120_000)
        page.wait_for_function("() => window.__mapShownAt !== null", timeout=120_000)
        shown = float(page.evaluate("() => window.__mapShownAt"))
        wait_until_settled(page, timeout_ms=120_000)
        page.wait_for_timeout(500)
        return {"ms": shown, "bytes": received["bytes"]}
    finally:
        context.close()


@contextmanager
def served(replicas: int, tls: bool = False) -> Iterator[RunningStack]:
    """``make serve`` with ``replicas``, over plain HTTP or over HTTPS with HTTP/2."""
    with tempfile.TemporaryDirectory() as scratch:
        environment = {"REPLICAS": str(replicas), "PORT": str(free_port())}
        if tls:
            cert, key = write_self_signed_certificate(Path(scratch))
            environment |= {"TLS_CERT": str(cert), "TLS_KEY": str(key)}
        settings = settings_from_environment(environment)
        with running_stack(dataclasses.replace(settings, log_to_terminal=False)) as stack:
            yield stack


def measure_phone_loads(browser, loads: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found: dict[str, list[dict[str, float]]] = {
        "served": [],
        "served_tls": [],
        "atlas_stock": [],
        "chart": [],
    }
    with (
        served(2) as stack,
        served(2, tls=True) as tls_stack,
        streamlit_process(ROOT / "app.py") as atlas,
        streamlit_process(ROOT / "bench" / "chart_app.py") as chart,
    ):
        failed: dict[str, list[str]] = {name: [] for name in found}
        urls = {
            "served": stack.url,
            "served_tls": tls_stack.url,
            "atlas_stock": atlas.url,
            "chart": chart.url,
        }
        names = list(urls)
        for number in range(loads):
            # Rotated, so that every page meets the machine's noise alike.
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                try:
                    found[name].append(phone_first_load(browser, urls[name]))
                except Exception as error:  # a load that never drew the map is counted
                    failed[name].append(f"{type(error).__name__}: {str(error)[:200]}")
    return {
        name: {
            "ms": summarize([sample["ms"] for sample in samples]),
            "bytes_median": int(statistics.median(s["bytes"] for s in samples)) if samples else 0,
            "samples": samples,
            "failed": failed[name],
        }
        for name, samples in found.items()
    }


class ReplicaMemory:
    """Samples each replica's resident memory twice a second; keeps the peak."""

    def __init__(self, stack: RunningStack) -> None:
        count = len(stack.settings.replica_ports)
        self.pids = [stack.replica_pid(number) for number in range(1, count + 1)]
        self.idle_kib = [read_rss_kib(pid) for pid in self.pids]
        self.peak_kib = list(self.idle_kib)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            for index, pid in enumerate(self.pids):
                with suppress(OSError, RuntimeError):  # a replica restarting has no RSS
                    self.peak_kib[index] = max(self.peak_kib[index], read_rss_kib(pid))

    def __enter__(self) -> ReplicaMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def measure_load(replicas: int, sessions: int, clicks: int) -> dict[str, Any]:
    with served(replicas) as stack:
        time.sleep(2)  # let the replicas settle after their start
        with ReplicaMemory(stack) as memory:
            started = time.perf_counter()
            readers = run_readers(stack.url, sessions, clicks)
            wall_s = time.perf_counter() - started
    clicks_ms = [value for reader in readers for value in reader.click_ms]
    errors = [error for reader in readers for error in reader.errors]
    return {
        "replicas": replicas,
        "sessions": sessions,
        "clicks_per_session": clicks,
        "wall_s": round(wall_s, 1),
        "clicks_answered": len(clicks_ms),
        "errors": len(errors),
        "error_samples": errors[:10],
        "click_ms": summarize(clicks_ms),
        "open_ms": summarize([r.open_ms for r in readers if r.open_ms is not None]),
        "idle_kib": memory.idle_kib,
        "peak_kib": memory.peak_kib,
    }


def measure_serving(browser, loads: int, sessions: int, clicks: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    results: dict[str, Any] = {"phone_link": PHONE_LINK}
    results["first_load"] = measure_phone_loads(browser, loads)
    results["load"] = {
        str(replicas): measure_load(replicas, sessions, clicks) for replicas in (1, 3)
    }
    results["verdicts"] = serving_verdicts(results)
    return results


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 2) if denominator else float("nan")


def serving_verdicts(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    loads = results["first_load"]
    served, chart = loads["served"], loads["chart"]
    found = {
        "phone_first_load_ratio": {
            "value": _ratio(served["ms"]["median"], chart["ms"]["median"]),
            "target": TARGETS["phone_first_load_ratio"],
        },
        "phone_bytes_ratio": {
            "value": _ratio(served["bytes_median"], chart["bytes_median"]),
            "target": TARGETS["phone_bytes_ratio"],
        },
        "load_errors": {
            "value": sum(run["errors"] for run in results["load"].values()),
            "target": TARGETS["load_errors"],
        },
    }
    for item in found.values():
        item["met"] = bool(item["value"] <= item["target"])
    return found


def serving_table(results: dict[str, Any]) -> str:
    """The serving results as a Markdown table (the README quotes it)."""
    met = results["verdicts"]
    loads = results["first_load"]
    served, tls, stock, chart = (
        loads[name] for name in ("served", "served_tls", "atlas_stock", "chart")
    )
    one, three = results["load"]["1"], results["load"]["3"]

    def mark(key: str) -> tuple[str, str]:
        item = met[key]
        return f"≤ {item['target']}", "yes" if item["met"] else "**no**"

    rows = [
        ("Measure", "Atlas via make serve", "Baseline", "Ratio", "Target", "Met"),
        (
            "First load on a phone link, empty cache, median (ms)",
            f"{served['ms']['median']:.0f}",
            f"{chart['ms']['median']:.0f} (bare chart, stock)",
            f"{met['phone_first_load_ratio']['value']:.2f}",
            *mark("phone_first_load_ratio"),
        ),
        (
            "Bytes received on that first load (median)",
            f"{served['bytes_median']:,}",
            f"{chart['bytes_median']:,} (bare chart, stock)",
            f"{met['phone_bytes_ratio']['value']:.2f}",
            *mark("phone_bytes_ratio"),
        ),
        (
            "The same over HTTPS and HTTP/2 (ms; bytes)",
            f"{tls['ms']['median']:.0f}; {tls['bytes_median']:,}",
            f"{chart['ms']['median']:.0f}; {chart['bytes_median']:,} (bare chart, stock)",
            f"{_ratio(tls['ms']['median'], chart['ms']['median']):.2f}; "
            f"{_ratio(tls['bytes_median'], chart['bytes_median']):.2f}",
            "",
            "",
        ),
        (
            "The same, against the atlas served stock (ms; bytes)",
            f"{served['ms']['median']:.0f}; {served['bytes_median']:,}",
            f"{stock['ms']['median']:.0f}; {stock['bytes_median']:,} (atlas, stock)",
            f"{_ratio(served['ms']['median'], stock['ms']['median']):.2f}; "
            f"{_ratio(served['bytes_median'], stock['bytes_median']):.2f}",
            "",
            "",
        ),
    ]
    label = f"{three['sessions']} readers, {three['clicks_per_session']} clicks each"
    rows += [
        (
            f"{label}: errors",
            f"{three['errors']} (3 replicas)",
            f"{one['errors']} (1 replica)",
            "",
            *mark("load_errors"),
        ),
        (
            f"{label}: click → answer, median (ms)",
            f"{three['click_ms']['median']:.0f} (3 replicas)",
            f"{one['click_ms']['median']:.0f} (1 replica)",
            f"{_ratio(three['click_ms']['median'], one['click_ms']['median']):.2f}",
            "",
            "",
        ),
        (
            f"{label}: click → answer, 95th percentile (ms)",
            f"{three['click_ms']['p95']:.0f} (3 replicas)",
            f"{one['click_ms']['p95']:.0f} (1 replica)",
            f"{_ratio(three['click_ms']['p95'], one['click_ms']['p95']):.2f}",
            "",
            "",
        ),
        (
            f"{label}: page open, median; 95th percentile (ms)",
            f"{three['open_ms']['median']:.0f}; {three['open_ms']['p95']:.0f} (3 replicas)",
            f"{one['open_ms']['median']:.0f}; {one['open_ms']['p95']:.0f} (1 replica)",
            "",
            "",
            "",
        ),
        (
            f"{label}: memory per replica, idle → peak (MiB)",
            ", ".join(
                f"{idle / 1024:.0f} → {peak / 1024:.0f}"
                for idle, peak in zip(three["idle_kib"], three["peak_kib"], strict=True)
            ),
            f"{one['idle_kib'][0] / 1024:.0f} → {one['peak_kib'][0] / 1024:.0f} (1 replica)",
            "",
            "",
            "",
        ),
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)
