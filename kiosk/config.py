"""The room configuration: one TOML file per Pi, validated once at start-up.

A wrong value names the file, the key and what was expected, and the program refuses
to start rather than log garbage. ``[agent]`` holds restart-only settings; everything
else (school, room, devices, bells, timetable, holidays, teachers, policy) is live and
is replaced by the district's copy when one arrives.

Example: ``kiosk/examples/room.toml``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

import criteria
from firmware_bridge.settings import SerialSettings
from hardware.settings import GpioSettings, Mcp3008Settings
from kiosk.errors import ConfigError
from kiosk.i18n import N_, _

DeviceKind = Literal["projector", "document_camera", "interactive_board", "audio"]
RoomType = Literal[
    "regular_classroom",
    "it_room",
    "language_room",
    "multipurpose_room",
    "music_room",
    "art_room",
    "subject_room",
]
SchoolModel = Literal["full", "partial"]
SchoolLevel = Literal["MN", "TH", "THCS"]
SourceKind = Literal["replay", "simulator", "gpio", "mcp3008", "serial"]
Amps = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class School(_Strict):
    """The school the room belongs to."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    level: SchoolLevel
    model: SchoolModel


class Room(_Strict):
    """The room this Pi logs."""

    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    type: RoomType


class Device(_Strict):
    """One sensed device: its kind, channel, source and the installer's calibration."""

    kind: DeviceKind
    channel: int = Field(ge=0, le=63)
    source: SourceKind = "replay"
    standby_amps: Amps
    on_amps: Amps
    counts: bool = True
    # typed settings of the device's source: [devices.gpio], [devices.mcp3008] or [devices.serial]
    gpio: GpioSettings | None = None
    mcp3008: Mcp3008Settings | None = None
    serial: SerialSettings | None = None

    @model_validator(mode="after")
    def _source_settings(self) -> Device:
        for name in ("gpio", "mcp3008", "serial"):
            if getattr(self, name) is not None and self.source != name:
                raise ValueError(f"[{name}] settings given but source is {self.source!r}; "
                                 f"set source = \"{name}\" or remove them")
        if self.source in ("gpio", "mcp3008") and getattr(self, self.source) is None:
            raise ValueError(f"source {self.source!r} needs its [devices.{self.source}] settings "
                             "(the pin or ADC input)")
        return self

    @model_validator(mode="after")
    def _levels_apart(self) -> Device:
        if self.on_amps <= self.standby_amps:
            raise ValueError(
                f"on_amps {self.on_amps} must be above standby_amps {self.standby_amps}; "
                "recalibrate with `classroom calibrate`"
            )
        return self


class BellPeriod(_Strict):
    """A period of the school day, local HH:MM."""

    period: int = Field(ge=0, le=20)
    start: dt.time
    end: dt.time

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.time.fromisoformat(value)
            except ValueError:
                raise ValueError(f"expected a time as HH:MM, got {value!r}") from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> BellPeriod:
        if self.end <= self.start:
            raise ValueError(f"period {self.period} ends ({self.end}) before it starts ({self.start})")
        return self


class Lesson(_Strict):
    """A weekly timetable entry held in this room."""

    weekday: int = Field(ge=1, le=7)
    period: int = Field(ge=0, le=20)
    class_name: str = Field(alias="class", min_length=1, max_length=40)
    subject: str = Field(min_length=1, max_length=100)
    teacher: str = Field(min_length=1, max_length=40)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class Teacher(_Strict):
    """A teacher who may tap in: id, full name, optional card id typed by a HID reader."""

    id: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    card: str | None = Field(default=None, max_length=64)


