# Two commands do all the set-up on a fresh machine with Python >= 3.10:
#   make run   - create .venv, install, serve the app on the bundled model
#   make test  - create/update .venv with the dev requirements, run every test
#   make serve - a class: PROCESSES Streamlit processes (default one per core) behind nginx
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
PROCESSES ?=
# Use the corpus copy beside the checkout when there is one (offline machines, CI).
SHARED_CORPUS := $(abspath $(wildcard ../shared/corpora/nietzsche.txt))
export CHARLM_CORPUS ?= $(SHARED_CORPUS)

.PHONY: run serve test lint bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "charlm needs Python >= 3.10")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(PY) -m streamlit run streamlit_app.py --server.port $(PORT)

# Values go as --name=value, so none is read as an option of its own.
serve: $(VENV)/.runtime
	$(PY) -m charlm serve '--port=$(PORT)' $(if $(PROCESSES),'--processes=$(PROCESSES)')

test: $(VENV)/.dev
	$(PY) -m ruff check charlm tests benchmarks streamlit_app.py
	$(PY) -m ruff format --check charlm tests benchmarks streamlit_app.py
	$(PY) -m pytest

bench: $(VENV)/.dev
	$(PY) benchmarks/sampling_speed.py
	$(PY) benchmarks/training_epoch.py
	$(PY) benchmarks/app_startup.py
	$(PY) benchmarks/classroom_load.py
	$(PY) benchmarks/temperature_sweep.py
	$(PY) benchmarks/neuron_activations.py
	$(PY) benchmarks/time_to_quality.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
