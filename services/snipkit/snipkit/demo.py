"""The workshop demo data set: the links every service's ``seed-demo`` command loads.

It lives in the kit because two services seed from it and each writes only its own
schema: ``links seed-demo`` inserts these links, ``stats seed-demo`` a click history for
the same codes. Nothing here touches a database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLink:
    """A demo link: ``weight`` is its share of the clicks (a few links get most, as in
    real traffic); ``age_days`` how long ago it was made; ``expires_in_days`` makes it
    expire (negative: already expired, so ``links purge`` has something to show)."""

    code: str
    url: str
    weight: int
    age_days: int
    expires_in_days: int | None = None


LINKS = [
    DemoLink("py-docs", "https://docs.python.org/3/", weight=40, age_days=13),
    DemoLink("flask", "https://flask.palletsprojects.com/en/stable/", weight=25, age_days=12),
    DemoLink("12factor", "https://12factor.net/", weight=15, age_days=10),
    DemoLink("k8s-jobs", "https://kubernetes.io/docs/concepts/workloads/controllers/job/", weight=8, age_days=9),
    DemoLink("pg-docs", "https://www.postgresql.org/docs/current/", weight=5, age_days=7),
    DemoLink("redis-streams", "https://redis.io/docs/latest/develop/data-types/streams/", weight=4, age_days=5),
    DemoLink("gunicorn", "https://docs.gunicorn.org/en/stable/settings.html", weight=2, age_days=3),
    DemoLink("workshop", "https://example.com/workshop/slides", weight=1, age_days=1, expires_in_days=30),
    DemoLink("old-promo", "https://example.com/promo/2025", weight=0, age_days=14, expires_in_days=-1),
]
