"""criteria.intervals: half-open intervals, union, clip, total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from criteria import Interval, clip, total_seconds, union


def test_union_merges_overlapping_and_touching() -> None:
    assert union([Interval(5, 8), Interval(0, 2), Interval(1, 3), Interval(3, 4)]) == [
        Interval(0, 4), Interval(5, 8)]
    assert union([Interval(2, 2), Interval(3, 1)]) == []


def test_clip_and_total() -> None:
    window = Interval(10, 20)
    assert clip([Interval(0, 12), Interval(15, 30), Interval(20, 25)], window) == [Interval(10, 12), Interval(15, 20)]
    assert total_seconds([Interval(0, 10), Interval(5, 15)]) == 15  # overlaps count once
    assert Interval(5, 3).seconds == 0


spans = st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 200)).map(lambda p: Interval(p[0], p[0] + p[1])),
                 max_size=30)


@given(spans)
def test_union_is_sorted_disjoint_and_covers_the_same_points(intervals: list[Interval]) -> None:
    merged = union(intervals)
    assert all(a.end < b.start for a, b in zip(merged, merged[1:], strict=False))
    for point in range(0, 1200, 7):
        inside = any(i.start <= point < i.end for i in intervals)
        assert inside == any(m.start <= point < m.end for m in merged)
    assert total_seconds(intervals) == sum(m.seconds for m in merged)
