"""The scale series' bulk load: what it writes is what the services would have written,
and the Zipf draws are what the figures say they are."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import closing

import psycopg2
import pytest

from snipbench import dataset, scale
from snipdev import database

LINKS = 300


@pytest.fixture
def loaded(sandbox, new_database):
    """A migrated database of its own with LINKS links and their clicks: (admin URL, load summary)."""
    name, urls = new_database("scale")
    database.migrate(urls)
    url = database.with_database(sandbox.admin_url, name)
    return url, dataset.load(url, LINKS)


def _rows(url: str, query: str) -> list[tuple]:
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchall()


def test_codes_are_distinct_and_look_like_generated_ones():
    codes = [dataset.code(i) for i in range(50_000)]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Za-z0-9]{7}", code) for code in codes)
    # Neighbours share no prefix, as random codes would not.
    assert len({code[:2] for code in codes[:100]}) > 90


def test_links_are_loaded_in_creation_order(loaded):
    url, summary = loaded
    assert summary["links"] == LINKS
    rows = _rows(url, "SELECT id, code, created_at FROM links.links ORDER BY id")
    assert [code for _id, code, _at in rows] == [dataset.code(i) for i in range(LINKS)]
    created = [at for _id, _code, at in rows]
    assert created == sorted(created)


def test_every_total_adds_up_to_its_minutes(loaded):
    url, summary = loaded
    per_link = _rows(
        url,
        "SELECT t.code, t.total, t.last_click_at, sum(m.clicks), max(m.minute), count(*)"
        " FROM stats.link_totals t JOIN stats.clicks_per_minute m USING (code)"
        " GROUP BY t.code, t.total, t.last_click_at",
    )
    assert len(per_link) == LINKS
    for _code, total, last, summed, latest, _rows_of_link in per_link:
        assert summed == total and latest == last
    assert sum(total for _c, total, *_ in per_link) == summary["clicks"]
    assert summary["minute_rows"] == sum(rows for *_, rows in per_link)


def test_popularity_follows_zipf_by_index(loaded):
    url, summary = loaded
    totals = dict(_rows(url, "SELECT code, total FROM stats.link_totals"))
    first, tenth, hundredth = (totals[dataset.code(i)] for i in (0, 9, 99))
    assert first > tenth > hundredth >= 1
    assert first == pytest.approx(10 * tenth, rel=0.1)
    assert summary["clicks"] >= LINKS * dataset.CLICKS_PER_LINK


def test_sizes_name_every_table_and_index(loaded):
    url, _summary = loaded
    sizes = dataset.sizes(url)
    assert set(sizes) == set(dataset.TABLES)
    assert sizes["links.links"]["table_bytes"] > 0
    assert {"links.links_pkey", "links.links_code_key"} <= set(sizes["links.links"]["indexes"])


def test_zipf_sample_is_reproducible_and_skewed():
    sample = dataset.zipf_sample(1000, 20_000, seed=7)
    assert sample == dataset.zipf_sample(1000, 20_000, seed=7)
    assert all(0 <= i < 1000 for i in sample)
    counts = Counter(sample)
    # Index 0 is drawn about twice as often as index 1 and ten times as often as index 9.
    assert counts[0] == pytest.approx(2 * counts[1], rel=0.25)
    assert counts[0] == pytest.approx(10 * counts[9], rel=0.35)


@pytest.mark.parametrize(
    ("text", "sizes"), [("1k,100k,1M", [1_000, 100_000, 1_000_000]), ("200, 50", [50, 200]), ("1k,1000", [1_000])]
)
def test_scale_sizes_are_parsed(text, sizes):
    assert scale.parse(text) == sizes


@pytest.mark.parametrize("text", ["", "many", "1G", "5", "-1k"])
def test_a_bad_scale_is_refused_with_its_name(text):
    with pytest.raises(ValueError, match="SCALE"):
        scale.parse(text)
