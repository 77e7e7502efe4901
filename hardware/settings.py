"""Typed per-device settings of the Pi's own sensors, as they appear in the room config.

``[devices.gpio]`` for a current switch, ``[devices.mcp3008]`` for a CT clamp through the
ADC. Unknown keys are rejected (the config names the file and key). These models hold
no I/O; the sensor classes take them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hardware.ct_catalogue import ct_model
from hardware.errors import BadSetting


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GpioSettings(_Strict):
    """A current-operated switch on a GPIO pin (BCM numbering)."""

    pin: Annotated[int, Field(ge=2, le=27)] = 17
    pull_up: bool = True  # an open-collector / dry contact pulls the pin low when current flows
    bounce_s: Annotated[float, Field(ge=0.0, le=2.0)] = 0.05
    interval_s: Annotated[float, Field(ge=0.5, le=60.0)] = 5.0


class Mcp3008Settings(_Strict):
    """A CT clamp on one input of an MCP3008 on the Pi's SPI bus."""

    spi_port: Annotated[int, Field(ge=0, le=1)] = 0
    spi_device: Annotated[int, Field(ge=0, le=2)] = 0
    adc_channel: Annotated[int, Field(ge=0, le=7)] = 0
    ct_model: str | None = "SCT-013-030"
    turns_ratio: Annotated[float, Field(gt=0, le=100000)] | None = None
    burden_ohms: Annotated[float, Field(gt=0, le=100000)] | None = None
    vref_volts: Annotated[float, Field(gt=0, le=5.5)] = 3.3
    mains_hz: Annotated[float, Field(ge=45, le=65)] = 50.0
    cycles: Annotated[int, Field(ge=1, le=100)] = 10
    interval_s: Annotated[float, Field(ge=0.5, le=60.0)] = 5.0
    calibration: Annotated[float, Field(gt=0.5, lt=2.0)] = 1.0  # trim factor from a clamp meter
    loops: Annotated[int, Field(ge=1, le=20)] = 1  # times the conductor passes through the clamp

    @model_validator(mode="after")
    def _scale_known(self) -> Mcp3008Settings:
        try:
            self.amps_per_volt()
        except BadSetting as exc:
            raise ValueError(str(exc)) from None
        return self

    def amps_per_volt(self) -> float:
        """Primary amps per volt at the ADC input, from the model or turns ratio and burden.

        With the conductor looped ``loops`` times through the clamp it sees ``loops`` × the
        current, so small loads (a document camera's tens of mA) read above the noise.
        """
        if self.ct_model is not None and self.turns_ratio is None:
            return ct_model(self.ct_model).scale(self.burden_ohms) * self.calibration / self.loops
        if self.turns_ratio is None or self.burden_ohms is None:
            raise BadSetting("set ct_model, or both turns_ratio and burden_ohms")
        return self.turns_ratio / self.burden_ohms * self.calibration / self.loops
