"""The home page's recent links: one fetch per RECENT_CACHE_S shared by a process's
visitors, a visitor's own change shown at once, and no page kept without its counts."""

from __future__ import annotations

import time
import uuid


def shows(client, code: str) -> bool:
    return f'href="/links/{code}"' in client.get("/").get_data(as_text=True)


def test_visitors_share_one_fetch_until_it_is_older_than_recent_cache_s(make_app, new_link):
    app = make_app(RECENT_CACHE_S=60)
    app.test_client().get("/")
    assert not shows(app.test_client(), new_link()["code"])

    app = make_app(RECENT_CACHE_S=0.3)
    app.test_client().get("/")
    made = new_link()["code"]
    time.sleep(0.4)
    assert shows(app.test_client(), made)


def test_with_recent_cache_s_0_every_visit_fetches(make_app, new_link):
    client = make_app(RECENT_CACHE_S=0).test_client()
    client.get("/")
    assert shows(client, new_link()["code"])


def test_a_visitor_sees_their_own_delete_and_create_at_once(make_app, new_link, token):
    # Two web processes, each with its page kept: a change made through one shows on
    # the other's home page only when its kept page is RECENT_CACHE_S old.
    writer, other = make_app(RECENT_CACHE_S=60).test_client(), make_app(RECENT_CACHE_S=60).test_client()
    doomed = new_link()["code"]
    assert shows(writer, doomed) and shows(other, doomed)
    writer.post(f"/links/{doomed}/delete", data={"csrf_token": token(writer, f"/links/{doomed}")})
    assert not shows(writer, doomed)
    assert shows(other, doomed)

    code = f"r{uuid.uuid4().hex[:10]}"
    sent = writer.post("/links", data={"csrf_token": token(writer), "url": "https://mine.example", "code": code})
    assert sent.status_code == 303 and shows(writer, code)
    assert not shows(other, code)


def test_a_page_without_counts_is_not_kept(make_app, new_link, stats_double):
    client = make_app(RECENT_CACHE_S=60).test_client()
    new_link()
    stats_double.failing = True
    assert "Click counts are unavailable" in client.get("/").get_data(as_text=True)
    stats_double.failing = False
    assert "Click counts are unavailable" not in client.get("/").get_data(as_text=True)
