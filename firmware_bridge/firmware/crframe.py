# CR1 frame encoder for the board (MicroPython and CPython). See ../PROTOCOL.md.
# Kept free of f-strings' newer forms, typing and dataclasses so MicroPython runs it.

VERSION = "CR1"


def crc16(data):
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over bytes."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            if crc & 0x8000:
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF
            else:
                crc = (crc << 1) & 0xFFFF
    return crc


def encode(kind, fields):
    """One CR1 line with CRLF: kind is D, I, A or E; fields a list of (key, value) strings."""
    parts = [VERSION, kind]
    for key, value in fields:
        parts.append("%s=%s" % (key, value))
    body = ",".join(parts).encode()
    return b"$" + body + b"*" + ("%04X" % crc16(body)).encode() + b"\r\n"


def data_frame(board_id, seq, board_ms, interval_ms, amps, faults):
    """A data frame: amps {channel: float}, faults {channel: reason word}."""
    fields = [("id", board_id), ("seq", str(seq)), ("t", str(board_ms)), ("iv", str(interval_ms))]
    channels = sorted(set(amps) | set(faults))
    for ch in channels:
        if ch in faults:
            fields.append(("c%d" % ch, "!" + faults[ch]))
        else:
            fields.append(("c%d" % ch, "%.4f" % amps[ch]))
    return encode("D", fields)
