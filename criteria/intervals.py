"""Half-open time intervals ``[start, end)`` in UTC epoch seconds, and their arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Interval(NamedTuple):
    """A half-open span of time ``[start, end)``, in UTC epoch seconds."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        """Length in seconds (0 for an empty or inverted interval)."""
        return max(0.0, self.end - self.start)


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals; the result is sorted and disjoint.

    >>> union([Interval(5, 8), Interval(0, 2), Interval(1, 3)])
    [Interval(start=0, end=3), Interval(start=5, end=8)]
    """
    merged: list[Interval] = []
    for iv in sorted(i for i in intervals if i.end > i.start):
        if merged and iv.start <= merged[-1].end:
            if iv.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, iv.end)
        else:
            merged.append(iv)
    return merged


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    """The parts of ``intervals`` that fall inside ``window``."""
    out = []
    for iv in intervals:
        start, end = max(iv.start, window.start), min(iv.end, window.end)
        if end > start:
            out.append(Interval(start, end))
    return out


def total_seconds(intervals: Iterable[Interval]) -> float:
    """Seconds covered by the union of ``intervals`` (overlaps count once)."""
    return sum(iv.seconds for iv in union(intervals))
