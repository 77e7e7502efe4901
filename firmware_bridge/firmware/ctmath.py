# RMS over whole mains cycles and waveform checks, on the board (MicroPython and CPython).
# The same rules as the host's hardware/ct_maths.py, for 16-bit readings (read_u16).

FULL = 65535


def rms_counts(samples, per_cycle):
    """RMS of the AC part of samples over the whole cycles they hold (0.0 if less than one)."""
    cycles = int(len(samples) / per_cycle + 1e-9)
    n = int(round(cycles * per_cycle))
    if cycles < 1 or n < 2:
        return 0.0
    total = 0
    for i in range(n):
        total += samples[i]
    mean = total / n
    acc = 0.0
    for i in range(n):
        d = samples[i] - mean
        acc += d * d
    return (acc / n) ** 0.5


def fault_of(samples):
    """A reason word when the waveform is not a healthy biased one, else None."""
    if not samples:
        return "nodata"
    lo = min(samples)
    hi = max(samples)
    mean = sum(samples) / len(samples)
    if mean < 0.05 * FULL and hi - lo < 0.05 * FULL:
        return "unplugged"
    if mean < 0.35 * FULL or mean > 0.65 * FULL:
        return "bias"
    rails = 0
    for s in samples:
        if s <= 64 or s >= FULL - 64:
            rails += 1
    if rails > 0.01 * len(samples):
        return "clipped"
    return None


def amps_from_counts(rms, vref, amps_per_volt):
    """Primary RMS amps from an RMS in 16-bit counts."""
    return rms * vref / (FULL + 1) * amps_per_volt
