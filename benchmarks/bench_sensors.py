"""Benchmark of the sensor paths: the serial host against pyserial's raw read, RMS against a mains cycle.

A script, not a test: it prints figures and asserts nothing. Run::

    .venv/bin/python benchmarks/bench_sensors.py [--frames 10000]

Figures, side by side in one run:

1. host-side CPU time per 10 000 frames (pty → pyserial → line buffer → parser →
   readings) against pyserial's raw read of the same bytes over the same kind of pty,
   both measured as the reading thread's CPU time; plus the decode alone from memory;
   for CR1 frames and for emonTx4 key:value lines;
2. the RMS computation's cost per channel-second (8000 samples at 8 kS/s) against the 20 ms a 50 Hz mains cycle lasts, for the host's maths and the board's
   (``firmware/ctmath.py``, on CPython here; MicroPython on an RP2040 is far slower);
3. gpiozero's ``MCP3008.raw_value`` against one bare ``transfer()`` on the same fake bus:
   the Python overhead per sample, against the rate needed (it decided gpiozero's class).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import serial  # noqa: E402

from firmware_bridge.host import SerialBridge  # noqa: E402
from firmware_bridge.simulator import FakeBoard, load_firmware  # noqa: E402
from hardware import ct_maths  # noqa: E402


def make_stream(n: int, *, oem: bool) -> bytes:
    board = FakeBoard(Path(tempfile.mkdtemp()) / "gen", oem=oem)
    rng = random.Random(1)
    out = b"".join(board.frame(1_800_000_000_000 + 5000 * i, {c: round(rng.uniform(0, 2), 4) for c in (1, 2, 3, 4)})
                   for i in range(n))
    board.close()
    return out


def _pump(board: FakeBoard, data: bytes) -> threading.Thread:
    thread = threading.Thread(target=board.write_all, args=(data,), daemon=True)
    thread.start()
    return thread


def raw_read_cpu(data: bytes) -> float:
    """CPU seconds of the reading thread to read ``data`` through a pty with pyserial."""
    board = FakeBoard(Path(tempfile.mkdtemp()) / "raw")
    port = serial.Serial(str(board.link.resolve()), 115200, timeout=0.2)
    writer = _pump(board, data)
    got = 0
    start = time.thread_time()
    while got < len(data):
        chunk = port.read(max(1, port.in_waiting))
        got += len(chunk)
    cpu = time.thread_time() - start
    writer.join()
    port.close()
    board.close()
    return cpu


def host_cpu(data: bytes, frames: int, *, oem: bool) -> float:
    """CPU seconds of the bridge's thread to turn ``data`` into readings over a pty."""
    board = FakeBoard(Path(tempfile.mkdtemp()) / "host", oem=oem)
    bridge = SerialBridge(str(board.link), {1: 1, 2: 2, 3: 3, 4: 4}, dialect="oem" if oem else "cr1",
                          read_timeout_s=0.2)
    stop = threading.Event()
    result: dict[str, float] = {}

    def run() -> None:
        start = None
        count = 0
        for _ in bridge.readings(stop):
            if start is None:
                start = time.thread_time()
            count += 1
            if count == frames * 4:
                result["cpu"] = time.thread_time() - (start or 0)
                stop.set()

    reader = threading.Thread(target=run)
    reader.start()
    while not bridge.is_connected:
        time.sleep(0.01)
    _pump(board, data).join()
    reader.join(timeout=120)
    board.close()
    return result.get("cpu", float("nan"))


def decode_cpu(data: bytes, *, oem: bool) -> float:
    bridge = SerialBridge("/dev/bench", {1: 1, 2: 2, 3: 3, 4: 4}, dialect="oem" if oem else "cr1")
    start = time.process_time()
    for i in range(0, len(data), 4096):
        bridge.feed_bytes(data[i:i + 4096])
    return time.process_time() - start


