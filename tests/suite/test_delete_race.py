"""Create, delete and follow links all at once against real links and redirect processes:
once a DELETE has answered, no request that starts afterwards is redirected by that
link, and the code created again serves its new URL, never the old one."""

from __future__ import annotations

import random
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

TRIALS = 150
AT_ONCE = 6
FOLLOWERS = 3
TIMEOUT = 10


def trial(links_url: str, redirect_url: str, rng: random.Random) -> tuple[int, int, set]:
    """One link created, followed by several clients, deleted mid-way and created again:
    (redirects started after the DELETE answered, how many of them were a 302, where the
    code created again redirected to: its new URL, its old one, or None for a 404)."""
    code = f"race-{secrets.token_hex(6)}"
    old, new = f"https://old.example/{code}", f"https://new.example/{code}"
    assert requests.post(f"{links_url}/api/links", json={"url": old, "code": code}, timeout=TIMEOUT).status_code == 201
    deleted_at: list[float] = []
    after: list[int] = []
    stop = threading.Event()

    def follow():
        with requests.Session() as session:
            while not stop.is_set():
                started = time.monotonic()
                status = session.get(f"{redirect_url}/r/{code}", allow_redirects=False, timeout=TIMEOUT).status_code
                if deleted_at and started > deleted_at[0]:
                    after.append(status)

    followers = [threading.Thread(target=follow) for _ in range(FOLLOWERS)]
    for follower in followers:
        follower.start()
    time.sleep(rng.uniform(0, 0.015))
    assert requests.delete(f"{links_url}/api/links/{code}", timeout=TIMEOUT).status_code == 204
    deleted_at.append(time.monotonic())
    time.sleep(0.03)
    stop.set()
    for follower in followers:
        follower.join(TIMEOUT)
    assert requests.post(f"{links_url}/api/links", json={"url": new, "code": code}, timeout=TIMEOUT).status_code == 201
    locations = {
        requests.get(f"{redirect_url}/r/{code}", allow_redirects=False, timeout=TIMEOUT).headers.get("Location")
        for _ in range(3)
    }
    return len(after), after.count(302), {{new: "new", old: "old"}.get(location) for location in locations}


def test_no_redirect_after_a_delete_and_no_old_url_after_a_new_link(start, service_env, figure):
    links = start("links", "links.wsgi:app", service_env("links"))
    redirect = start("redirect", "redirect.wsgi:app", service_env("redirect"))
    rngs = [random.Random(seed) for seed in range(TRIALS)]
    with ThreadPoolExecutor(AT_ONCE) as pool:
        results = list(pool.map(lambda rng: trial(links.url, redirect.url, rng), rngs))
    followed = sum(n for n, _, _ in results)
    stale = sum(1 for _, redirected, _ in results if redirected)
    old_url = sum(1 for _, _, served in results if "old" in served)
    not_new = sum(1 for _, _, served in results if served != {"new"})
    figure(
        "delete race (links + redirect under gunicorn)",
        f"{TRIALS} trials, {followed} redirects started after a DELETE answered: {stale} trials redirected"
        f" after the DELETE; created again, {old_url} served the old URL, {not_new} not (only) the new one",
    )
    assert (stale, old_url, not_new) == (0, 0, 0)
