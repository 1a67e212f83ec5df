# evotrain: `make demo` and `make test` work on a fresh machine that has only python3.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BROWSER := $(VENV)/.browser
export JAX_COMPILATION_CACHE_DIR ?= $(CURDIR)/.cache/jax
export WANDB_MODE ?= offline
export TF_CPP_MIN_LOG_LEVEL ?= 2
export NO_MKDOCS_2_WARNING ?= 1
# Each phase of the install and of `make test` says how long it took (scripts/timed.sh);
# `make test` ends with the table of them.
ifndef PHASES
PHASES := $(CURDIR)/.cache/phases-$(shell date +%s).txt
endif
export PHASES
TIMED := sh scripts/timed.sh
# The unit tests compile many small programs and run each briefly: LLVM's optimizations
# cost more there than they save (21% less time on the NEAT capacity and strategy tests,
# BENCHMARKS.md). XLA's classic emitters (6% less on the evosax-family and checkpoint
# tests) are not used: with them a NEAT generation inside lax.scan and one called alone
# differ in the last bit, which tests/strategies/test_common.py rules out. Integration
# tests, benchmarks and the zoo keep XLA's defaults.
# Unit test files share module fixtures (trained models, child runs), so each file stays on
# one worker (loadfile); integration tests share none, and one file (the zoo's) holds half
# their time, so idle workers take tests from the busy one (worksteal).
UNIT := env XLA_FLAGS="--xla_backend_optimization_level=0 $${XLA_FLAGS:-}" $(PY) -m pytest

.PHONY: demo test test-unit test-integration install bench lint docs clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# pip byte-compiles every package here on purpose: where PYTHONDONTWRITEBYTECODE is set
	# (as on the development machine) nothing else writes .pyc files, and with
	# --no-compile each test process recompiled JAX, Ray and Brax from source on import
	# (the install 1m51s -> 0m43s, the unit phase 17m35s -> 21m39s; BENCHMARKS.md).
	$(TIMED) "install" $(PY) -m pip install -q -c requirements.lock \
		-e ".[test,bench,video,ray,docs]"
	sh scripts/install_gl.sh
	touch $(STAMP)

install: $(STAMP)

$(BROWSER):
	$(TIMED) "browser install" sh scripts/install_browser.sh
	touch $(BROWSER)

demo: $(STAMP)
	$(PY) -m evotrain.cli.demo

test: $(STAMP) $(BROWSER)
	$(TIMED) "lint" $(VENV)/bin/ruff check evotrain tests tests_integration benchmarks examples
	$(TIMED) "docs" $(VENV)/bin/mkdocs build --strict --quiet
	$(TIMED) "unit tests" $(UNIT) -q -n 2 --dist loadfile --durations=15 tests
	$(TIMED) "integration tests" \
		$(PY) -m pytest -q -n 2 --dist worksteal --durations=15 -m slow tests_integration
	@echo "== phases of this make (the install only when it ran):"; cat $(PHASES); rm -f $(PHASES)

test-unit: $(STAMP) $(BROWSER)
	$(TIMED) "unit tests" $(UNIT) -q -n 2 --dist loadfile --durations=15 tests

test-integration: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist worksteal --durations=15 -m slow tests_integration

docs: $(STAMP)
	$(VENV)/bin/mkdocs build --strict

lint: $(STAMP)
	$(VENV)/bin/ruff check evotrain tests tests_integration benchmarks examples
	$(VENV)/bin/ruff format --check evotrain tests tests_integration benchmarks examples

bench: $(STAMP)
	$(PY) benchmarks/es_vs_evosax.py

clean:
	rm -rf $(VENV) .cache runs
