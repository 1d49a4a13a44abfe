"""The whole suite as real processes, through HTTP only, the way a person uses it: a link
shortened on the web page and one made through the API both redirect, and the clicks
show up on the web page once the worker has counted them."""

from __future__ import annotations

import re

import requests

from testkit.processes import wait_until

TIMEOUT = 5


def test_links_from_the_form_and_the_api_redirect_and_their_clicks_show(start, start_worker, service_env, shorten):
    links = start("links", "links.wsgi:app", service_env("links"))
    redirect = start("redirect", "redirect.wsgi:app", service_env("redirect"))
    stats = start("stats-api", "stats.wsgi:app", service_env("stats"))
    start_worker()
    web = start("web", "web.wsgi:app", service_env("web", LINKS_URL=links.url, STATS_URL=stats.url))

    created = shorten(web.url, "https://form.example/page")
    assert created.status_code == 303, "the form leads to the new link's page"
    form_code = created.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    api_code = requests.post(f"{links.url}/api/links", json={"url": "https://api.example/"}, timeout=TIMEOUT).json()[
        "code"
    ]

    for code, target, clicks in ((form_code, "https://form.example/page", 3), (api_code, "https://api.example/", 2)):
        for _ in range(clicks):
            response = requests.get(f"{redirect.url}/r/{code}", allow_redirects=False, timeout=TIMEOUT)
            assert response.status_code == 302
            assert response.headers["Location"] == target

    def shown_clicks(code: str) -> int | None:
        page = requests.get(f"{web.url}/", timeout=TIMEOUT).text
        row = re.search(rf">{re.escape(code)}</a>.*?<strong>(\d+)</strong>", page, re.S)
        return int(row.group(1)) if row else None

    wait_until(lambda: shown_clicks(form_code) == 3 and shown_clicks(api_code) == 2, 30, "clicks on the web page")
