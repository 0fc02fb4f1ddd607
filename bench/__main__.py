"""``make bench``: the atlas against bare Streamlit baselines, measured side by side in one run.

- click -> details: the atlas (real data, and a synthetic 400-point atlas) against a bare
  page whose button changes a line of text (and the same page with Streamlit's post-run
  garbage collection taken off, as the atlas does), clicks interleaved so all share
  machine noise;
- first load: the atlas against a bare page with a one-point Plotly chart, with an empty
  and with a warm browser cache;
- memory: the server's RSS idle and with 1, 10 and 30 open sessions, then after the
  sessions close and reopen;
- bytes received over the websocket per click;
- tap -> details on a touch phone, the atlas against the bare button tapped the same way;
- layout shift while each page first loads, on a phone and a tablet, against a bare page.

Prints a table and writes the numbers to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly
import plotly.io as pio
import streamlit

from acupoints.catalog import DATA_DIR_VARIABLE, load_catalog
from acupoints.figures import MapRequest, build_map_figure
from bench.measure import (
    PHONE,
    VIEWPORT,
    ClickTarget,
    first_load,
    layout_shift_on_load,
    map_target,
    open_floor_target,
    open_map_session,
    open_sessions,
    run_clicks,
    summarize,
)
from bench.serving import measure_serving, serving_table
from bench.synthetic import write_synthetic_atlas
from tests.support import MANY_PAGES_ARGS, launch_chromium, spread, streamlit_process

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "latest.json"
TARGETS = {
    "click_ratio_to_floor": 1.3,
    "tap_ratio_to_floor": 1.3,
    "layout_shift": 0.1,
    "first_load_ratio": 1.15,
    "scale_ratio": 1.1,
    "memory_mib_per_session": 1.0,
    "memory_growth_last_cycle_mib": 1.0,
}
SHIFT_PAGES = ("/", "/?point=BL23", "/What_to_expect", "/Research", "/Study", "/Consultation")
SHIFT_DEVICES = {
    "phone": PHONE,
    "tablet": {"viewport": {"width": 768, "height": 1024}, "has_touch": True},
    "desktop": {"viewport": VIEWPORT},
}
# Sessions whose browser is gone are kept this long for a reconnect (Streamlit's default is
# 120 s); the memory run shortens it so that closed sessions are really gone when measured.
SESSION_TTL_S = 2
MIN_DISTINCT_POINTS = 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="clicks per page (default 40)")
    parser.add_argument("--points", type=int, default=24, help="different points clicked")
    parser.add_argument("--loads", type=int, default=7, help="first loads per page")
    parser.add_argument("--scale", type=int, default=400, help="points in the synthetic atlas")
    parser.add_argument(
        "--sessions", default="1,10,30", help="open sessions at which memory is read"
    )
    parser.add_argument(
        "--cycles", type=int, default=2, help="times the sessions reopen and close (default 2)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument(
        "--skip",
        default="",
        help="parts to leave out, e.g. clicks,taps,shift,load,memory,serving",
    )
    parser.add_argument("--phone-loads", type=int, default=5, help="phone-link loads per page")
    parser.add_argument("--readers", type=int, default=50, help="readers at once (serving)")
    parser.add_argument("--reader-clicks", type=int, default=10, help="clicks per reader")
    return parser.parse_args(argv)


def describe_machine(browser_version: str) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024**2, 1),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "plotly": plotly.__version__,
        "chromium": browser_version,
    }


def figure_bytes(data_dir: Path | None) -> int:
    """Size of the default map's figure JSON, as st.plotly_chart sends it."""
    catalog = load_catalog(data_dir)
    return len(pio.to_json(build_map_figure(catalog, MapRequest()), validate=False))


