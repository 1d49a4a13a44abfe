"""The same-work ceiling makes exactly the Redis calls redirect makes on a warm hit: its
figure is only a ceiling for redirect while that holds, whatever redirect's cache
logic becomes."""

from __future__ import annotations

import pytest
import redis
import requests

from snipbench.services import SAME_WORK_APP
from testkit.processes import wait_until

pytestmark = pytest.mark.slow


def _redis_calls(monitor_client: redis.Redis, prefix: str, url: str) -> list[tuple[str, ...]]:
    """The commands (name and the keys of this run) Redis executes while ``url`` is fetched."""
    with monitor_client.monitor() as monitor:
        response = requests.get(url, allow_redirects=False, timeout=5)
        seen = []
        try:
            while True:
                seen.append(monitor.next_command()["command"])
        except redis.TimeoutError:
            pass  # nothing more within the socket timeout: the request's calls are all in
    assert response.status_code == 302
    calls = []
    for command in seen:
        words = command.split()
        keys = tuple(word for word in words[1:] if word.startswith(prefix))
        if keys:
            calls.append((words[0].upper(), *keys))
    return calls


def _answered(url: str) -> bool:
    response = requests.get(url, allow_redirects=False, timeout=5)
    if response.status_code == 503:
        return False
    response.raise_for_status()
    return True


def test_same_work_route_makes_redirects_redis_calls(start, service_env, sandbox, admin_db):
    with admin_db.cursor() as cur:
        cur.execute("INSERT INTO links.links (code, url) VALUES ('samework1', 'https://example.com/same')")
    env = service_env("redirect", ACCESS_LOG="false")
    redirect = start("redirect", "redirect.wsgi:app", env)
    same_work = start("same-work", SAME_WORK_APP, env)
    # The first redirect caches the link; one request to each loads the script into Redis.
    # On a busy machine the first PostgreSQL connection may outlast redirect's bounded
    # wait, which answers 503 (Retry-After): that is retried, as a client would.
    for process in (redirect, same_work, redirect):
        wait_until(lambda url=f"{process.url}/r/samework1": _answered(url), timeout=30, what="a 302")

    monitor_client = redis.Redis.from_url(sandbox.redis_url, decode_responses=True, socket_timeout=0.5)
    try:
        by_redirect = _redis_calls(monitor_client, sandbox.key_prefix, f"{redirect.url}/r/samework1")
        by_same_work = _redis_calls(monitor_client, sandbox.key_prefix, f"{same_work.url}/r/samework1")
    finally:
        monitor_client.close()
    assert by_redirect, "redirect made no Redis call for a cached link"
    assert by_same_work == by_redirect
    # The call appends the click: the write the ceiling must pay for too.
    assert any(name == "XADD" for name, *_keys in by_same_work)
