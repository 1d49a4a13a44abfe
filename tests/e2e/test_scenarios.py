"""The runtime patterns on the cluster, each by its workshop script (scripts/scenarios/,
run unmodified), under a steady load from a pod in the namespace that counts every
request: rollouts, self-healing, scaling, the stats worker replaced, a database swap,
admin processes, and the logs. The dev overlay with the loadgenerator component, as the
scripts expect. The figures each test prints are those docs/patterns.md publishes."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from e2ekit import deploy, scenarios
from e2ekit.incluster import Client
from e2ekit.load import Load

ROLLOUT_S = 420
#: Requests a second of the measuring load: steady, and small beside what the
#: loadgenerator sends, so that it measures the scenario rather than the machine.
RATE = 10
#: Links the measuring load follows.
CODES = 12


@pytest.fixture(scope="module")
def suite(kube, deployer, images, run_id):
    deployed = deployer(deploy.render("dev", f"{run_id}-s", images, components=("loadgenerator",)))
    kube.wait_for("the dev overlay rolled out", lambda: deploy.progress(kube, deployed.namespace), ROLLOUT_S)
    return deployed


@pytest.fixture(scope="module")
def client(kube, suite, images):
    client = Client(kube, suite.namespace, images["links"])
    yield client
    client.close()


@pytest.fixture(scope="module")
def codes(client):
    return client.run("api", "create", str(CODES))


def report(name: str, **figures) -> None:
    """The figures of a scenario, one line each run (docs/patterns.md has the latest)."""
    print(f"\ne2e figures {name}: {json.dumps(figures)}")


def wait_counted(kube, client, before: dict, redirected: dict) -> float:
    """Seconds until stats-api reports exactly ``before`` plus the 302s of ``redirected``."""
    expected = {code: before.get(code, 0) + n for code, n in redirected.items()}
    started = time.monotonic()
    kube.wait_for(
        "every redirect counted exactly once",
        lambda: ((seen := client.run("api", "totals", *expected)) == expected, f"{seen} != {expected}"),
        120,
        interval_s=3,
    )
    return time.monotonic() - started


def psql(kube, namespace: str, server: str, sql: str) -> str:
    return kube.run(
        "-n",
        namespace,
        "exec",
        f"statefulset/{server}",
        "-c",
        "postgres",
        "--",
        "psql",
        "-U",
        "postgres",
        "-d",
        "snip",
        "-tAc",
        sql,
    ).strip()


def explain(kube, namespace: str, run: scenarios.Run, load: Load) -> str:
    """Failed requests, each with the script's step it fell in, and the pods' restarts."""
    lines = [f"{f['request']} ({f['reason']}) in: {run.during(f['at'])}" for f in load.result["failures"]]
    for pod in kube.get("pods", namespace):
        for status in pod["status"].get("containerStatuses", []):
            if status["restartCount"]:
                last = status.get("lastState", {}).get("terminated", {})
                lines.append(f"{pod['metadata']['name']}/{status['name']} restarted {status['restartCount']}x: {last}")
    return "\n".join(lines)


def ready_since(pod: dict) -> datetime:
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    return datetime.fromisoformat(ready["lastTransitionTime"])


def test_a_fresh_namespace_comes_up_in_order(kube, suite):
    """Each service's pods turned ready only after its schema's migration Job completed."""
    done = {
        j["metadata"]["name"]: datetime.fromisoformat(j["status"]["completionTime"])
        for j in kube.get("jobs", suite.namespace)
        if j["metadata"]["name"].endswith("-db-upgrade")
    }
    for app, job in {"links": "links", "redirect": "redirect", "stats-api": "stats", "stats-worker": "stats"}.items():
        for pod in kube.get("pods", suite.namespace, selector=f"app={app}"):
            assert ready_since(pod) >= done[f"{job}-db-upgrade"], (app, ready_since(pod), done)


def test_admin_processes_run_in_the_releases_image(kube, suite):
    ns = suite.namespace
    psql(
        kube,
        ns,
        "postgres",
        "INSERT INTO links.links (code, url, created_at, expires_at) VALUES"
        " ('e2e-expired', 'https://example.org/gone', now() - interval '2 days', now() - interval '1 day'),"
        " ('e2e-live', 'https://example.org/stays', now(), now() + interval '1 day')",
    )
    run = scenarios.run(kube, "admin-process.sh", ns)

    left = psql(
        kube,
        ns,
        "postgres",
        "SELECT string_agg(code, ',' ORDER BY code) FROM links.links WHERE code IN ('e2e-expired', 'e2e-live')",
    )
    assert left == "e2e-live", "the purge must delete the expired link and only it"
    assert "schema up to date" in run.text, "the toolbox's `links db upgrade` finds nothing to do"
    report("admin", purge_deleted=["e2e-expired"], toolbox="links db upgrade")


def test_a_rolling_update_and_its_undo_fail_no_request(kube, suite, client, codes, images, rebuilt_images):
    ns = suite.namespace
    before = client.run("api", "totals", *codes)
    with Load(client, {"codes": codes, "requests": ["redirect", "links_read"]}, RATE) as load:
        run = scenarios.run(kube, "rolling-update.sh", ns, rebuilt_images["redirect"])

    assert load.result["failed"] == 0, load.result["failures"]
    sets = kube.get("replicasets", ns, selector="app=redirect")
    by_image = {r["spec"]["template"]["spec"]["containers"][0]["image"]: r for r in sets}
    assert {images["redirect"], rebuilt_images["redirect"]} <= set(by_image), "both revisions are kept"
    active = [r for r in sets if r["spec"].get("replicas", 0) > 0]
    assert [r["spec"]["template"]["spec"]["containers"][0]["image"] for r in active] == [images["redirect"]]
    seconds = wait_counted(kube, client, before, load.result["redirected"])
    report(
        "rolling-update",
        requests=load.result["requests"],
        failed=load.result["failed"],
        seconds=round(run.lines[-1][0] - run.lines[0][0]),
        counted_after_s=round(seconds, 1),
    )


def test_without_the_prestop_pause_a_rollout_fails_requests(kube, suite, client, codes):
    """The counter-proof, shown once: the same kind of rollout with redirect's preStop
    pause removed. SIGTERM then closes gunicorn's socket while the Service still routes
    new connections to the pod, and those fail: the pause is what makes it 0 above."""
    ns = suite.namespace
    containers = kube.get("deployments", ns, "redirect")[0]["spec"]["template"]["spec"]["containers"]
    assert containers[0]["name"] == "redirect"
    lifecycle = containers[0]["lifecycle"]

    def patch(operation: dict) -> None:
        kube.run("-n", ns, "patch", "deployment/redirect", "--type=json", "-p", json.dumps([operation]))
        kube.run("-n", ns, "rollout", "status", "deployment/redirect", "--timeout=300s", timeout=320)

    patch({"op": "remove", "path": "/spec/template/spec/containers/0/lifecycle"})
    try:
        # A faster load than the others, so the second or so of stale routing is sure to be hit.
        with Load(client, {"codes": codes, "requests": ["redirect"]}, RATE * 5) as load:
            time.sleep(3)
            kube.run("-n", ns, "rollout", "restart", "deployment/redirect")
            kube.run("-n", ns, "rollout", "status", "deployment/redirect", "--timeout=300s", timeout=320)
            time.sleep(3)
    finally:
        patch({"op": "add", "path": "/spec/template/spec/containers/0/lifecycle", "value": lifecycle})
    assert load.result["failed"] > 0, "with no pause before SIGTERM, requests routed to the stopping pod fail"
    report("rollout-without-prestop", requests=load.result["requests"], failed=load.result["failed"])


def test_self_healing_under_load(kube, suite, client, codes):
    ns = suite.namespace
    restarts = {
        p["metadata"]["name"]: p["status"]["containerStatuses"][0]["restartCount"]
        for p in kube.get("pods", ns, selector="app=links")
    }
    with Load(client, {"codes": codes, "requests": ["redirect", "links_read"]}, RATE) as load:
        run = scenarios.run(kube, "self-heal.sh", ns)

    deleted = load.failures_between(run.step(1), run.step(2))
    assert deleted == [], "a deleted pod must leave the Service before it stops serving"
    worker = load.failures_between(run.step(2), run.step(3))
    assert worker == [], "a worker's death costs its in-flight requests only, and there are none between requests"
    killed = load.failures_between(run.step(3), run.lines[-1][0])
    restarted = [
        p
        for p in kube.get("pods", ns, selector="app=links")
        if p["status"]["containerStatuses"][0]["restartCount"] > restarts.get(p["metadata"]["name"], 0)
    ]
    assert restarted, "the kubelet restarts a container whose main process died"
    report(
        "self-heal",
        requests=load.result["requests"],
        failed_pod_deleted=len(deleted),
        failed_worker_killed=len(worker),
        failed_main_process_killed=len(killed),
    )


def test_scaling_by_hand_and_by_the_autoscaler(kube, suite, client, codes):
    ns = suite.namespace
    with Load(client, {"codes": codes, "requests": ["redirect", "links_read"]}, RATE) as load:
        run = scenarios.run(kube, "scale-out.sh", ns)
    assert load.result["failed"] == 0, explain(kube, ns, run, load)

    scaled_out_s = run.step(3) - run.step(2)
    stopped = time.monotonic()
    kube.wait_for(
        "the autoscaler scaling redirect back in",
        lambda: ((h := kube.get("hpa", ns, "redirect")[0]["status"]).get("currentReplicas") == 1, str(h)),
        600,
        interval_s=5,
    )
    report(
        "scale-out",
        requests=load.result["requests"],
        failed=load.result["failed"],
        hpa_out_s=round(scaled_out_s),
        hpa_in_s=round(time.monotonic() - stopped),
    )


def test_clicks_survive_the_stats_worker(kube, suite, client, codes):
    ns = suite.namespace
    before = client.run("api", "totals", *codes)
    with Load(client, {"codes": codes, "requests": ["redirect"]}, RATE) as load:
        time.sleep(10)
        kube.run("-n", ns, "delete", "pod", "-l", "app=stats-worker", "--wait=false")
        kube.run("-n", ns, "rollout", "status", "deployment/stats-worker", "--timeout=180s", timeout=200)
        time.sleep(10)
    assert load.result["failed"] == 0, load.result["failures"]
    seconds = wait_counted(kube, client, before, load.result["redirected"])
    report(
        "stats-worker-replaced", redirects=sum(load.result["redirected"].values()), counted_after_s=round(seconds, 1)
    )


def test_every_log_line_is_one_json_object(kube, suite):
    lines = 0
    for app in ("web", "links", "redirect", "stats-api", "stats-worker"):
        for pod in kube.get("pods", suite.namespace, selector=f"app={app}"):
            # Containers that have started (one the autoscaler just added may still be initializing).
            for container in pod["status"].get("containerStatuses", []):
                if "waiting" in container.get("state", {}):
                    continue
                log = kube.run("-n", suite.namespace, "logs", pod["metadata"]["name"], "-c", container["name"])
                for line in log.splitlines():
                    record = json.loads(line)
                    assert "request_id" in record and record["message"], (app, line)
                    lines += 1
    assert lines
    report("logs", lines=lines)


def swap_under_load(kube, client, namespace: str, *args: str) -> tuple[dict, scenarios.Run, list[str], str]:
    """swap-database.sh with ``args``, under the measuring load of cached redirects and
    creates: the load's result, the script's run, the links created after the swap, and
    a query counting them in a server."""
    cached = client.run("api", "create", str(CODES))
    with Load(client, {"codes": cached, "requests": ["redirect"]}, RATE) as warm:
        time.sleep(2)
    assert warm.result["failed"] == 0
    with Load(client, {"codes": cached, "requests": ["redirect", "create"]}, RATE) as load:
        run = scenarios.run(kube, "swap-database.sh", namespace, *args)
        swapped = run.lines[-1][0]
        time.sleep(10)
    assert load.result["failed"] == 0, load.result["failures"]
    after = [c["code"] for c in load.result["created"] if c["at"] > swapped]
    assert after, "links were created after the swap"
    listed = ",".join(f"'{code}'" for code in after)
    return load.result, run, after, f"SELECT count(*) FROM links.links WHERE code IN ({listed})"


def report_swap(name: str, result: dict, run: scenarios.Run, after: list[str]) -> None:
    seconds = round(run.lines[-1][0] - run.lines[0][0])
    report(name, requests=result["requests"], failed=result["failed"], seconds=seconds, created_after=len(after))


def test_the_database_swap_fails_no_request(kube, suite, client):
    """Last but one: the suite moves to an empty PostgreSQL. The measuring load is what such a move
    can serve throughout: new links created, and links redirect has cached (the old links
    are not in the new database; the script says so)."""
    ns = suite.namespace
    result, run, after, query = swap_under_load(kube, client, ns)
    assert psql(kube, ns, "postgres-next", query) == str(len(after)), "every write after the swap is in the new server"
    assert psql(kube, ns, "postgres", query) == "0", "and none in the old one"
    report_swap("swap-database", result, run, after)


def test_the_swap_to_an_external_database_fails_no_request(kube, suite, client, external_postgres):
    """Last: from the in-cluster postgres-next to a PostgreSQL outside the cluster, TLS
    only, by the same script given its address, CA and admin password."""
    ns, server = suite.namespace, external_postgres
    target = (f"{server.address}:{server.port}", str(server.ca_file), str(server.password_file()))
    result, run, after, query = swap_under_load(kube, client, ns, *target)
    assert server.rows(query) == [(len(after),)], "every write after the swap is in the external server"
    assert psql(kube, ns, "postgres-next", query) == "0", "and none in the old one"
    sessions = server.role_sessions()
    assert {user for user, _ in sessions} == {"links", "redirect", "stats"}, sessions
    assert all(ssl for _, ssl in sessions), f"connections without TLS: {sessions}"
    report_swap("swap-database-external", result, run, after)