def rms_costs(rate_hz: int = 8000, repeat: int = 20) -> tuple[float, float]:
    """Seconds per channel-second of samples: host maths, board maths (on CPython)."""
    samples = [512 + 300 * math.sin(2 * math.pi * 50 * i / rate_hz) + random.gauss(0, 1) for i in range(rate_hz)]
    start = time.process_time()
    for _ in range(repeat):
        ct_maths.rms_amps(samples, sample_rate_hz=rate_hz, mains_hz=50, vref_volts=3.3, adc_max=1023,
                          amps_per_volt=30)
    host = (time.process_time() - start) / repeat
    load_firmware()
    import ctmath  # type: ignore[import-not-found]

    counts = [int(s * 64) for s in samples]
    start = time.process_time()
    for _ in range(repeat):
        ctmath.fault_of(counts)
        ctmath.rms_counts(counts, rate_hz / 50)
    board = (time.process_time() - start) / repeat
    return host, board


def gpiozero_vs_bare(n: int = 20000) -> tuple[float, float]:
    """Reads per second: gpiozero ``MCP3008.value`` and a bare ``transfer()``, same fake bus."""
    from gpiozero import MCP3008, Device
    from gpiozero.pins.mock import MockFactory

    class Bus:
        bits_per_word = 8

        def transfer(self, data: list[int]) -> list[int]:
            return [0, 2, 1]

        def close(self) -> None:
            pass

    Device.pin_factory = MockFactory()  # explicit: the benchmark has no Pi
    adc = MCP3008(channel=0)
    adc._spi.close()
    adc._spi = Bus()
    start = time.perf_counter()
    for _ in range(n):
        adc.raw_value  # noqa: B018 - the read is the point
    via_gpiozero = n / (time.perf_counter() - start)
    bus = Bus()
    command = [1, 0x80, 0]
    start = time.perf_counter()
    for _ in range(n):
        r = bus.transfer(command)
        ((r[1] & 3) << 8) | r[2]  # noqa: B018
    bare = n / (time.perf_counter() - start)
    return via_gpiozero, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10000)
    frames = parser.parse_args().frames
    scale = 10000 / frames
    print(f"serial host, {frames} frames of 4 channels over a pty (CPU ms per 10 000 frames)")
    print(f"{'dialect':<8} {'bytes':>9} {'pyserial raw':>13} {'host total':>11} {'decode only':>12} {'host/raw':>9}")
    for oem in (False, True):
        data = make_stream(frames, oem=oem)
        raw = raw_read_cpu(data) * 1000 * scale
        host = host_cpu(data, frames, oem=oem) * 1000 * scale
        decode = decode_cpu(data, oem=oem) * 1000 * scale
        print(f"{'oem' if oem else 'cr1':<8} {len(data):>9} {raw:>13.1f} {host:>11.1f} {decode:>12.1f} {host / raw:>8.1f}x")
    host_rms, board_rms = rms_costs()
    print()
    print("RMS per channel-second (8000 samples = 50 cycles at 8 kS/s) against one 20 ms mains cycle")
    print(f"  host ct_maths.rms_amps : {host_rms * 1000:7.2f} ms per channel-second = "
          f"{host_rms * 1000 / 50:6.3f} ms per cycle ({host_rms / 50 / 0.020:.1%} of 20 ms)")
    print(f"  board ctmath (CPython) : {board_rms * 1000:7.2f} ms per channel-second = "
          f"{board_rms * 1000 / 50:6.3f} ms per cycle ({board_rms / 50 / 0.020:.1%} of 20 ms)")
    via, bare = gpiozero_vs_bare()
    print()
    print("MCP3008 read rate on a zero-cost fake bus (Python overhead only; the bus adds ~20-30 us on a Pi)")
    print(f"  gpiozero raw_value     : {via:10.0f} reads/s ({1e6 / via:5.1f} us each)")
    print(f"  bare transfer()        : {bare:10.0f} reads/s ({1e6 / bare:5.1f} us each)")
    print(f"  needed                 : {2000:10d} reads/s per channel (40 samples per 20 ms cycle)")


if __name__ == "__main__":
    main()
