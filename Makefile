# Every target runs through uv from the locked workspace (uv.lock).
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

# The uv this project pins (pyproject.toml, [tool.uv] required-version): the one on PATH
# when it is that version, else a private copy in .tools/uv, installed with the system
# Python's venv and pip, so an "externally managed" (PEP 668) Python is never touched.
UV_VERSION := $(shell sed -n 's/^required-version = "==\(.*\)"/\1/p' pyproject.toml)
UV_PRIVATE := .tools/uv/bin/uv
UV := $(shell found=$$(command -v uv 2>/dev/null) && [ "$$($$found --version 2>/dev/null | cut -d' ' -f2)" = "$(UV_VERSION)" ] && echo $$found || echo $(UV_PRIVATE))
# A virtualenv the user activated is not the project's: uv would warn on every call.
unexport VIRTUAL_ENV
# Workspace members: every folder with a pyproject.toml under libs/, services/ and tools/, and platform/.
MEMBERS := $(patsubst %/pyproject.toml,%,$(wildcard libs/*/pyproject.toml services/*/pyproject.toml tools/*/pyproject.toml platform/pyproject.toml))
SERVICE ?=
STACK ?= dev
PORT ?= 8000
API_URL ?= http://127.0.0.1:$(PORT)
RUNS ?= 10
INVOCATIONS ?= 3000

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  make test SERVICE=<name>   one workspace member synced and tested alone"

.PHONY: uv
uv: $(UV) ## Install the pinned uv into .tools/uv unless the uv on PATH is that version

$(UV_PRIVATE):
	@echo "installing uv $(UV_VERSION) into .tools/uv (python3 -m venv; the system Python is left alone)"
	@python3 -m venv .tools/uv || { echo "python3 -m venv failed: install your Python's venv module (Debian/Ubuntu: apt install python3-venv), or put uv $(UV_VERSION) on PATH" >&2; exit 1; }
	@.tools/uv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.PHONY: setup
setup: uv ## Install uv if needed, then sync the locked workspace into .venv
	$(UV) sync --locked --all-packages

.PHONY: dev
dev: setup ## Run the whole system locally for STACK (dev) on http://127.0.0.1:PORT (8000); VERBOSE=1, DEBUG=1
	$(UV) run --no-sync python -m local_runtime --stack $(STACK) --port $(PORT) \
		$(if $(filter 1,$(VERBOSE)),--verbose) $(if $(filter 1,$(DEBUG)),--debug)

.PHONY: smoke
smoke: setup ## Run the contract's flows against API_URL, signing in with STACK's test destinations
	$(UV) run --no-sync python -m local_runtime.smoke --api-url $(API_URL) --stack $(STACK)

.PHONY: preflight
preflight: setup ## Check, read-only, whether the AWS account can take STACK before its first up (your AWS credentials; AWS_ENDPOINT_URL honoured)
	$(UV) run --no-sync python -m infra.operations.preflight --stack $(STACK)

.PHONY: secrets
secrets: setup ## Create STACK's missing SSM SecureString secrets (random values; none overwritten or printed)
	$(UV) run --no-sync python -m infra.operations.secret_parameters --stack $(STACK)

.PHONY: rollback
rollback: setup ## Point STACK's `live` aliases back at each function's previous version (your AWS credentials)
	$(UV) run --no-sync python -m infra.operations.rollback --stack $(STACK)
.PHONY: client-secret
client-secret: setup ## After `pulumi up`: STACK's app client gets its secret from SSM, the generated one deleted (never printed)
	$(UV) run --no-sync python -m infra.operations.client_secret --stack $(STACK)

.PHONY: snapshot
snapshot: setup ## Regenerate platform/snapshots/<stack>.yaml (the program under Pulumi mocks)
	$(UV) run --no-sync python -m infra.offline.snapshot

.PHONY: openapi
openapi: setup ## Regenerate docs/openapi.json, the whole HTTP API (each service's app, merged)
	$(UV) run --no-sync python -m local_runtime.openapi

.PHONY: docs
docs: openapi ## Regenerate the references: docs/openapi.json, and docs/config.md from StackConfig
	$(UV) run --no-sync python -m infra.offline.config_docs

.PHONY: bench
bench: setup ## Measure what ships (sizes, cold and warm starts against baselines, make dev), the local API under load, /auth/start's timing; write docs/performance.md
	$(UV) run --no-sync python -m local_runtime.bench.performance --stack $(STACK) --runs $(RUNS) \
		--invocations $(INVOCATIONS)

.PHONY: lint
lint: setup ## Lint with ruff, and check formatting
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

.PHONY: fmt
fmt: setup ## Format and auto-fix with ruff
	$(UV) run --no-sync ruff format .
	$(UV) run --no-sync ruff check --fix .

.PHONY: typecheck
typecheck: setup ## Type-check every member (sources and tests) with mypy
	@status=0; for member in $(MEMBERS); do \
		echo "mypy $$member"; \
		$(UV) run --no-sync mypy $$member || status=1; \
	done; exit $$status

.PHONY: lock
lock: uv ## Lock the workspace (uv.lock) with the pinned uv, after a dependency changed
	$(UV) lock

.PHONY: test
ifeq ($(SERVICE),)
test: uv ## Lint, format check, type check, then every member's tests, each alone; a summary at the end
	@MAKE="$(MAKE)" .ci/test-all $(notdir $(MEMBERS))
else
MEMBER_DIR := $(patsubst %/pyproject.toml,%,$(firstword $(wildcard services/$(SERVICE)/pyproject.toml libs/$(SERVICE)/pyproject.toml tools/$(SERVICE)/pyproject.toml $(SERVICE)/pyproject.toml)))
test: uv
	@test -n "$(MEMBER_DIR)" || { echo "no workspace member named '$(SERVICE)'" >&2; exit 2; }
	@echo "== $(SERVICE): synced alone into .venvs/$(SERVICE)"
	UV_PROJECT_ENVIRONMENT=.venvs/$(SERVICE) $(UV) sync --locked --quiet --package $(SERVICE)
	# --rootdir: test modules get names under the member (`tests.…`), never `platform.…`,
	# which would shadow the standard library module of that name.
	UV_PROJECT_ENVIRONMENT=.venvs/$(SERVICE) $(UV) run --no-sync --package $(SERVICE) \
		pytest --rootdir=$(MEMBER_DIR) $(MEMBER_DIR)
endif

.PHONY: members
members: ## Print the workspace members' names, one a line (CI builds its test matrix from it)
	@for member in $(MEMBERS); do basename $$member; done

.PHONY: stacks
stacks: ## Print the stack names, one a line, from the Pulumi.<stack>.yaml files
	@for file in Pulumi.*.yaml; do [ -e "$$file" ] || continue; file=$${file#Pulumi.}; echo $${file%.yaml}; done

.PHONY: clean
clean: ## Remove virtualenvs and caches
	rm -rf .venv .venvs .tools .mypy_cache .ruff_cache .pytest_cache
