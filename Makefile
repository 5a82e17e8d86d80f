# Two entry points for a fresh machine: `make report` and `make test` (see README). Both build the venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: setup report test lint benchmark clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

# Execute every notebook in place (figures land in figures/), then render them as static HTML in report/.
report: setup
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=3600 $(NOTEBOOKS)
	$(BIN)/jupyter nbconvert --to html --output-dir report $(NOTEBOOKS)
	@echo "Report: $(addprefix report/,$(notdir $(NOTEBOOKS:.ipynb=.html))); figures in figures/"

# Lint, unit tests and the notebooks (nbval re-executes them and compares the cells marked NBVAL_CHECK_OUTPUT);
# figures from that run go to a temporary folder, so the committed figures/ stay as `make report` made them.
test: setup
	$(BIN)/ruff check .
	COURSEWORK_FIGURES_DIR=$$(mktemp -d) $(BIN)/pytest --nbval-lax --nbval-current-env tests notebooks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Speed and memory, measured side by side (see README); the extra backends come from benchmarks/requirements.txt.
benchmark: setup
	$(BIN)/pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/backprop.py
	$(BIN)/python benchmarks/autoencoder.py
	$(BIN)/python benchmarks/autoencoder.py --model study_one_pool_32_8
	$(BIN)/python benchmarks/notebook_memory.py

clean:
	rm -rf $(VENV) report .pytest_cache .ruff_cache
