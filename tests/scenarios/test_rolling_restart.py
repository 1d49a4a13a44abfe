"""Disposability: a rolling restart of redirect under steady redirect load fails no
request. The steps are a Deployment's, and rolling-update.sh's on a cluster: start the
new process, wait until /readyz puts it in rotation, then SIGTERM the old one, which
turns /readyz to 503, drains and exits.
"""

from __future__ import annotations

import secrets
import time

import pytest

from testkit.balancer import Balancer
from testkit.load import SteadyLoad
from testkit.rollout import rolling_restart


@pytest.fixture
def code(admin_db):
    """The code of a link redirect answers for, removed afterwards."""
    code = f"roll-{secrets.token_hex(4)}"
    with admin_db.cursor() as cur:
        cur.execute("INSERT INTO links.links (code, url) VALUES (%s, %s)", (code, "https://roll.example/"))
    yield code
    with admin_db.cursor() as cur:
        cur.execute("DELETE FROM links.links WHERE code = %s", (code,))


def test_rolling_restart_of_redirect_fails_no_request(request, start, service_env, code):
    # A second's pause after SIGTERM stands in for the pod's preStop: the balancer, like
    # kube-proxy, needs a moment to see the 503 before the listener closes.
    redirect = start("redirect", "redirect.wsgi:app", service_env("redirect", SHUTDOWN_DELAY_S="1"))

    def follow(session):
        response = session.get(f"{balancer.url()}/r/{code}", allow_redirects=False, timeout=10)
        ok = response.status_code == 302 and response.headers["Location"] == "https://roll.example/"
        return ok, str(response.status_code)

    with Balancer([redirect]) as balancer, SteadyLoad(follow) as load:
        time.sleep(1)
        rollout = rolling_restart(redirect, balancer, {})
        request.addfinalizer(rollout.new.close)
        time.sleep(1)
    print(
        f"rolling restart: {rollout.old_exited - rollout.started:.2f} s; "
        f"{len(load.outcomes)} requests, {len(load.failures())} failed"
    )

    assert rollout.old_status == 0, "the old process drains and exits cleanly"
    assert load.failures() == [], "no request may fail across the rolling restart"
    # The load spans the restart: the old process served before it, the new one after.
    assert load.succeeded_between(0, rollout.started) > 0
    assert load.succeeded_between(rollout.old_exited, time.monotonic()) > 0
    served_by_new = [e for e in rollout.new.log_entries() if e["logger"] == "access" and e["path"] == f"/r/{code}"]
    assert served_by_new, "the new process took over the traffic"