def measure_clicks(browser, urls: dict[str, str], rounds: int, points: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    real = open_map_session(browser, urls["app"])
    scaled = open_map_session(browser, urls["app_scaled"])
    # Both maps are clicked on the same real points, so the panels shown are the same and
    # only the number of markers differs (the synthetic points copy one real point's text).
    common = [code for code in real[2] if code in scaled[2]]
    codes = spread(common, points) if len(common) >= MIN_DISTINCT_POINTS else None
    targets = [
        map_target("app", real, codes or spread(list(real[2]), points)),
        map_target("app_scaled", scaled, codes or spread(list(scaled[2]), points)),
        open_floor_target(browser, urls["floor"]),
        open_floor_target(browser, urls["floor_gc_frozen"], "floor_gc_frozen"),
    ]
    run_clicks(targets, rounds)
    found = click_results(targets)
    for target in targets:
        found[target.name]["bytes_per_click_median"] = int(
            statistics.median(target.bytes_per_click)
        )
        found[target.name]["largest_frame_bytes"] = target.largest_frame
    return found


def click_results(targets: list[ClickTarget]) -> dict[str, Any]:
    """Each target's latencies and misses; closes the targets' pages."""
    found = {
        target.name: {
            "latency_ms": summarize(target.latencies_ms),
            "samples_ms": [round(value, 1) for value in target.latencies_ms],
            "misses": target.misses,
            "distinct_points": target.distinct_points,
        }
        for target in targets
    }
    for target in targets:
        target.page.context.close()
    return found


def measure_taps(browser, urls: dict[str, str], rounds: int, points: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Taps on the phone: the atlas's markers against the bare button, interleaved."""
    session = open_map_session(browser, urls["app"], touch=True)
    targets = [
        map_target("app", session, spread(list(session[2]), points), tap=True),
        open_floor_target(browser, urls["floor"], tap=True),
    ]
    run_clicks(targets, rounds)
    return click_results(targets)


def measure_layout_shifts(browser, urls: dict[str, str], repeats: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The worst of ``repeats`` first visits to each page, per device, and the same for a
    bare page (the framework's own shift while a page appears)."""
    pages = {path: urls["app"] + path for path in SHIFT_PAGES}
    pages["bare page"] = urls["wide"]
    return {
        device: {
            name: round(max(layout_shift_on_load(browser, url, options) for _ in range(repeats)), 3)
            for name, url in pages.items()
        }
        for device, options in SHIFT_DEVICES.items()
    }


def measure_first_loads(browser, urls: dict[str, str], repeats: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    cold: dict[str, list[float]] = {"app": [], "chart": []}
    warm: dict[str, list[float]] = {"app": [], "chart": []}
    for number in range(repeats):
        order = ["app", "chart"] if number % 2 == 0 else ["chart", "app"]
        for name in order:
            empty, again = first_load(browser, urls[name])
            cold[name].append(empty)
            warm[name].extend(again)
    return {
        kind: {
            name: {"ms": summarize(times), "samples_ms": [round(t, 1) for t in times]}
            for name, times in found.items()
        }
        for kind, found in (("empty_cache", cold), ("warm_cache", warm))
    }


def measure_memory(playwright, counts: list[int], cycles: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """RSS of a fresh server: idle, with each count of open sessions, after they all close,
    and after the largest count opens and closes again ``cycles`` more times."""
    options = {"server.disconnectedSessionTTL": str(SESSION_TTL_S)}
    browser = launch_chromium(playwright, MANY_PAGES_ARGS)
    try:
        with streamlit_process(options=options) as server:
            time.sleep(2)
            found: dict[str, Any] = {"idle_kib": server.rss_kib(), "open_kib": {}}
            context = browser.new_context(viewport=VIEWPORT)
            pages: list = []
            for count in counts:
                pages += open_sessions(context, server.url, count - len(pages))
                time.sleep(2)
                found["open_kib"][str(count)] = server.rss_kib()
            context.close()
            time.sleep(SESSION_TTL_S + 3)
            found["closed_kib"] = [server.rss_kib()]
            for _ in range(cycles):
                context = browser.new_context(viewport=VIEWPORT)
                open_sessions(context, server.url, counts[-1])
                context.close()
                time.sleep(SESSION_TTL_S + 3)
                found["closed_kib"].append(server.rss_kib())
    finally:
        browser.close()
    first, last = counts[0], counts[-1]
    added = (found["open_kib"][str(last)] - found["open_kib"][str(first)]) / (last - first)
    found["mib_per_added_session"] = round(added / 1024, 2)
    # The first cycles may still fill caches and allocator pools; growth that continues to
    # the last cycle would be a leak.
    found["growth_last_cycle_kib"] = found["closed_kib"][-1] - found["closed_kib"][-2]
    return found


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 2) if denominator else float("nan")


def verdicts(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    clicks = results.get("clicks")
    if clicks:
        app, scaled, floor = (clicks[name]["latency_ms"] for name in ("app", "app_scaled", "floor"))
        value = ratio(app["median"], floor["median"])
        found["click_ratio_to_floor"] = {"value": value, "target": TARGETS["click_ratio_to_floor"]}
        value = ratio(scaled["median"], app["median"])
        found["scale_ratio"] = {"value": value, "target": TARGETS["scale_ratio"]}
    taps = results.get("taps")
    if taps:
        value = ratio(taps["app"]["latency_ms"]["median"], taps["floor"]["latency_ms"]["median"])
        found["tap_ratio_to_floor"] = {"value": value, "target": TARGETS["tap_ratio_to_floor"]}
    shifts = results.get("layout_shift")
    if shifts:
        for device, pages in shifts.items():
            worst = max(value for name, value in pages.items() if name != "bare page")
            found[f"layout_shift_{device}"] = {"value": worst, "target": TARGETS["layout_shift"]}
    loads = results.get("first_load")
    if loads:
        for kind in ("empty_cache", "warm_cache"):
            app, chart = (loads[kind][name]["ms"]["median"] for name in ("app", "chart"))
            found[f"first_load_ratio_{kind}"] = {
                "value": ratio(app, chart),
                "target": TARGETS["first_load_ratio"],
            }
    memory = results.get("memory")
    if memory:
        found["memory_mib_per_session"] = {
            "value": memory["mib_per_added_session"],
            "target": TARGETS["memory_mib_per_session"],
        }
        found["memory_growth_last_cycle_mib"] = {
            "value": round(memory["growth_last_cycle_kib"] / 1024, 2),
            "target": TARGETS["memory_growth_last_cycle_mib"],
        }
    for item in found.values():
        item["met"] = bool(item["value"] <= item["target"])
    return found


def table(results: dict[str, Any]) -> str:
    """The results as a Markdown table (the README quotes it)."""
    rows = [("Measure", "Atlas", "Baseline", "Ratio", "Target", "Met")]
    met = results["verdicts"]

    def mark(key: str) -> tuple[str, str, str]:
        item = met[key]
        return f"{item['value']:.2f}", f"≤ {item['target']}", "yes" if item["met"] else "**no**"

    clicks = results.get("clicks")
    if clicks:
        app, scaled, floor = (clicks[name] for name in ("app", "app_scaled", "floor"))
        rows.append(
            (
                "Click → details, median (ms)",
                f"{app['latency_ms']['median']:.0f}",
                f"{floor['latency_ms']['median']:.0f} (bare button)",
                *mark("click_ratio_to_floor"),
            )
        )
        rows.append(
            (
                "Click → details, 95th percentile (ms)",
                f"{app['latency_ms']['p95']:.0f}",
                f"{floor['latency_ms']['p95']:.0f} (bare button)",
                f"{ratio(app['latency_ms']['p95'], floor['latency_ms']['p95']):.2f}",
                "",
                "",
            )
        )
        frozen = clicks["floor_gc_frozen"]["latency_ms"]["median"]
        rows.append(
            (
                "Click → details, median, against a floor without the post-run GC (ms)",
                f"{app['latency_ms']['median']:.0f}",
                f"{frozen:.0f} (bare button, gc.freeze)",
                f"{ratio(app['latency_ms']['median'], frozen):.2f}",
                "",
                "",
            )
        )
        rows.append(
            (
                f"Click → details, {results['settings']['scale']} points, median (ms)",
                f"{scaled['latency_ms']['median']:.0f}",
                f"{app['latency_ms']['median']:.0f} (real atlas)",
                *mark("scale_ratio"),
            )
        )
        rows.append(
            (
                "Bytes received per click (median)",
                f"{app['bytes_per_click_median']:,}",
                f"{floor['bytes_per_click_median']:,} (bare button)",
                "",
                "figure not resent",
                "yes" if app["largest_frame_bytes"] < results["figure_bytes"]["app"] else "**no**",
            )
        )
    taps = results.get("taps")
    if taps:
        app, floor = taps["app"]["latency_ms"], taps["floor"]["latency_ms"]
        rows.append(
            (
                "Tap → details on a phone, median (ms)",
                f"{app['median']:.0f}",
                f"{floor['median']:.0f} (bare button, tapped)",
                *mark("tap_ratio_to_floor"),
            )
        )
    shifts = results.get("layout_shift")
    if shifts:
        for device, pages in shifts.items():
            own = {name: value for name, value in pages.items() if name != "bare page"}
            listed = ", ".join(f"{name} {value:.2f}" for name, value in own.items())
            rows.append(
                (
                    f"Layout shift while loading, {device}, worst page",
                    listed,
                    f"{pages['bare page']:.2f} (bare wide page)",
                    *mark(f"layout_shift_{device}"),
                )
            )
    loads = results.get("first_load")
    if loads:
        for kind, label in (("empty_cache", "empty cache"), ("warm_cache", "warm cache")):
            app, chart = (loads[kind][name]["ms"]["median"] for name in ("app", "chart"))
            rows.append(
                (
                    f"First load, {label}, median (ms)",
                    f"{app:.0f}",
                    f"{chart:.0f} (one-point chart)",
                    *mark(f"first_load_ratio_{kind}"),
                )
            )
    memory = results.get("memory")
    if memory:
        last = results["settings"]["sessions"][-1]
        opened = ", ".join(
            f"{count}: {kib / 1024:.0f}" for count, kib in memory["open_kib"].items()
        )
        rows.append(
            (
                "Server RSS (MiB): idle; open sessions",
                f"{memory['idle_kib'] / 1024:.0f}; {opened}",
                "",
                "",
                "",
                "",
            )
        )
        rows.append(("Memory per added session (MiB)", "", "", *mark("memory_mib_per_session")))
        closed = " → ".join(f"{kib / 1024:.0f}" for kib in memory["closed_kib"])
        rows.append(
            (
                f"RSS after {last} sessions close, each reopen cycle (MiB)",
                closed,
                "",
                *mark("memory_growth_last_cycle_mib"),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    counts = [int(count) for count in args.sessions.split(",")]
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "make bench",
        "settings": {
            "rounds": args.rounds,
            "points": args.points,
            "loads": args.loads,
            "scale": args.scale,
            "sessions": counts,
            "cycles": args.cycles,
        },
    }
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        scaled_data = write_synthetic_atlas(Path(scratch) / "data", args.scale)
        results["figure_bytes"] = {
            "app": figure_bytes(None),
            "app_scaled": figure_bytes(scaled_data),
        }
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        stack.callback(browser.close)
        results["machine"] = describe_machine(browser.version)
        if not {"clicks", "taps", "shift", "load"} <= skip:
            with ExitStack() as servers:
                urls = {
                    "app": servers.enter_context(streamlit_process()).url,
                    "app_scaled": servers.enter_context(
                        streamlit_process(env={DATA_DIR_VARIABLE: str(scaled_data)})
                    ).url,
                    "floor": servers.enter_context(streamlit_process(BENCH / "floor_app.py")).url,
                    "floor_gc_frozen": servers.enter_context(
                        streamlit_process(BENCH / "floor_app_gc_frozen.py")
                    ).url,
                    "chart": servers.enter_context(streamlit_process(BENCH / "chart_app.py")).url,
                    "wide": servers.enter_context(streamlit_process(BENCH / "wide_app.py")).url,
                }
                if "clicks" not in skip:
                    print(f"clicks: {args.rounds} rounds over 4 pages ...", file=sys.stderr)
                    results["clicks"] = measure_clicks(browser, urls, args.rounds, args.points)
                if "taps" not in skip:
                    print(f"taps: {args.rounds} rounds on a phone ...", file=sys.stderr)
                    results["taps"] = measure_taps(browser, urls, args.rounds, args.points)
                if "shift" not in skip:
                    print("layout shift: every page, phone, tablet, desktop ...", file=sys.stderr)
                    results["layout_shift"] = measure_layout_shifts(browser, urls, repeats=3)
                if "load" not in skip:
                    print(f"first loads: {args.loads} per page ...", file=sys.stderr)
                    results["first_load"] = measure_first_loads(browser, urls, args.loads)
        if "memory" not in skip:
            print(f"memory: sessions {counts} ...", file=sys.stderr)
            results["memory"] = measure_memory(playwright, counts, args.cycles)
        if "serving" not in skip:
            print(f"serving: phone loads, then {args.readers} readers ...", file=sys.stderr)
            results["serving"] = measure_serving(
                browser, args.phone_loads, args.readers, args.reader_clicks
            )
    results["verdicts"] = verdicts(results)
    results["table"] = table(results)
    if "serving" in results:
        results["verdicts"].update(results["serving"]["verdicts"])
        results["serving"]["table"] = serving_table(results["serving"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    machine = results["machine"]
    print(
        f"\n{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"load average at start {machine['load_average_at_start']}\n"
    )
    print(results["table"])
    if "serving" in results:
        print("\n" + results["serving"]["table"])
    print(f"\nwritten to {args.out}")
    missed = [name for name, item in results["verdicts"].items() if not item["met"]]
    if missed:
        print(f"targets not met: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
