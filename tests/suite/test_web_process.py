"""web and links as real gunicorn processes: the request id crosses the HTTP call, and
web's pages degrade or answer 503 as documented when a dependency is down."""

from __future__ import annotations

import requests

from snipdev.embedded import free_port


def web_env(service_env, links_url: str, stats_url: str) -> dict[str, str]:
    return service_env("web", LINKS_URL=links_url, STATS_URL=stats_url)


def test_the_request_id_of_a_form_post_reaches_links_access_log(start, service_env, stats_double, shorten):
    links = start("links", "links.wsgi:app", service_env("links"))
    web = start("web", "web.wsgi:app", web_env(service_env, links.url, stats_double.url))
    response = shorten(web.url, "https://rid.example/page", request_id="form-post-7f3a")
    assert response.status_code == 303 and response.headers["X-Request-ID"] == "form-post-7f3a"
    assert links.stop() == 0 and web.stop() == 0
    links_access = [e for e in links.log_entries() if e["logger"] == "access" and e["request_id"] == "form-post-7f3a"]
    assert [(e["method"], e["path"], e["status"]) for e in links_access] == [("POST", "/api/links", 201)]
    web_access = [e for e in web.log_entries() if e["logger"] == "access" and e["request_id"] == "form-post-7f3a"]
    assert [(e["method"], e["path"], e["status"]) for e in web_access] == [("POST", "/links", 303)]


def test_with_stats_down_links_are_listed_and_the_link_page_is_503(start, service_env, shorten):
    links = start("links", "links.wsgi:app", service_env("links"))
    stats_down = f"http://127.0.0.1:{free_port()}"
    web = start("web", "web.wsgi:app", web_env(service_env, links.url, stats_down))
    code = shorten(web.url, "https://no-stats.example").headers["Location"].rsplit("/", 1)[1]
    home = requests.get(f"{web.url}/", timeout=5)
    assert home.status_code == 200 and f">{code}</a>" in home.text and "Click counts are unavailable" in home.text
    page = requests.get(f"{web.url}/links/{code}", timeout=5)
    assert page.status_code == 503 and "text/html" in page.headers["Content-Type"]
    assert "<code>stats-api</code>" in page.text and "Traceback" not in page.text


def test_with_links_down_every_page_is_503_naming_links(start, service_env, stats_double):
    links = start("links", "links.wsgi:app", service_env("links"))
    # RECENT_CACHE_S=0: what web shows once links is down, not its copy's last second.
    web = start("web", "web.wsgi:app", {**web_env(service_env, links.url, stats_double.url), "RECENT_CACHE_S": "0"})
    assert requests.get(f"{web.url}/", timeout=5).status_code == 200
    links.stop()
    home = requests.get(f"{web.url}/", timeout=10)
    assert home.status_code == 503 and "<code>links</code>" in home.text
    assert requests.get(f"{web.url}/readyz", timeout=5).status_code == 200, "web stays in rotation to say so"
    web.stop()
    logged = [e for e in web.log_entries() if e["logger"] == "snipkit.errors"]  # every line is JSON
    assert [(e["path"], e["status"], e["request_id"]) for e in logged] == [("/", 503, home.headers["X-Request-ID"])]
