# One-command set-up: every target creates .venv and installs what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS ?= --disable-pip-version-check --quiet
# pytest-xdist workers: two fit two cores; each holds a TensorFlow process (a few GB)
TEST_WORKERS ?= 2

# the lowest Keras and TensorFlow setup.cfg allows (pinned in .ci/oldest.txt)
OLDEST := .venv-oldest

.PHONY: demo test test-oldest lint bench pretrain clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install $(PIP_FLAGS) -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/rnn-apps demo --out runs/demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15

$(OLDEST)/.installed-dev: setup.cfg pyproject.toml .ci/oldest.txt
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/pip install $(PIP_FLAGS) -c .ci/oldest.txt -e '.[dev]'
	touch $@

test-oldest: $(OLDEST)/.installed-dev
	$(OLDEST)/bin/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check rnn_apps tests benchmarks

bench: $(VENV)/.installed-dev
	$(BIN)/pip install $(PIP_FLAGS) -e '.[dev,bench]'
	$(BIN)/python benchmarks/sentiment_quality.py
	$(BIN)/python benchmarks/sentiment_wide.py
	$(BIN)/python benchmarks/sentiment_speed.py
	$(BIN)/python benchmarks/engine_bench.py stream-speed
	$(BIN)/python benchmarks/engine_bench.py workers
	$(BIN)/python benchmarks/engine_bench.py resume
	$(BIN)/python benchmarks/stream_memory.py
	$(BIN)/python benchmarks/textgen_quality.py
	$(BIN)/python benchmarks/esn_forecast.py
	$(BIN)/python benchmarks/forecast_quality.py
	$(BIN)/python benchmarks/forecast_speed.py
	$(BIN)/python benchmarks/tagging_quality.py
	$(BIN)/python benchmarks/seq2seq_g2p.py --save runs/bench/g2p
	$(BIN)/python benchmarks/seq2seq_speed.py --model runs/bench/g2p --cmudict-test
	$(BIN)/python benchmarks/serve_load.py
	$(BIN)/python benchmarks/export_runtimes.py
	$(BIN)/python benchmarks/tune_bench.py
	$(BIN)/python benchmarks/fast_rnn.py
	$(BIN)/python benchmarks/fast_rnn_layer.py
	$(BIN)/python benchmarks/fast_rnn_tasks.py --rounds 3

# the pretrained forecaster's core, from generated series only (about 30 minutes on 2 cores);
# writes rnn_apps/tasks/forecast/pretrained/forecaster_core.{npz,json}
pretrain: $(VENV)/.installed
	$(BIN)/python -m rnn_apps.tasks.forecast.pretrained.pretrain

clean:
	rm -rf runs .pytest_cache
