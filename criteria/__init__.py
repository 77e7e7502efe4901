"""Pure rules shared by the classroom Pi and the district server.

No I/O, no clock, no framework, nothing of the project: functions from lessons,
device histories and a policy to verdicts, shares and targets. The scenarios in
``../shared/scenarios`` are the acceptance data of this package.
"""

from criteria.histories import ChannelHistory, channel_histories
from criteria.intervals import Interval, clip, total_seconds, union
from criteria.lessons import (
    Bell,
    Lesson,
    TapIn,
    TimetableEntry,
    build_lessons,
    month_bounds,
    tapins_from_events,
)
from criteria.policy import (
    DEVICE_KINDS,
    EXEMPT_REASONS,
    LESSON_STATUSES,
    ROOM_TYPES,
    SCHOOL_MODELS,
    Policy,
    preset,
)
from criteria.verdicts import LessonVerdict, Summary, judge_lesson, judge_lessons, summarize

__all__ = [
    "DEVICE_KINDS",
    "EXEMPT_REASONS",
    "LESSON_STATUSES",
    "ROOM_TYPES",
    "SCHOOL_MODELS",
    "Bell",
    "ChannelHistory",
    "Interval",
    "Lesson",
    "LessonVerdict",
    "Policy",
    "Summary",
    "TapIn",
    "TimetableEntry",
    "build_lessons",
    "channel_histories",
    "clip",
    "judge_lesson",
    "judge_lessons",
    "month_bounds",
    "preset",
    "summarize",
    "tapins_from_events",
    "total_seconds",
    "union",
]
