"""Benchmark of the kiosk touchscreen: tap-to-next-screen in frames, and resident memory.

A script, not a test: it prints one table and asserts nothing. It starts its own Xvfb
(800×480), loads the demo room with four weeks of simulated data (the month the home
and report screens summarise), runs the real app and taps through it with Kivy's
touch path::

    .venv/bin/python benchmarks/bench_ui.py [--repeat 10]

For each transition it counts frames from the tap until the next screen is shown
*with its data* (the worker has delivered and the layout ran), and converts them
to milliseconds at the app's frame rate (``maxfps`` 30) beside the measured wall
time under Xvfb/llvmpipe. Memory is the app process's resident set (VmRSS) and peak
(VmHWM) after every screen was visited, beside the RSS before Kivy was imported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_kb() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def child(result_path: Path, repeat: int) -> int:
    """Inside the display: build the month, run the app, tap through it, write the figures."""
    import datetime as dt

    from kiosk.config import load_config
    from kiosk.ui.demo import month_agent

    config = load_config(ROOT / "kiosk" / "examples" / "room.toml")
    tmp = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    started = time.perf_counter()
    agent = month_agent(config, tmp, now=dt.datetime(2026, 11, 23, 8, 40, tzinfo=config.tz))
    build_s = time.perf_counter() - started
    events = len(agent.events())
    before_kivy = _rss_kb()

    from kiosk.ui import boot  # noqa: F401 - Kivy settings first
    from kiosk.ui.app import KioskApp
    from kiosk.ui.driver import Driver, Step

    fps = float(boot.Config.get("graphics", "maxfps"))
    app = KioskApp(agent)
    samples: dict[str, list[tuple[int, float]]] = {}

    def measure(d: Driver, name: str, widget: Any, target: str, ready: Any = None) -> Iterator[Step]:
        frames0, t0 = d.frames, time.perf_counter()
        d.tap(widget)
        yield lambda: d.app.manager.current == target and d.app.worker.pending == 0 and (ready is None or ready())
        yield 1  # the frame that draws it
        samples.setdefault(name, []).append((d.frames - frames0, time.perf_counter() - t0))

    def script(d: Driver) -> Iterator[Step]:
        yield from d.idle()
        yield 10
        report = d.app.screens["report"]
        for _ in range(repeat):
            yield from measure(d, "home → tap-in (Start lesson)", d.widget("home", "start"), "tapin",
                               lambda: len(d.widget("tapin", "roster").children) > 0)
            yield from measure(d, "tap-in Confirm → home (event recorded)", d.widget("tapin", "confirm"), "home",
                               lambda: d.app.home_state is not None and d.app.home_state.tap is not None)
            yield from measure(d, "home → fault report", d.widget("home", "fault"), "fault")
            yield from measure(d, "fault → home (Back)", d.find_text(d.app.screens["fault"], d.app.tr("Back")), "home")
            report.ids.today_rows.clear_widgets()
            yield from measure(d, "home → today & month (reads the month)", d.widget("home", "report"), "report",
                               lambda: len(report.ids.today_rows.children) > 0)
            d.app.go("home")
            yield 2
            yield from measure(d, "home → IT PIN pad", d.widget("home", "it"), "itmode")
            d.app.go("home")
            yield 2

    driver = Driver(app, script, timeout_frames=3000)
    app.bind(on_start=lambda *_a: driver.start())
    app.run()
    after = _rss_kb()
    figures = {
        "fps": fps, "repeat": repeat, "events": events, "build_s": build_s,
        "rss_before_kivy_kb": before_kivy["VmRSS"], "rss_kb": after["VmRSS"], "hwm_kb": after["VmHWM"],
        "samples": samples, "error": repr(driver.error) if driver.error else None,
    }
    result_path.write_text(json.dumps(figures), encoding="utf-8")
    return 0 if driver.error is None else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="times each transition is measured")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return child(args.child, args.repeat)

    from kiosk.ui.xvfb import virtual_display

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp, virtual_display(800, 480) as display:
        result = Path(tmp) / "result.json"
        env = {**os.environ, "DISPLAY": display, "CLASSROOM_UI_SIZE": "800x480", "KIVY_HOME": tmp,
               "CLASSROOM_LANG": "vi"}
        proc = subprocess.run([sys.executable, __file__, "--child", str(result), "--repeat", str(args.repeat)],
                              env=env, capture_output=True, text=True, check=False)
        if not result.exists():
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        figures = json.loads(result.read_text(encoding="utf-8"))
    frame_ms = 1000.0 / figures["fps"]
    print(f"kiosk UI benchmark — 800×480 under Xvfb (llvmpipe), app frame rate {figures['fps']:.0f} fps "
          f"({frame_ms:.1f} ms/frame), {figures['repeat']} taps per transition")
    print(f"month of data: {figures['events']} journal events (4 simulated weeks of the demo room), "
          f"built in {figures['build_s']:.1f} s")
    print()
    print(f"{'transition':44} {'frames p50':>10} {'max':>5} {'= ms @fps':>10} {'wall p50 ms':>12} {'wall max ms':>12}")
    for name, rows in figures["samples"].items():
        frames = [f for f, _s in rows]
        walls = [s * 1000 for _f, s in rows]
        p50 = statistics.median(frames)
        print(f"{name:44} {p50:>10.0f} {max(frames):>5} {p50 * frame_ms:>10.0f} {statistics.median(walls):>12.0f} "
              f"{max(walls):>12.0f}")
    print()
    print(f"resident memory: {figures['rss_kb'] / 1024:.1f} MiB after visiting every screen "
          f"(peak {figures['hwm_kb'] / 1024:.1f} MiB); {figures['rss_before_kivy_kb'] / 1024:.1f} MiB "
          "with the month loaded before Kivy was imported")
    if figures["error"]:
        print(f"script error: {figures['error']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
