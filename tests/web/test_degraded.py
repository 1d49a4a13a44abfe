"""What web shows while links or stats-api is down: never a stack trace."""

from __future__ import annotations

import socket
import time

import pytest


@pytest.fixture
def link(new_link):
    return new_link()


def assert_unavailable(response, dependency: str, words: str) -> str:
    assert response.status_code == 503 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<h1 id="error-heading">Temporarily unavailable</h1>' in page
    assert f"Not answering: <strong>{words}</strong> (<code>{dependency}</code>)" in page
    assert "Traceback" not in page
    return page


def test_links_down_is_a_503_page_naming_links(make_app, down_url, link):
    client = make_app(LINKS_URL=down_url).test_client()
    assert_unavailable(client.get("/"), "links", "the links service, which stores short links")
    assert_unavailable(client.get(f"/links/{link['code']}"), "links", "the links service, which stores short links")


def test_links_down_while_shortening_is_a_503_page(make_app, down_url, token):
    # Every page with a form needs links, so the form comes from a healthy app sharing
    # the session secret: what a visitor has when links fails between two requests.
    client = make_app(LINKS_URL=down_url).test_client()
    with client.session_transaction() as session:
        session["csrf"] = "fixed"
    healthy = make_app().test_client()
    with healthy.session_transaction() as session:
        session["csrf"] = "fixed"
    response = client.post("/links", data={"csrf_token": token(healthy), "url": "https://e.example"})
    assert_unavailable(response, "links", "the links service, which stores short links")


def test_stats_down_home_still_lists_links_without_counts(make_app, down_url, link):
    response = make_app(STATS_URL=down_url).test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="/links/{link["code"]}">{link["code"]}</a>' in page
    assert "Click counts are unavailable right now" in page and "clicks unavailable" in page


@pytest.mark.parametrize("broken", ["down", "failing"])
def test_stats_down_or_failing_link_page_is_a_503_page_naming_stats(make_app, down_url, stats_double, link, broken):
    stats_double.failing = broken == "failing"
    client = make_app(STATS_URL=down_url if broken == "down" else stats_double.url).test_client()
    page = assert_unavailable(
        client.get(f"/links/{link['code']}"), "stats-api", "the statistics service, which counts clicks"
    )
    assert "the list of links is still available" in page


def test_stats_hanging_costs_the_home_page_seconds_not_its_list(make_app, link):
    with socket.create_server(("127.0.0.1", 0)) as hanging:
        client = make_app(STATS_URL=f"http://127.0.0.1:{hanging.getsockname()[1]}").test_client()
        started = time.monotonic()
        response = client.get("/")
        assert time.monotonic() - started < 4.0
    assert response.status_code == 200 and f">{link['code']}</a>" in response.text
    assert "Click counts are unavailable right now" in response.text


def test_readiness_answers_fast_while_an_api_hangs(make_app):
    # A listening socket nobody accepts from: connections open, answers never come.
    with socket.create_server(("127.0.0.1", 0)) as hanging:
        client = make_app(STATS_URL=f"http://127.0.0.1:{hanging.getsockname()[1]}").test_client()
        started = time.monotonic()
        ready = client.get("/readyz")
        assert time.monotonic() - started < 1.0, "the kubelet's default probe timeout is 1 s"
    assert ready.status_code == 200 and ready.get_json()["checks"]["stats-api"]["ok"] is False


def test_probes_stay_json_and_report_but_do_not_require_the_apis(make_app, down_url):
    client = make_app(STATS_URL=down_url).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.get_json()["checks"]
    assert checks["links"] == {"ok": True, "required": False}
    assert checks["stats-api"]["ok"] is False and checks["stats-api"]["required"] is False
    assert client.get("/livez").get_json() == {"status": "ok"}
