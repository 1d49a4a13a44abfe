"""The stats read API against the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture
def clicks(admin):
    """``clicks("abc", minutes_ago, n)``: n clicks of abc in the minute that many minutes ago."""

    def add(code: str, minutes_ago: int, n: int) -> datetime:
        now = datetime.now(UTC)
        minute = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes_ago)
        with admin.cursor() as cur:
            cur.execute("INSERT INTO stats.clicks_per_minute VALUES (%s, %s, %s)", (code, minute, n))
            cur.execute(
                "INSERT INTO stats.link_totals VALUES (%s, %s, %s) ON CONFLICT (code) DO UPDATE"
                " SET total = link_totals.total + EXCLUDED.total,"
                " last_click_at = greatest(link_totals.last_click_at, EXCLUDED.last_click_at)",
                (code, n, minute + timedelta(seconds=30)),
            )
        return minute

    return add


def test_one_link_per_minute(client, clicks):
    latest = clicks("abc", 0, 3)
    clicks("abc", 2, 4)
    clicks("abc", 90, 5)  # outside the window: in the total, not in the series
    body = client.get("/api/stats/abc?window=60m").json
    assert body["code"] == "abc" and body["total"] == 12 and body["granularity"] == "minute" and body["window"] == "60m"
    assert body["last_click_at"] == (latest + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    series = body["series"]
    assert len(series) == 60
    assert series[-1] == {"start": latest.isoformat().replace("+00:00", "Z"), "count": 3}
    assert [point["count"] for point in series[-3:]] == [4, 0, 3]
    assert sum(point["count"] for point in series) == 7


def test_one_link_per_hour_by_default_over_a_day(client, clicks):
    clicks("hr", 0, 2)
    clicks("hr", 1, 3)
    body = client.get("/api/stats/hr").json
    assert body["granularity"] == "hour" and body["window"] == "24h" and len(body["series"]) == 24
    assert sum(point["count"] for point in body["series"]) == 5
    assert body["series"][-1]["start"].endswith(":00:00Z")


def test_unknown_code_has_no_clicks(client):
    body = client.get("/api/stats/never?window=7d").json
    assert body["total"] == 0 and body["last_click_at"] is None
    assert len(body["series"]) == 7 * 24 and {p["count"] for p in body["series"]} == {0}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("window=0m", "window"),
        ("window=24", "window"),
        ("window=91d", "window"),
        ("granularity=second", "granularity"),
        ("window=7d&granularity=minute", "granularity"),
        ("window=60m%0A", "window"),  # "$" would let the trailing newline through
        ("window=%D9%A3d", "window"),  # ٣ (Arabic-Indic 3) is a digit to Python, not to this API
    ],
)
def test_bad_series_parameters_are_400_naming_them(client, query, parameter):
    response = client.get(f"/api/stats/abc?{query}")
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter


@pytest.mark.parametrize(
    ("path", "query"),
    [("/api/stats/abc", "windw=7d"), ("/api/stats/top", "limit=3&order=asc"), ("/api/stats", "codes=a&c=b")],
)
def test_an_unknown_parameter_is_400_naming_it(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    unknown = query.split("&")[-1].split("=")[0]
    assert response.json["error"]["parameter"] == unknown
    assert response.json["error"]["message"].startswith(f"{unknown}: unknown parameter; this endpoint takes ")


def test_bad_code_is_400(client):
    for code in ("x" * 65, "abc%0A", "ab%00c"):
        response = client.get(f"/api/stats/{code}")
        assert response.status_code == 400 and response.json["error"]["parameter"] == "code", code


@pytest.mark.parametrize("days", [61, 75, 90])
def test_every_window_up_to_90_days_is_served_per_hour(client, clicks, days):
    clicks("long", 0, 3)
    response = client.get(f"/api/stats/long?window={days}d")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["granularity"] == "hour" and len(body["series"]) == days * 24
    assert sum(point["count"] for point in body["series"]) == body["total"] == 3


def test_top_links_most_clicked_first(client, clicks):
    clicks("few", 0, 1)
    clicks("many", 0, 9)
    clicks("some", 0, 5)
    items = client.get("/api/stats/top?limit=2").json["items"]
    assert [(item["code"], item["total"]) for item in items] == [("many", 9), ("some", 5)]
    assert items[0]["last_click_at"].endswith("Z")
    for bad in ("0", "101", "ten", "", "%C2%B2", "%EF%BC%95"):  # ², and a fullwidth 5
        response = client.get(f"/api/stats/top?limit={bad}")
        assert response.status_code == 400 and response.json["error"]["parameter"] == "limit"


def test_totals_for_a_list_of_codes(client, clicks):
    clicks("a1", 0, 2)
    items = client.get("/api/stats?codes=a1,zz,a1").json["items"]
    assert list(items) == ["a1", "zz"]
    assert items["a1"]["total"] == 2 and items["zz"] == {"total": 0, "last_click_at": None}
    for bad in ("", ",", "ok,no/pe", "ok\n", ",".join(f"c{i}" for i in range(101))):
        response = client.get("/api/stats", query_string={"codes": bad})
        assert response.status_code == 400 and response.json["error"]["parameter"] == "codes"
