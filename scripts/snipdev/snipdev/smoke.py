"""The smoke test: one short link's whole life through the running suite.

Create a link with links, follow it through redirect, and wait until stats reports the
click (redirect -> Redis stream -> stats-worker -> PostgreSQL -> stats-api). The image
test runs it against containers; ``make smoke`` runs it against a deployment, or with
no URL given, against ``make dev`` (found through the local settings):

    make smoke                                    # make dev's ports
    make smoke BASE_URL=http://snip.localhost     # one Ingress routes every path
    make smoke LINKS_URL=http://127.0.0.1:8001 REDIRECT_URL=... STATS_URL=...
"""

from __future__ import annotations

import os
import secrets
import sys
import time

import requests

from snipkit.config import ConfigError

from . import settings

TIMEOUT_S = 5


def create_link(links_url: str) -> dict:
    """POST a new link to links; return its JSON body."""
    target = f"https://example.com/smoke/{secrets.token_hex(4)}"
    response = requests.post(f"{links_url}/api/links", json={"url": target}, timeout=TIMEOUT_S)
    if response.status_code != 201:
        raise AssertionError(f"POST /api/links: expected 201, got {response.status_code}: {response.text[:200]}")
    link = response.json()
    if link.get("url") != target or not link.get("code"):
        raise AssertionError(f"POST /api/links returned an unexpected body: {link}")
    return link


def follow(redirect_url: str, link: dict) -> None:
    """GET /r/{code} from redirect: a 302 to the link's URL."""
    response = requests.get(f"{redirect_url}/r/{link['code']}", allow_redirects=False, timeout=TIMEOUT_S)
    if response.status_code != 302 or response.headers.get("Location") != link["url"]:
        raise AssertionError(
            f"GET /r/{link['code']}: expected 302 to {link['url']}, "
            f"got {response.status_code} to {response.headers.get('Location')}"
        )


def wait_counted(stats_url: str, code: str, clicks: int, timeout_s: float = 20) -> float:
    """Poll stats-api until ``code`` has ``clicks`` clicks; return the seconds it took."""
    started = time.monotonic()
    total = None
    while time.monotonic() - started < timeout_s:
        response = requests.get(f"{stats_url}/api/stats/{code}", timeout=TIMEOUT_S)
        if response.status_code == 200:
            total = response.json().get("total")
            if total == clicks:
                return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"GET /api/stats/{code}: expected total {clicks} within {timeout_s:.0f} s, last saw {total}")


def run(links_url: str, redirect_url: str | None = None, stats_url: str | None = None) -> list[str]:
    """Run every step whose services are given; return a line per step passed."""
    done = []
    link = create_link(links_url)
    done.append(f"links created {link['code']}")
    if redirect_url:
        follow(redirect_url, link)
        done.append(f"redirect sent /r/{link['code']} to {link['url']}")
        if stats_url:
            seconds = wait_counted(stats_url, link["code"], 1)
            done.append(f"stats counted the click after {seconds:.1f} s")
    return done


def main() -> int:
    """URLs from the environment: BASE_URL (an Ingress routing every path), or
    LINKS_URL, REDIRECT_URL and STATS_URL, each falling back to BASE_URL; with none of
    them set, make dev's, from the local settings."""
    names = ("LINKS_URL", "REDIRECT_URL", "STATS_URL")
    environ = dict(os.environ)
    if not any(environ.get(name) for name in ("BASE_URL", *names)):
        try:
            environ |= settings.load().client_urls()
        except ConfigError as exc:
            print(f"smoke: {exc}", file=sys.stderr)
            return 2
        if not settings.answering(environ["LINKS_URL"]):
            print(f"smoke: nothing answers at {environ['LINKS_URL']}: start `make dev` first", file=sys.stderr)
            return 1
    base = environ.get("BASE_URL", "")
    urls = [environ.get(name, base).rstrip("/") or None for name in names]
    if not urls[0]:
        print("smoke: set BASE_URL, or LINKS_URL (with REDIRECT_URL and STATS_URL)", file=sys.stderr)
        return 2
    try:
        for step in run(*urls):
            print(f"smoke: {step}")
    except (AssertionError, requests.RequestException) as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
