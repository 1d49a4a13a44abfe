"""stats.counting: per-minute counts and totals, exactly once, against the real database."""

from __future__ import annotations

from stats import counting

MINUTE = 60_000
T0 = 1_893_456_000_000  # 2030-01-01T00:00:00Z


def test_counts_per_link_per_minute_and_totals(worker_app, admin):
    entries = [
        ("1-0", {"code": "abc", "at": str(T0 + 5)}),
        ("1-1", {"code": "abc", "at": str(T0 + MINUTE - 1)}),
        ("2-0", {"code": "abc", "at": str(T0 + MINUTE)}),
        ("2-1", {"code": "xyz", "at": str(T0 + 7)}),
    ]
    assert counting.apply(entries) == counting.Result(counted=4, duplicates=0, malformed=0)
    with admin.cursor() as cur:
        cur.execute(
            "SELECT code, extract(epoch FROM minute)::bigint * 1000, clicks FROM stats.clicks_per_minute ORDER BY 1, 2"
        )
        assert cur.fetchall() == [("abc", T0, 2), ("abc", T0 + MINUTE, 1), ("xyz", T0, 1)]
        cur.execute("SELECT code, total, extract(epoch FROM last_click_at) * 1000 FROM stats.link_totals ORDER BY 1")
        assert cur.fetchall() == [("abc", 3, T0 + MINUTE), ("xyz", 1, T0 + 7)]


def test_a_batch_applied_twice_counts_once(worker_app, totals):
    batch = [(f"5-{i}", {"code": "dup", "at": str(T0)}) for i in range(10)]
    assert counting.apply(batch).counted == 10
    assert counting.apply(batch) == counting.Result(counted=0, duplicates=10, malformed=0)
    overlapping = [*batch[5:], ("6-0", {"code": "dup", "at": str(T0)})]
    assert counting.apply(overlapping) == counting.Result(counted=1, duplicates=5, malformed=0)
    assert totals() == {"dup": 11}


def test_malformed_events_are_skipped_once(worker_app, totals):
    batch = [
        ("7-0", {"code": "", "at": str(T0)}),
        ("7-1", {"code": "ok", "at": "yesterday"}),
        ("7-2", None),  # an entry trimmed from the stream while pending
        ("7-3", {"code": "ok", "at": str(T0)}),
    ]
    assert counting.apply(batch) == counting.Result(counted=1, duplicates=0, malformed=3)
    assert counting.apply(batch).duplicates == 4
    assert totals() == {"ok": 1}


def test_one_click_counts_once_whatever_entries_carry_it(worker_app, totals):
    # A Redis call that timed out and ran anyway, beside the copy redirect flushed later:
    # two entries, one click id.
    first = [("10-0", {"code": "twice", "at": str(T0), "id": "a" * 32})]
    again = [("11-0", {"code": "twice", "at": str(T0 + 9), "id": "a" * 32})]
    assert counting.apply(first).counted == 1
    assert counting.apply(again) == counting.Result(counted=0, duplicates=1, malformed=0)
    in_one_batch = [(f"12-{i}", {"code": "twice", "at": str(T0), "id": "b" * 32}) for i in range(3)]
    assert counting.apply(in_one_batch) == counting.Result(counted=1, duplicates=2, malformed=0)
    assert totals() == {"twice": 2}


def test_an_event_without_a_click_id_is_known_by_its_entry(worker_app, totals):
    # Events from before clicks had ids, or with one no redirect makes.
    batch = [("13-0", {"code": "old", "at": str(T0)}), ("13-1", {"code": "old", "at": str(T0), "id": "no spaces"})]
    assert counting.apply(batch).counted == 2
    assert counting.apply(batch).duplicates == 2
    assert totals() == {"old": 2}


def test_prune_keeps_ids_within_the_window_before_the_boundary(worker_app, admin):
    counting.apply([(f"{ms}-0", {"code": "p", "at": str(T0), "id": f"{ms:032d}"}) for ms in (1000, 2000, 3000)])
    assert counting.prune((4000, 0), window_ms=1500) == 2
    with admin.cursor() as cur:
        cur.execute("SELECT stream_ms FROM stats.applied_clicks ORDER BY 1")
        assert cur.fetchall() == [(3000,)]
