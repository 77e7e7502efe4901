"""Calibration of a device's standby and on levels: measure, propose thresholds, refuse what cannot work.

Pure except :func:`write_levels` (which rewrites the room TOML in place, keeping its
comments and layout). The CLI walk-through is ``classroom calibrate``.
"""

from __future__ import annotations

import re
import statistics
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import RoomConfig, parse_config
from kiosk.errors import KioskError
from kiosk.i18n import _

MIN_GAP_AMPS = 0.03  # a switch-mode standby draws ~10-30 mA; a real "on" is well above
MIN_RATIO = 2.0


class CalibrationRejected(KioskError, ValueError):
    """The measured levels cannot be told apart reliably."""


@dataclass(frozen=True)
class Proposal:
    """Measured levels (amps) and the detector thresholds they give."""

    channel: int
    standby_amps: float
    on_amps: float
    on_threshold_amps: float
    off_threshold_amps: float


def level(samples: Sequence[float]) -> float:
    """The level of a series of readings: their median (one spike changes nothing)."""
    if not samples:
        raise CalibrationRejected(_("no readings arrived; check the wiring with `classroom sensors`"))
    return float(statistics.median(samples))


def propose(channel: int, standby_samples: Sequence[float], on_samples: Sequence[float], *,
            on_fraction: float = 0.4, off_fraction: float = 0.3) -> Proposal:
    """Levels and thresholds from the two measurements; raises :class:`CalibrationRejected` if too close.

    Too close: on − standby below :data:`MIN_GAP_AMPS`, on below :data:`MIN_RATIO` × standby,
    or the two series overlapping (the noisiest standby sample above the quietest on sample's
    threshold).
    """
    standby, on = level(standby_samples), level(on_samples)
    gap = on - standby
    if gap < MIN_GAP_AMPS or on < MIN_RATIO * standby:
        raise CalibrationRejected(
            _("standby {standby:.3f} A and on {on:.3f} A are too close to separate; "
              "check the device was really switched on, or use a clamp with a smaller rating").format(
                standby=standby, on=on)
        )
    on_threshold = standby + on_fraction * gap
    off_threshold = standby + off_fraction * gap
    if max(standby_samples) >= on_threshold or min(on_samples) < off_threshold:
        raise CalibrationRejected(
            _("the readings of standby and on overlap (standby up to {hi:.3f} A, on down to {lo:.3f} A); "
              "measure again with the device steady").format(hi=max(standby_samples), lo=min(on_samples))
        )
    return Proposal(channel, round(standby, 4), round(on, 4), round(on_threshold, 4), round(off_threshold, 4))


_BLOCK = re.compile(r"^\[\[devices\]\][ \t]*$", re.MULTILINE)


def set_levels(toml_text: str, channel: int, standby_amps: float, on_amps: float) -> str:
    """The room TOML with ``channel``'s ``standby_amps`` and ``on_amps`` replaced (layout kept).

    Raises :class:`CalibrationRejected` if no ``[[devices]]`` block has that channel.
    """
    starts = [m.start() for m in _BLOCK.finditer(toml_text)] + [len(toml_text)]
    for begin, end in zip(starts, starts[1:], strict=False):
        block = toml_text[begin:end]
        head = block.find("\n") + 1
        nxt = re.search(r"^\[(?!devices\.)", block[head:], re.MULTILINE)
        if nxt is not None:  # a following top-level table ends the block
            end = begin + head + nxt.start()
            block = toml_text[begin:end]
        if not re.search(rf"^channel\s*=\s*{channel}\s*(#.*)?$", block, re.MULTILINE):
            continue
        for key, value in (("standby_amps", standby_amps), ("on_amps", on_amps)):
            block, n = re.subn(rf"^{key}\s*=\s*[^\n#]*", f"{key} = {value:g}", block, count=1, flags=re.MULTILINE)
            if n == 0:
                raise CalibrationRejected(_("channel {channel} has no {key} line to update").format(
                    channel=channel, key=key))
        return toml_text[:begin] + block + toml_text[end:]
    raise CalibrationRejected(_("channel {channel} is not in the room configuration").format(channel=channel))


def write_levels(path: Path, proposals: Sequence[Proposal]) -> RoomConfig:
    """Write the proposals into the room TOML at ``path``; return the re-validated config.

    The file is replaced atomically only if the result still validates.
    """
    text = path.read_text(encoding="utf-8")
    for p in proposals:
        text = set_levels(text, p.channel, p.standby_amps, p.on_amps)
    config = parse_config(tomllib.loads(text), source=str(path))
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return config
