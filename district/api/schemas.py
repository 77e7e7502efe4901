"""Request and response bodies of the admin, report and export API (strict: no coercion)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.\-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
RoomType = Literal["regular_classroom", "it_room", "language_room", "multipurpose_room", "music_room", "art_room", "subject_room"]
Share = Annotated[StrictFloat | StrictInt, Field(ge=0, le=1)]
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class LoginIn(_In):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class TokenOut(BaseModel):
    token: str
    expires_at: float | None = None


class TokenIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class UserIn(_In):
    username: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")]
    password: Annotated[str, Field(min_length=8, max_length=200)]
    role: Literal["admin", "staff", "analyst"]
    school: Code | None = None


class UserOut(BaseModel):
    username: str
    role: str
    school: str | None = None


class SchoolIn(_In):
    code: Code
    name: Name
    level: Literal["MN", "TH", "THCS"]
    model: Literal["full", "partial"]
    timezone: Annotated[str, Field(min_length=1, max_length=64)] = "Asia/Ho_Chi_Minh"


class SchoolOut(BaseModel):
    code: str
    name: str
    level: str
    model: str
    timezone: str
    policy: dict[str, Any]


class DeviceIn(_In):
    kind: Literal["projector", "document_camera", "interactive_board", "audio"]
    channel: Annotated[StrictInt, Field(ge=0, le=63)]
    standby_amps: Annotated[StrictFloat | StrictInt, Field(ge=0, le=100)]
    on_amps: Annotated[StrictFloat | StrictInt, Field(ge=0, le=100)]
    source: Literal["replay", "simulator", "gpio", "mcp3008", "serial"] = "replay"
    counts: StrictBool = True
    options: Annotated[dict[str, Any], Field(max_length=20)] = {}


class RoomIn(_In):
    code: Code
    name: Name
    type: RoomType
    devices: Annotated[list[DeviceIn], Field(max_length=16)] = []


class RoomOut(BaseModel):
    school: str
    code: str
    name: str
    type: str
    devices: list[dict[str, Any]]


class DevicesIn(_In):
    devices: Annotated[list[DeviceIn], Field(max_length=16)]


class PolicyIn(_In):
    model: Literal["full", "partial"] | None = None
    targets: dict[RoomType, Share] = {}
    min_used_minutes: Annotated[StrictFloat | StrictInt, Field(gt=0, le=120)] | None = None
    no_data_fraction: Annotated[StrictFloat | StrictInt, Field(gt=0, le=1)] | None = None


class BellIn(_In):
    period: Annotated[StrictInt, Field(ge=0, le=20)]
    start: HHMM
    end: HHMM


class BellsIn(_In):
    bells: Annotated[list[BellIn], Field(min_length=1, max_length=21)]


class TeacherIn(_In):
    id: Code
    name: Name
    card: Annotated[str, Field(max_length=64)] | None = None


class TeachersIn(_In):
    teachers: Annotated[list[TeacherIn], Field(max_length=2000)]


class LessonIn(_In):
    weekday: Annotated[StrictInt, Field(ge=1, le=7)]
    period: Annotated[StrictInt, Field(ge=0, le=20)]
    class_name: Annotated[str, Field(min_length=1, max_length=40, alias="class")]
    subject: Annotated[str, Field(min_length=1, max_length=100)]
    teacher: Annotated[str, Field(min_length=1, max_length=40)]
    valid_from: dt.date | None = Field(default=None, strict=False)
    valid_to: dt.date | None = Field(default=None, strict=False)


class TimetableIn(_In):
    lessons: Annotated[list[LessonIn], Field(max_length=500)]


class HolidayIn(_In):
    date: dt.date = Field(strict=False)
    name: Annotated[str, Field(max_length=200)] = ""


class CodeIn(_In):
    school: Code
    room: Code | None = None
    ttl_hours: Annotated[StrictFloat | StrictInt, Field(ge=0.1, le=2160)] = 168


class CodeOut(BaseModel):
    id: int
    code: str
    school: str
    room: str | None
    expires_at: float


class MoveIn(_In):
    school: Code
    room: Code


class ImportOut(BaseModel):
    rows: int


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
