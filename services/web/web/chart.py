"""A link's clicks over time as the geometry of an accessible SVG bar chart.

The numbers are worked out here, in Python, so the template only draws them and the
tests can check the chart without a browser. Times are UTC: the server does not know
the visitor's time zone, and the axis label says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# What the link page offers: name -> (stats window, granularity, bucket, buckets shown).
RANGES = {
    "day": ("24h", "hour", timedelta(hours=1), 24),
    "hour": ("1h", "minute", timedelta(minutes=1), 60),
}
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 44
_TICKS = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    start: datetime
    count: int


@dataclass
class Chart:
    """Everything the template draws: bars, y-axis ticks, x-axis labels, and a summary."""

    bars: list[Bar]
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    granularity: str
    total: int
    peak: Bar | None
    size: tuple[int, int] = field(default=(WIDTH, HEIGHT))
    plot: tuple[int, int, int, int] = field(default=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM))


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def buckets(series: list[dict], bucket: timedelta, count: int, now: datetime) -> list[tuple[datetime, int]]:
    """``count`` consecutive buckets ending with the one holding ``now``, zeros filled in:
    the API may leave out buckets without clicks."""
    step = int(bucket.total_seconds())
    last = datetime.fromtimestamp(int(now.timestamp()) // step * step, UTC)
    starts = [last - bucket * i for i in range(count - 1, -1, -1)]
    counts = {_parse(point["start"]): int(point["count"]) for point in series}
    return [(start, counts.get(start, 0)) for start in starts]


def tick_step(peak: int) -> int:
    """The smallest 1-2-5 step whose ``_TICKS`` steps reach ``peak``: whole-number ticks."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if multiple * magnitude * _TICKS >= peak:
                return multiple * magnitude
        magnitude *= 10


def build(series: list[dict], range_name: str, now: datetime | None = None) -> Chart:
    """The chart of ``series`` (the stats API's points) for one of :data:`RANGES`."""
    _window, granularity, bucket, count = RANGES[range_name]
    points = buckets(series, bucket, count, now or datetime.now(UTC))
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    step = tick_step(max(c for _, c in points))
    top_value = step * _TICKS
    slot = (right - left) / count
    gap = min(2.0, slot * 0.2)

    def y_of(value: int) -> float:
        return round(bottom - (bottom - top) * value / top_value, 2)

    bars = [
        Bar(round(left + i * slot + gap / 2, 2), y_of(c), round(slot - gap, 2), round(bottom - y_of(c), 2), start, c)
        for i, (start, c) in enumerate(points)
    ]
    every = 6 if granularity == "hour" else 10
    x_labels = [
        (round(bar.x + bar.width / 2, 2), bar.start.strftime("%H:%M")) for i, bar in enumerate(bars) if i % every == 0
    ]
    peak = max(bars, key=lambda b: b.count) if any(b.count for b in bars) else None
    return Chart(
        bars=bars,
        y_ticks=[(y_of(step * i), step * i) for i in range(_TICKS + 1)],
        x_labels=x_labels,
        granularity=granularity,
        total=sum(b.count for b in bars),
        peak=peak,
    )
