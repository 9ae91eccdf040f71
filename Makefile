# Two commands a newcomer needs: `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_ARGS ?=
# JupyterLab refuses to run as root unless told; root is common in containers and CI.
ROOT_ARGS := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

.PHONY: lab test test-fast bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The learner works in a git-ignored copy (workspace/, made on first run, never overwritten), so
# JupyterLab's autosave never changes the tracked notebooks; `make test` runs the originals.
WORKSPACE ?= workspace

lab: $(STAMP)
	GENESYS_LAB_WORKSPACE=$(WORKSPACE) $(BIN)/genesys-lab course workspace --dir $(WORKSPACE)
	GENESYS_LAB_WORKSPACE=$(abspath $(WORKSPACE)) $(BIN)/jupyter lab --notebook-dir=$(WORKSPACE) $(ROOT_ARGS) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-sanitize-with notebooks/sanitize.cfg $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -x -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf notebooks/scratch bench/work .pytest_cache
