"""Readings files: ``time,channel,amps`` CSV, plain or gzip, as a sensor bridge records them.

``time`` is ISO 8601 with an offset; one row per channel per sample. A bad row stops
the read with its line number, or is skipped and counted with ``skip_bad``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import logging
import math
import zlib
from collections.abc import Iterator
from pathlib import Path

from hardware.reading import Reading
from kiosk.errors import ReadingsError
from kiosk.i18n import _

log = logging.getLogger(__name__)

HEADER = ["time", "channel", "amps"]


def _open_text(path: Path) -> io.TextIOBase:
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
    except FileNotFoundError:
        raise ReadingsError(_("{path}: file not found").format(path=path)) from None
    except OSError as exc:
        raise ReadingsError(f"{path}: {exc.strerror}") from None
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")  # type: ignore[return-value]
    return path.open("r", encoding="utf-8-sig", newline="")  # type: ignore[return-value]


def parse_row(row: list[str]) -> Reading:
    """One CSV row as a :class:`Reading`; raises ``ValueError`` naming the bad field."""
    if len(row) != 3:
        raise ValueError(_("expected 3 fields (time,channel,amps), got {n}").format(n=len(row)))
    raw_time, raw_channel, raw_amps = row
    try:
        when = dt.datetime.fromisoformat(raw_time)
    except ValueError:
        raise ValueError(_("time {value!r} is not ISO 8601").format(value=raw_time)) from None
    if when.tzinfo is None:
        raise ValueError(_("time {value!r} has no UTC offset").format(value=raw_time))
    try:
        channel = int(raw_channel)
    except ValueError:
        raise ValueError(_("channel {value!r} is not a whole number").format(value=raw_channel)) from None
    try:
        amps = float(raw_amps)
    except ValueError:
        raise ValueError(_("amps {value!r} is not a number").format(value=raw_amps)) from None
    if not math.isfinite(amps) or amps < 0:
        raise ValueError(_("amps {value!r} must be a finite number ≥ 0").format(value=raw_amps))
    return Reading(when.timestamp(), channel, amps)


class ReadingsFile:
    """Iterate a readings file; ``skipped`` counts rows dropped with ``skip_bad``."""

    def __init__(self, path: Path, *, skip_bad: bool = False) -> None:
        self.path = path
        self.skip_bad = skip_bad
        self.skipped = 0
        self.line = 0

    def __iter__(self) -> Iterator[Reading]:
        with _open_text(self.path) as handle:
            rows = csv.reader(handle)
            try:
                header = next(rows, None)
            except (UnicodeDecodeError, OSError, EOFError, csv.Error, zlib.error) as exc:
                raise ReadingsError(f"{self.path}: {exc}") from None
            if header is None:
                raise ReadingsError(_("{path}: empty file").format(path=self.path))
            if [h.strip() for h in header] != HEADER:
                raise ReadingsError(
                    _("{path}: line 1: expected the header time,channel,amps").format(path=self.path)
                )
            self.line = 1
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    return
                except (UnicodeDecodeError, OSError, EOFError, csv.Error, zlib.error) as exc:
                    raise ReadingsError(
                        _("{path}: line {line}: {error}").format(path=self.path, line=self.line + 1, error=exc)
                    ) from None
                self.line += 1
                if not row:
                    continue
                try:
                    yield parse_row(row)
                except ValueError as exc:
                    if not self.skip_bad:
                        raise ReadingsError(
                            _("{path}: line {line}: {error}").format(path=self.path, line=self.line, error=exc)
                        ) from None
                    self.skipped += 1
                    log.warning("readings %s line %d skipped: %s", self.path, self.line, exc)
