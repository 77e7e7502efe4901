# The board's logic, free of hardware: settings, commands, sampling rounds and frames.
# Runs under MicroPython on the Pico and under CPython in the tests (with fakes for
# the ADC reader and the tick functions). main.py wires it to the real pins and USB.

import crframe
import ctmath

FIRMWARE = "1.0.0"
MAX_CHANNELS = 6
LIMITS = {"iv": (1000, 60000), "mains": (45, 65), "cycles": (1, 50)}


def default_settings():
    s = {"iv": 5000, "mains": 50, "cycles": 10, "vref": 3.3, "en": [1, 2, 3, 4, 5, 6]}
    for ch in range(1, MAX_CHANNELS + 1):
        s["cal%d" % ch] = 30.0  # amps per volt: an SCT-013-030 by default
    return s


class Board:
    """read_adc(ch) -> 0..65535; ticks_us() and ticks_diff(a, b) as in MicroPython's time."""

    def __init__(self, board_id, read_adc, ticks_us, ticks_diff, settings=None, save=None):
        self.board_id = board_id
        self.read_adc = read_adc
        self.ticks_us = ticks_us
        self.ticks_diff = ticks_diff
        self.settings = default_settings()
        if settings:
            for key in settings:
                if key in self.settings:
                    self.settings[key] = settings[key]
        self.save = save
        self.seq = 0
        self.last_rate = 0.0

    # --- commands ------------------------------------------------------------------
    def identity(self):
        s = self.settings
        fields = [("id", self.board_id), ("fw", FIRMWARE), ("chs", str(MAX_CHANNELS)),
                  ("en", ":".join(str(c) for c in s["en"])), ("iv", str(s["iv"])),
                  ("mains", str(s["mains"])), ("cycles", str(s["cycles"]))]
        for ch in range(1, MAX_CHANNELS + 1):
            fields.append(("cal%d" % ch, "%g" % s["cal%d" % ch]))
        return crframe.encode("I", fields)

    def handle_command(self, line):
        """One command line (str) in, one reply frame (bytes) out."""
        words = line.strip().split()
        if not words:
            return None
        verb = words[0].upper()
        if verb == "ID":
            return self.identity()
        if verb == "SET":
            return self._set(words[1:])
        return crframe.encode("E", [("msg", "unknown_command")])

    def _set(self, pairs):
        if not pairs:
            return crframe.encode("E", [("msg", "nothing_to_set")])
        new = dict(self.settings)
        for pair in pairs:
            key, sep, value = pair.partition("=")
            err = self._apply(new, key, value) if sep else "expected_key=value"
            if err:
                return crframe.encode("E", [("msg", err), ("key", key[:12])])
        self.settings = new
        if self.save is not None:
            self.save(new)
        return crframe.encode("A", [(p.partition("=")[0], p.partition("=")[2]) for p in pairs])

    def _apply(self, new, key, value):
        try:
            if key in LIMITS:
                number = int(value)
                lo, hi = LIMITS[key]
                if not lo <= number <= hi:
                    return "out_of_range"
                new[key] = number
            elif key == "en":
                chans = [int(c) for c in value.split(":") if c]
                if not chans or any(c < 1 or c > MAX_CHANNELS for c in chans):
                    return "out_of_range"
                new["en"] = sorted(set(chans))
            elif key.startswith("cal") and key[3:].isdigit() and 1 <= int(key[3:]) <= MAX_CHANNELS:
                number = float(value)
                if not 0.1 <= number <= 1000.0:
                    return "out_of_range"
                new[key] = number
            elif key == "vref":
                number = float(value)
                if not 1.0 <= number <= 5.5:
                    return "out_of_range"
                new[key] = number
            else:
                return "unknown_key"
        except ValueError:
            return "bad_value"
        return None

    # --- measuring -----------------------------------------------------------------
    def sample(self):
        """Round-robin the enabled channels for `cycles` mains cycles; return samples and rate/channel."""
        s = self.settings
        chans = s["en"]
        buf = {}
        for ch in chans:
            buf[ch] = []
        span_us = int(1000000 * s["cycles"] / s["mains"] * 1.05)
        start = self.ticks_us()
        elapsed = 0
        rounds = 0
        while elapsed < span_us and rounds < 20000:
            for ch in chans:
                buf[ch].append(self.read_adc(ch))
            rounds += 1
            elapsed = self.ticks_diff(self.ticks_us(), start)
        rate = rounds * 1000000.0 / elapsed if elapsed > 0 else 0.0
        self.last_rate = rate
        return buf, rate

    def measure(self):
        """Amps and faults per enabled channel from one sampling round."""
        s = self.settings
        buf, rate = self.sample()
        amps = {}
        faults = {}
        per_cycle = rate / s["mains"] if rate else 0.0
        for ch in buf:
            samples = buf[ch]
            fault = ctmath.fault_of(samples)
            if fault is None and per_cycle < 8:
                fault = "slow"  # fewer than 8 samples a cycle cannot give a true RMS
            if fault is not None:
                faults[ch] = fault
                continue
            rms = ctmath.rms_counts(samples, per_cycle)
            amps[ch] = ctmath.amps_from_counts(rms, s["vref"], s["cal%d" % ch])
        return amps, faults

    def report(self, board_ms):
        """Measure and return the next data frame (bytes)."""
        amps, faults = self.measure()
        return self.frame(board_ms, amps, faults)

    def frame(self, board_ms, amps, faults):
        """A data frame for given values (the simulator calls this with simulated ones)."""
        self.seq = (self.seq + 1) % 4294967296
        return crframe.data_frame(self.board_id, self.seq, board_ms, self.settings["iv"], amps, faults)
