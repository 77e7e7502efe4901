"""Verdicts: each lesson's status with the evidence behind it, and a room's share.

Status of a lesson, first rule that applies:

- ``exempt``: a tap-in for it carries an exempt reason;
- ``used``: counted devices were on for at least ``policy.min_used_s`` inside the
  window (two devices on together count once);
- ``no_data``: some counted channel was missing for more than
  ``policy.no_data_fraction`` of the window;
- ``not_used``: otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from criteria.histories import ChannelHistory
from criteria.intervals import Interval, clip, total_seconds
from criteria.lessons import Lesson


@dataclass(frozen=True)
class DeviceUse:
    """One counted device's part in a lesson: seconds on, seconds missing, and its on-spans."""

    channel: int
    kind: str
    used_s: float
    missing_s: float
    on: tuple[Interval, ...] = ()

    @property
    def coverage(self) -> float:
        """Share of the lesson window in which this channel reported (0.0-1.0)."""
        return 0.0 if self.window_s <= 0 else max(0.0, 1.0 - self.missing_s / self.window_s)

    window_s: float = 0.0
    """Length of the lesson window in seconds."""


@dataclass(frozen=True)
class LessonVerdict:
    """A lesson's status and the evidence that explains it.

    ``used_s`` is the union of counted devices' on-time inside the window;
    ``coverage`` the worst counted channel's share of the window with data.
    """

    lesson: Lesson
    status: str
    used_s: float
    coverage: float
    devices: tuple[DeviceUse, ...] = field(default_factory=tuple)

    @property
    def reason(self) -> str:
        """A short machine-readable reason code for the status."""
        if self.status == "exempt":
            return f"exempt:{self.lesson.exempt_reason}"
        if self.status == "used":
            return "devices_on_long_enough"
        if self.status == "no_data":
            return "channel_missing_over_half_window"
        return "devices_not_on_long_enough"


def judge_lesson(
    lesson: Lesson,
    histories: Mapping[int, ChannelHistory],
    devices: Sequence[tuple[int, str]],
    *,
    min_used_s: float,
    no_data_fraction: float,
) -> LessonVerdict:
    """The verdict for one lesson.

    ``devices`` lists the counted devices as ``(channel, kind)``; ``histories`` must
    cover the lesson window. A counted channel without a history counts as missing.
    """
    window = lesson.window
    window_s = window.seconds
    uses = []
    on_all: list[Interval] = []
    for channel, kind in devices:
        history = histories.get(channel)
        on = clip(history.on, window) if history else []
        missing_s = total_seconds(clip(history.missing, window)) if history else window_s
        on_all.extend(on)
        uses.append(
            DeviceUse(
                channel=channel,
                kind=kind,
                used_s=total_seconds(on),
                missing_s=missing_s,
                on=tuple(on),
                window_s=window_s,
            )
        )
    used_s = total_seconds(on_all)
    coverage = min((u.coverage for u in uses), default=0.0)
    if lesson.exempt_reason:
        status = "exempt"
    elif used_s >= min_used_s:
        status = "used"
    elif any(u.missing_s > no_data_fraction * window_s for u in uses) or not uses:
        status = "no_data"
    else:
        status = "not_used"
    return LessonVerdict(
        lesson=lesson, status=status, used_s=used_s, coverage=coverage, devices=tuple(uses)
    )


def judge_lessons(
    lessons: Iterable[Lesson],
    histories: Mapping[int, ChannelHistory],
    devices: Sequence[tuple[int, str]],
    *,
    min_used_s: float,
    no_data_fraction: float,
) -> list[LessonVerdict]:
    """``judge_lesson`` over many lessons."""
    return [
        judge_lesson(
            lesson,
            histories,
            devices,
            min_used_s=min_used_s,
            no_data_fraction=no_data_fraction,
        )
        for lesson in lessons
    ]


@dataclass(frozen=True)
class Summary:
    """A room's (or school's) counts per status, share, target and whether it meets it.

    ``share`` is used / (used + not_used) rounded to 4 places, or None when no lesson
    counts; ``no_data`` and ``exempt`` lessons are outside it.
    """

    used: int
    not_used: int
    no_data: int
    exempt: int
    share: float | None
    target: float
    meets_target: bool

    @property
    def lessons(self) -> int:
        """All lessons, whatever their status."""
        return self.used + self.not_used + self.no_data + self.exempt


def summarize(statuses: Iterable[str], *, target: float) -> Summary:
    """Counts, share and verdict against ``target`` for a set of lesson statuses.

    A room with no countable lesson has no share and does not meet its target.
    """
    counts = {"used": 0, "not_used": 0, "no_data": 0, "exempt": 0}
    for status in statuses:
        counts[status] += 1
    counted = counts["used"] + counts["not_used"]
    share = round(counts["used"] / counted, 4) if counted else None
    return Summary(
        used=counts["used"],
        not_used=counts["not_used"],
        no_data=counts["no_data"],
        exempt=counts["exempt"],
        share=share,
        target=target,
        meets_target=share is not None and share >= target,
    )
