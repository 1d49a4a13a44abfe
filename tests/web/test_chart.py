"""The chart's geometry, worked out without a browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from web import chart

NOW = datetime(2026, 11, 27, 9, 41, 30, tzinfo=UTC)


def point(start: datetime, count: int) -> dict:
    return {"start": start.isoformat().replace("+00:00", "Z"), "count": count}


def test_buckets_end_with_the_current_one_and_fill_the_gaps_with_zero():
    this_hour = NOW.replace(minute=0, second=0)
    series = [point(this_hour, 4), point(this_hour - timedelta(hours=2), 1), point(NOW - timedelta(days=2), 9)]
    filled = chart.buckets(series, timedelta(hours=1), 24, NOW)
    assert len(filled) == 24
    assert filled[-1] == (this_hour, 4) and filled[-3] == (this_hour - timedelta(hours=2), 1)
    assert filled[0][0] == this_hour - timedelta(hours=23)
    assert sum(count for _, count in filled) == 5, "points outside the window are left out"


@pytest.mark.parametrize(("peak", "step"), [(0, 1), (4, 1), (5, 2), (8, 2), (9, 5), (20, 5), (21, 10), (3999, 1000)])
def test_tick_steps_are_whole_1_2_5_numbers_that_reach_the_peak(peak, step):
    assert chart.tick_step(peak) == step


def test_bars_are_proportional_and_sit_on_the_axis():
    minute = NOW.replace(second=0)
    drawn = chart.build([point(minute, 8), point(minute - timedelta(minutes=1), 2)], "hour", now=NOW)
    left, top, right, bottom = drawn.plot
    assert len(drawn.bars) == 60 and drawn.granularity == "minute" and drawn.total == 10
    last, before = drawn.bars[-1], drawn.bars[-2]
    assert last.count == 8 and last.y + last.height == bottom
    assert last.height == pytest.approx(4 * before.height)
    assert last.height == pytest.approx(bottom - top), "the top tick is 4 steps of 2: the peak reaches it"
    assert drawn.peak is last
    assert left <= drawn.bars[0].x and last.x + last.width <= right
    assert [value for _, value in drawn.y_ticks] == [0, 2, 4, 6, 8]
    assert [label for _, label in drawn.x_labels] == ["08:42", "08:52", "09:02", "09:12", "09:22", "09:32"]


def test_a_link_without_clicks_has_flat_bars_and_no_peak():
    drawn = chart.build([], "day", now=NOW)
    assert {bar.height for bar in drawn.bars} == {0} and drawn.peak is None and drawn.total == 0
    assert [value for _, value in drawn.y_ticks] == [0, 1, 2, 3, 4]
