"""Typed per-device settings of a serial board, as they appear in the room config (``[devices.serial]``).

Devices on the same ``port`` share one board; the board-level keys (``dialect``,
``baud``, ``volts``, ``timestamps``) must then agree.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PORT = "/dev/serial/by-id/usb-MicroPython_Board_in_FS_mode-if00"


class SerialSettings(BaseModel):
    """Where a device's current comes from on a serial board."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    port: str = Field(default=DEFAULT_PORT, min_length=1, max_length=300)
    board_channel: Annotated[int, Field(ge=1, le=12)] | None = None  # default: the device's channel
    dialect: Literal["cr1", "oem"] = "cr1"
    baud: Annotated[int, Field(ge=1200, le=2_000_000)] = 115200
    volts: Annotated[float, Field(ge=80.0, le=260.0)] = 220.0  # Vietnam's mains; for OEM P/V
    timestamps: Literal["host", "board"] = "host"
