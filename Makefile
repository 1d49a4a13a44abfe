# The commands the README names. Logic lives in scripts/; this file is only an index.
.DEFAULT_GOAL := help
VENV := .venv/.installed

$(VENV): requirements/lock.txt requirements/dev.in services/*/pyproject.toml scripts/snipdev/pyproject.toml tests/support/pyproject.toml bench/pyproject.toml
	@scripts/bootstrap.sh

.PHONY: help dev test lint fmt render scan services images release-manifests chart image-test smoke db-upgrade purge seed backup restore scenario-dry-runs bench load cluster cluster-down e2e

help: ## list the commands
	@awk -F ':.*## ' '/^[a-z][a-z0-9-]*:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

dev: $(VENV) ## run the whole suite locally, reloading edited code (settings: docs/local.md)
	@.venv/bin/python -m snipdev.dev

test: $(VENV) ## run every test against real PostgreSQL and Redis
	@.venv/bin/pytest

lint: $(VENV) ## ruff, hadolint, shellcheck and actionlint
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/hadolint Dockerfile .ci/base-image/Containerfile scripts/cluster/images/*/Containerfile
	@.venv/bin/shellcheck .ci/run $$(git ls-files '*.sh')
	@.venv/bin/actionlint -shellcheck .venv/bin/shellcheck .github/workflows/*.yml

services: ## list the services that get an image (every services/*/pyproject.toml but snipkit)
	@scripts/services.sh

images: ## build every image (Docker if an engine answers, else podman); REGISTRY, TAG, PUSH=1, PLATFORMS
	@scripts/images.sh

release-manifests: ## the prod overlay with images pinned by digest: VERSION=v1.2.3 REGISTRY=ghcr.io/you/snip
	@scripts/release-manifests.sh

chart: $(VENV) ## the released prod overlay as a Helm chart, generated from its render: VERSION=v1.2.3 REGISTRY=ghcr.io/you/snip
	@scripts/chart.sh

cluster: ## a one-node Kubernetes on this Linux machine, built from the official Go modules, no Docker (root)
	@scripts/cluster/up.sh

cluster-down: ## stop make cluster's cluster and remove what it made (safe to run twice)
	@scripts/cluster/down.sh

e2e: $(VENV) ## the suite deployed and tested on KUBECONFIG's cluster, else make cluster's
	@SNIP_E2E=1 .venv/bin/pytest tests/e2e

image-test: $(VENV) ## build every image with podman and run each read-only as in Kubernetes, with real requests
	@scripts/image-test.sh

smoke: $(VENV) ## one link through make dev, or a deployment: BASE_URL, or LINKS_URL, REDIRECT_URL, STATS_URL
	@.venv/bin/python -m snipdev.smoke

fmt: $(VENV) ## apply ruff's fixes and formatting
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

bench: $(VENV) ## measure every service against its ceilings, and at scale (SCALE=1k,100k,1M, BASELINE=rev; about 15 minutes)
	@scripts/bench.sh

load: $(VENV) ## Locust against make dev (LOAD_SHAPE=steady|spike, LOAD_USERS=20, LOAD_MINUTES=5)
	@scripts/load.sh

render: ## render every Kubernetes overlay into build/k8s/
	@scripts/render.sh

scan: ## scan the rendered prod overlay with checkov (offline)
	@scripts/scan.sh

# Admin processes against make dev's database and Redis (start make dev first); on a
# cluster the same commands run as Jobs and CronJobs (docs/admin.md).
db-upgrade: $(VENV) ## apply every schema owner's migrations (make dev does it when it starts)
	@.venv/bin/python -m snipdev.admin db-upgrade

purge: $(VENV) ## delete expired links, old idempotency keys and click rows past retention
	@.venv/bin/python -m snipdev.admin purge

seed: $(VENV) ## load the workshop's demo links and click history (idempotent)
	@.venv/bin/python -m snipdev.admin seed

backup: $(VENV) ## pg_dump the database into .local/backups, keeping the newest 7
	@.venv/bin/python -m snipdev.admin backup

restore: $(VENV) ## replace the database's contents with a dump: make restore FILE=snip-<time>.dump
	@.venv/bin/python -m snipdev.admin restore "$(FILE)"

scenario-dry-runs: ## print every command of the workshop scenarios (scripts/scenarios/) without a cluster
	@scripts/scenario-dry-runs.sh