class PolicySettings(_Strict):
    """Overrides of the district preset for this school's model (all optional)."""

    targets: dict[RoomType, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(default_factory=dict)
    min_used_minutes: float | None = Field(default=None, gt=0, le=120)
    no_data_fraction: float | None = Field(default=None, gt=0, le=1)
    stale_s: float | None = Field(default=None, gt=0, le=3600)
    exempt_reasons: tuple[str, ...] | None = None


class DetectorSettings(_Strict):
    """How readings become on/off: thresholds as fractions of standby→on, persistence in seconds."""

    on_fraction: float = Field(default=0.4, gt=0.0, lt=1.0)
    off_fraction: float = Field(default=0.3, gt=0.0, lt=1.0)
    persist_s: float = Field(default=4.0, ge=0.0, le=600.0)
    min_samples: int = Field(default=2, ge=1, le=100)

    @model_validator(mode="after")
    def _hysteresis(self) -> DetectorSettings:
        if self.off_fraction > self.on_fraction:
            raise ValueError(
                f"off_fraction {self.off_fraction} must not exceed on_fraction {self.on_fraction}"
            )
        return self


class AgentSettings(_Strict):
    """Restart-only settings of the agent on this Pi."""

    journal_dir: Path = Path("/var/lib/classroom/journal")
    heartbeat_s: float = Field(default=60.0, ge=5.0, le=3600.0)
    """Seconds between heartbeats while a device is on (bounds use counted after a power cut)."""
    idle_heartbeat_s: float = Field(default=600.0, ge=5.0, le=3600.0)
    """Seconds between heartbeats while every device is off or missing (saves SD-card writes)."""
    it_pin: str = Field(default="2468", pattern=r"^[0-9]{4,8}$")
    language: Literal["vi", "en"] = "vi"
    status_led_pin: int | None = Field(default=None, ge=0, le=27)
    """BCM pin of the status LED (steady: logging OK, fast blink: sensor problem, slow: not synced)."""
    buzzer_pin: int | None = Field(default=None, ge=0, le=27)
    """BCM pin of the optional buzzer that acknowledges a fault report."""


class ClosedFault(_Strict):
    """A fault report the district closed (dashboard): which Pi's journal, which seq, the note."""

    pi: str = Field(min_length=1, max_length=64)
    seq: int = Field(ge=1)
    note: str = Field(default="", max_length=500)
    closed_at: float | None = None


class RoomConfig(_Strict):
    """Everything one Pi needs to know about its room."""

    timezone: str = "Asia/Ho_Chi_Minh"
    school: School
    room: Room
    devices: tuple[Device, ...] = Field(min_length=1)
    bells: tuple[BellPeriod, ...] = Field(min_length=1)
    timetable: tuple[Lesson, ...] = ()
    holidays: tuple[dt.date, ...] = ()
    teachers: tuple[Teacher, ...] = ()
    policy: PolicySettings = PolicySettings()
    faults_closed: tuple[ClosedFault, ...] = ()
    """Faults closed at the district; the agent closes them in its journal too."""
    detector: DetectorSettings = DetectorSettings()
    agent: AgentSettings = AgentSettings()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; expected e.g. 'Asia/Ho_Chi_Minh'") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RoomConfig:
        channels = [d.channel for d in self.devices]
        dupes = sorted({c for c in channels if channels.count(c) > 1})
        if dupes:
            raise ValueError(f"channel {dupes[0]} is used by two devices; give each device its own channel")
        periods = {b.period for b in self.bells}
        if len(periods) != len(self.bells):
            raise ValueError("a period appears twice in bells")
        for i, entry in enumerate(self.timetable):
            if entry.period not in periods:
                raise ValueError(
                    f"timetable[{i}] uses period {entry.period}, which bells do not define"
                )
        teacher_ids = {t.id for t in self.teachers}
        if self.teachers:
            for i, entry in enumerate(self.timetable):
                if entry.teacher not in teacher_ids:
                    raise ValueError(
                        f"timetable[{i}] names teacher {entry.teacher!r}, who is not in teachers"
                    )
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        """The school's time zone."""
        return ZoneInfo(self.timezone)

    @cached_property
    def policy_rules(self) -> criteria.Policy:
        """The district preset for the school's model with this school's overrides applied."""
        base = criteria.preset(self.school.model)
        values: dict[str, Any] = {}
        if self.policy.min_used_minutes is not None:
            values["min_used_s"] = self.policy.min_used_minutes * 60.0
        if self.policy.no_data_fraction is not None:
            values["no_data_fraction"] = self.policy.no_data_fraction
        if self.policy.stale_s is not None:
            values["stale_s"] = self.policy.stale_s
        if self.policy.exempt_reasons is not None:
            values["exempt_reasons"] = tuple(self.policy.exempt_reasons)
        targets: dict[str, float] = {str(k): v for k, v in self.policy.targets.items()}
        return base.with_overrides(targets=targets, **values)

    @property
    def target(self) -> float:
        """This room's target share."""
        return self.policy_rules.target_for(self.room.type)

    def device(self, channel: int) -> Device | None:
        """The device on ``channel``, or None."""
        return next((d for d in self.devices if d.channel == channel), None)

    @property
    def counted_devices(self) -> list[tuple[int, str]]:
        """``(channel, kind)`` of the devices whose use counts."""
        kinds = self.policy_rules.counted_kinds
        return [(d.channel, d.kind) for d in self.devices if d.counts and d.kind in kinds]

    def criteria_bells(self) -> list[criteria.Bell]:
        """The bell schedule as criteria objects."""
        return [criteria.Bell(b.period, b.start, b.end) for b in self.bells]

    def criteria_timetable(self) -> list[criteria.TimetableEntry]:
        """The timetable as criteria objects."""
        return [
            criteria.TimetableEntry(
                weekday=e.weekday,
                period=e.period,
                class_name=e.class_name,
                subject=e.subject,
                teacher=e.teacher,
                valid_from=e.valid_from,
                valid_to=e.valid_to,
            )
            for e in self.timetable
        ]

    def teacher_name(self, teacher_id: str | None) -> str:
        """A teacher's name for display, or the id when unknown."""
        for t in self.teachers:
            if t.id == teacher_id:
                return t.name
        return teacher_id or ""


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


_EXPECTED = {
    "missing": N_("a value (the key is required)"),
    "extra_forbidden": N_("no such key (check its spelling)"),
    "int_parsing": N_("a whole number"),
    "int_type": N_("a whole number"),
    "float_parsing": N_("a number"),
    "float_type": N_("a number"),
    "bool_type": N_("true or false"),
    "bool_parsing": N_("true or false"),
    "string_type": N_("a text in quotes"),
    "date_from_datetime_parsing": N_("a date as YYYY-MM-DD"),
    "date_parsing": N_("a date as YYYY-MM-DD"),
    "date_type": N_("a date as YYYY-MM-DD"),
}


def format_validation_error(source: str, error: ValidationError) -> str:
    """One line per problem: ``file: key: expected …, got …``, in the user's language."""
    lines = []
    for item in error.errors(include_url=False):
        where = _loc(tuple(item["loc"]))
        kind = item["type"]
        if kind in _EXPECTED:
            expected = _(_EXPECTED[kind])
        else:
            expected = str(item["msg"]).removeprefix("Value error, ")
        got = item.get("input")
        if kind == "missing" or isinstance(got, Mapping):
            lines.append(_("{source}: {key}: expected {expected}").format(source=source, key=where, expected=expected))
        else:
            lines.append(
                _("{source}: {key}: expected {expected}, got {value!r}").format(
                    source=source, key=where, expected=expected, value=got
                )
            )
    return "\n".join(lines)


def parse_config(data: Mapping[str, Any], *, source: str = "config") -> RoomConfig:
    """Validate a mapping (parsed TOML or the district's JSON) into a :class:`RoomConfig`.

    Raises :class:`ConfigError` naming the source, the key and what was expected.
    """
    try:
        return RoomConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc)) from None


def load_config(path: Path) -> RoomConfig:
    """Read and validate a room configuration TOML file.

    Raises :class:`ConfigError` for a missing file, bad TOML or a bad value.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(_("{path}: file not found").format(path=path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(_("{path}: not UTF-8 text").format(path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{path}: not valid TOML: {error}").format(path=path, error=exc)) from None
    return parse_config(data, source=str(path))
