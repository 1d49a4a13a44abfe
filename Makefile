# The commands the README names. Logic lives in scripts/; this file is only an index.
.DEFAULT_GOAL := help
VENV := .venv/.installed

$(VENV): requirements/lock.txt requirements/dev.in services/*/pyproject.toml scripts/snipdev/pyproject.toml
	@scripts/bootstrap.sh

.PHONY: help dev test lint fmt render scan bench load

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

dev: $(VENV) ## run the whole suite locally (embedded PostgreSQL and Redis unless DATABASE_URL/REDIS_URL are set)
	@.venv/bin/python -m snipdev.dev

test: $(VENV) ## run every test against real PostgreSQL and Redis
	@.venv/bin/pytest

lint: $(VENV) ## ruff lint and format check
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

fmt: $(VENV) ## apply ruff's fixes and formatting
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

bench: $(VENV) ## measure every service against the stack's own ceiling (about 7 minutes; writes bench/ and docs/performance.md)
	@scripts/bench.sh

load: $(VENV) ## Locust against make dev's ports (LOAD_SHAPE=steady|spike, LOAD_MINUTES=5)
	@scripts/load.sh

render: ## render every Kubernetes overlay into build/k8s/
	@scripts/render.sh

scan: ## scan the rendered prod overlay with checkov (offline)
	@scripts/scan.sh
