"""The external-database component on a real cluster: the dev overlay attached to a
PostgreSQL outside the cluster (e2ekit.external_db) by its Secrets and the `postgres`
Service alone, every connection over TLS with the server's name verified."""

from __future__ import annotations

import base64

import pytest

from e2ekit import deploy, external_db
from e2ekit.kube import KubectlError

ROLLOUT_S = 420
CLICKS = 5
#: Where a role's Secret, mounted whole, puts the CA the URL names.
CA_FILE = "/var/run/secrets/snip/database/ca.crt"
ROLE_SECRETS = ("links-db", "redirect-db", "stats-db")


@pytest.fixture(scope="module")
def server(external_postgres):
    return external_postgres


def secret_named(deployed: deploy.Deployed, name: str) -> dict:
    """The overlay's Secret ``name`` (dev generates them with a hash suffix)."""
    return next(
        o for o in deployed.objects if o["kind"] == "Secret" and o["metadata"]["name"].rsplit("-", 1)[0] == name
    )


def attach(deployed: deploy.Deployed, server: external_db.ExternalPostgres) -> None:
    """What the component's README has a user's overlay do: the EndpointSlice names the
    database's address; each role's Secret its URL, with verify-full and the CA beside it;
    the `postgres` Secret the admin password and the CA."""
    endpoints = deployed.named("EndpointSlice", "postgres-external")
    endpoints["endpoints"] = [{"addresses": [server.address]}]
    endpoints["ports"][0]["port"] = server.port
    for name in ROLE_SECRETS:
        secret = secret_named(deployed, name)
        url = base64.b64decode(secret["data"]["url"]).decode()
        secret["stringData"] = {"url": f"{url}?sslmode=verify-full&sslrootcert={CA_FILE}", "ca.crt": server.ca}
    secret_named(deployed, "postgres")["stringData"] = {"password": server.password, "ca.crt": server.ca}


@pytest.fixture(scope="module")
def attached(kube, deployer, images, run_id, server):
    deployed = deploy.render("dev", run_id, images, components=("external-database",))
    attach(deployed, server)
    deployer(deployed)
    kube.wait_for("the suite on the external database", lambda: deploy.progress(kube, deployed.namespace), ROLLOUT_S)
    return deployed


def test_the_suite_runs_on_the_external_database_alone(kube, attached, server, client_in):
    statefulsets = {s["metadata"]["name"] for s in kube.get("statefulsets", attached.namespace)}
    assert statefulsets == {"redis"}, f"the in-cluster PostgreSQL is still deployed: {statefulsets}"
    result = client_in(attached.namespace).click_path(CLICKS)
    # The link and its clicks are in the external server: nothing else holds them.
    assert server.rows(f"SELECT count(*) FROM links.links WHERE code = '{result['code']}'") == [(1,)]


def test_every_connection_is_tls(attached, server):
    sessions = server.role_sessions()
    assert {user for user, _ in sessions} == {"links", "redirect", "stats"}, sessions
    assert all(ssl for _, ssl in sessions), f"connections without TLS: {sessions}"


@pytest.mark.parametrize(
    ("query", "refusal"),
    [
        # The certificate names `postgres`: verify-full refuses the right server by another name.
        (f"sslmode=verify-full&sslrootcert={CA_FILE}", "does not match host name"),
        # And the server refuses a client without TLS.
        ("sslmode=disable", "no encryption"),
    ],
)
def test_a_connection_is_refused_without_verified_tls(kube, attached, server, query, refusal):
    url = f"postgresql://links:dev-links@{server.address}:{server.port}/snip?{query}"
    command = ["env", "-u", "DATABASE_URL", "DATABASE_URL_FILE=/dev/stdin", "links", "db", "upgrade"]
    with pytest.raises(KubectlError) as refused:
        kube.run("-n", attached.namespace, "exec", "-i", "deployment/links", "-c", "links", "--", *command, input=url)
    assert refusal in refused.value.stdout, refused.value.stdout
