"""The host's pure line parser: one raw line in, a :class:`Frame` or a :class:`BadFrame` out.

No port, no settings, no globals (compare emonhub's ``pre_process_data_format``, which
reads settings and the port's state). Two dialects are accepted:

- **CR1**, our board's frame (``firmware_bridge/PROTOCOL.md``)::

      $CR1,D,id=PICO-E6614103,seq=42,t=1234567,iv=5000,c1=1.2340,c2=0.0180,c3=!unplugged*5A0C

  a CRC-16/CCITT-FALSE over the bytes between ``$`` and ``*``, four hex digits.
- **OEM**, an emonTx4 / emonPi2's serial output, unchanged: ``key:value`` CSV
  (``MSG:12,Vrms:231.45,P1:105,E1:12,T1:22.50,pulse:0``) or a JSON object per line.
  No checksum. Read by key, never by position. Any other line (the board's start-up
  banner, "ack") is :data:`TEXT`, ignored rather than counted as bad.
"""

from __future__ import annotations

import binascii
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

VERSION = "CR1"
MAX_LINE = 512  # bytes; longer lines are bad frames (the line buffer enforces it first)
MAX_CHANNEL = 6
MAX_AMPS = 1000.0
KINDS = {"D": "data", "I": "identity", "A": "ack", "E": "error"}

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,15}$")
_OEM_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
_OEM_CHANNEL = re.compile(r"^(P|E|I|T|pf|V)([0-9]{1,2})$")
_NUMBER = re.compile(r"^[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of ``data``; the firmware computes the same."""
    return binascii.crc_hqx(data, 0xFFFF)


@dataclass(frozen=True)
class Frame:
    """One good line from a board.

    ``dialect`` is ``cr1`` or ``oem``; ``kind`` is ``data``, ``identity``, ``ack``,
    ``error`` or ``text`` (an ignorable line). ``seq`` is the board's frame counter
    (CR1 ``seq``, OEM ``MSG``); ``board_ms`` the board's clock in ms (CR1 only).
    ``amps`` / ``faults`` are per board channel (1-based). For OEM lines ``watts``
    and ``volts`` are given as read; the host turns watts into amps with its voltage.
    """

    dialect: str
    kind: str
    seq: int | None = None
    board_ms: int | None = None
    amps: Mapping[int, float] = field(default_factory=dict)
    faults: Mapping[int, str] = field(default_factory=dict)
    watts: Mapping[int, float] = field(default_factory=dict)
    volts: float | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BadFrame:
    """A line that could not be taken: ``reason`` (a short machine phrase) and an excerpt."""

    reason: str
    excerpt: str = ""


TEXT = Frame(dialect="oem", kind="text")


def _excerpt(raw: bytes) -> str:
    return raw[:60].decode("ascii", "replace")


def parse_line(raw: bytes) -> Frame | BadFrame:
    """Parse one line (without or with its ``\\r\\n``). Never raises.

    >>> parse_line(b"MSG:3,Vrms:220.0,P1:110").watts[1]
    110.0
    >>> parse_line(b"$CR1,D,seq=1*0000").reason
    'checksum mismatch'
    """
    line = raw.strip(b"\r\n\x00 ")
    if not line:
        return TEXT
    if len(line) > MAX_LINE:
        return BadFrame("line too long", _excerpt(line))
    start = line.rfind(b"$CR")
    if start >= 0:
        # noise before a frame on the same line (a half line after a replug): the CRC decides
        return _parse_cr1(line[start:])
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        return BadFrame("not ascii", _excerpt(line))
    if text.startswith("{"):
        return _parse_oem_json(text)
    return _parse_oem_csv(text)


def _parse_cr1(line: bytes) -> Frame | BadFrame:
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 5:
        return BadFrame("no checksum", _excerpt(line))
    body, given = line[1:star], line[star + 1:]
    try:
        want = int(given, 16)
    except ValueError:
        return BadFrame("bad checksum digits", _excerpt(line))
    if crc16(body) != want:
        return BadFrame("checksum mismatch", _excerpt(line))
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        return BadFrame("not ascii", _excerpt(line))
    parts = text.split(",")
    if parts[0] != VERSION:
        return BadFrame(f"unsupported version {parts[0][:8]!r}", _excerpt(line))
    if len(parts) < 2 or parts[1] not in KINDS:
        return BadFrame("unknown frame kind", _excerpt(line))
    fields: dict[str, str] = {}
    for part in parts[2:]:
        key, sep, value = part.partition("=")
        if not sep or not _KEY.match(key) or key in fields:
            return BadFrame(f"bad field {part[:20]!r}", _excerpt(line))
        fields[key] = value
    return _cr1_frame(KINDS[parts[1]], fields, line)


def _cr1_frame(kind: str, fields: dict[str, str], line: bytes) -> Frame | BadFrame:
    try:
        seq = int(fields["seq"]) if "seq" in fields else None
        board_ms = int(fields["t"]) if "t" in fields else None
    except ValueError:
        return BadFrame("bad seq or t", _excerpt(line))
    if (seq is not None and not 0 <= seq < 2**32) or (board_ms is not None and board_ms < 0):
        return BadFrame("seq or t out of range", _excerpt(line))
    amps: dict[int, float] = {}
    faults: dict[int, str] = {}
    if kind == "data":
        for key, value in fields.items():
            if not (key.startswith("c") and key[1:].isdigit()):
                continue
            channel = int(key[1:])
            if not 1 <= channel <= MAX_CHANNEL:
                return BadFrame(f"channel {channel} out of range 1-{MAX_CHANNEL}", _excerpt(line))
            if value.startswith("!"):
                faults[channel] = value[1:] or "fault"
                continue
            if not _NUMBER.match(value):
                return BadFrame(f"bad amps {value[:12]!r}", _excerpt(line))
            number = float(value)
            if not 0.0 <= number <= MAX_AMPS:
                return BadFrame(f"amps {number} out of range 0-{MAX_AMPS:g}", _excerpt(line))
            amps[channel] = number
        if seq is None:
            return BadFrame("data frame without seq", _excerpt(line))
    return Frame("cr1", kind, seq=seq, board_ms=board_ms, amps=amps, faults=faults, fields=fields)


def _oem_frame(values: Mapping[str, float], line: str) -> Frame | BadFrame:
    msg = values.get("MSG")
    if msg is None:
        return TEXT
    if msg != int(msg) or msg < 0:
        return BadFrame("bad MSG counter", line[:60])
    amps: dict[int, float] = {}
    watts: dict[int, float] = {}
    for key, value in values.items():
        match = _OEM_CHANNEL.match(key)
        if match is None:
            continue
        name, number = match.group(1), int(match.group(2))
        if name == "I" and 1 <= number <= 12:
            amps[number] = abs(value)
        elif name == "P" and 1 <= number <= 12:
            watts[number] = value
    volts = values.get("Vrms", values.get("V1"))
    return Frame("oem", "data", seq=int(msg), amps=amps, watts=watts, volts=volts,
                 fields={k: repr(v) for k, v in values.items()})


def _parse_oem_csv(text: str) -> Frame | BadFrame:
    values: dict[str, float] = {}
    looks_like_data = text.startswith("MSG:")
    for token in text.split(","):
        key, sep, value = token.strip().partition(":")
        if not sep or not _OEM_KEY.match(key) or not _NUMBER.match(value.strip()):
            # start-up banners and menus are text; a line that starts like data is a bad frame
            return BadFrame(f"bad field {token[:20]!r}", text[:60]) if looks_like_data else TEXT
        number = float(value)
        if not math.isfinite(number):
            return BadFrame(f"bad value {token[:20]!r}", text[:60])
        values[key] = number
    return _oem_frame(values, text)


def _parse_oem_json(text: str) -> Frame | BadFrame:
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        return BadFrame("bad json", text[:60])
    if not isinstance(data, dict):
        return BadFrame("json is not an object", text[:60])
    values: dict[str, float] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not _OEM_KEY.match(str(key)):
            continue  # strings and nested values of newer builds are not ours to read
        if not math.isfinite(value):
            return BadFrame(f"bad value for {str(key)[:12]!r}", text[:60])
        values[str(key)] = float(value)
    return _oem_frame(values, text)


def encode(kind: str, fields: list[tuple[str, str]]) -> bytes:
    """A CR1 line (with ``\\r\\n``) of ``kind`` (D, I, A, E) and ``fields``; for tests and tools.

    The firmware has its own encoder (``firmware/crframe.py``); tests check they agree.
    """
    body = ",".join([VERSION, kind] + [f"{k}={v}" for k, v in fields]).encode("ascii")
    return b"$" + body + b"*" + f"{crc16(body):04X}".encode("ascii") + b"\r\n"
