# Device-only entry point on the Pico (MicroPython): wire Board to pins, USB serial and flash.
# Everything with logic lives in board.py / ctmath.py / crframe.py and is tested on CPython.

import json
import select
import sys
import time

import board
import hw

SETTINGS_FILE = "settings.json"


def load():
    try:
        with open(SETTINGS_FILE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save(settings):
    with open(SETTINGS_FILE, "w") as f:
        json.dump(settings, f)


def run():
    settings = load() or {}
    reader = hw.mcp3008_reader() if settings.get("adc", "mcp3008") == "mcp3008" else hw.internal_reader()
    b = board.Board(hw.board_id(), reader, time.ticks_us, time.ticks_diff, settings=settings, save=save)
    poller = select.poll()
    poller.register(sys.stdin, select.POLLIN)
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else sys.stdout
    line = ""
    next_ms = time.ticks_ms()
    while True:
        while poller.poll(0):
            ch = sys.stdin.read(1)
            if ch in ("\n", "\r"):
                reply = b.handle_command(line)
                line = ""
                if reply:
                    out.write(reply)
            elif len(line) < 120:
                line += ch
        now = time.ticks_ms()
        if time.ticks_diff(now, next_ms) >= 0:
            next_ms = time.ticks_add(next_ms, b.settings["iv"])
            out.write(b.report(now))
        time.sleep_ms(5)


run()
