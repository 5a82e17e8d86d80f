# Two entry points for a fresh machine: `make report` and `make test` (see README). Both build the venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
REPORT_DIR ?= report
# MathJax 3 for the HTML report, from the npm registry, pinned by version and checksum: copied beside the pages so
# that their maths typesets with no network (nbconvert's default loads MathJax 2 from a CDN).
MATHJAX_VERSION := 3.2.2
MATHJAX_SHA256 := 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
MATHJAX_PACKAGE := build/mathjax-$(MATHJAX_VERSION).tgz
# The widgets' renderer (ipywidgets 8's HTML manager) and require.js, which loads it, the same way: the interactive
# sections' saved widget state then shows in the static report without a CDN (the sliders do not retrain there).
WIDGETS_VERSION := 1.0.15
WIDGETS_SHA256 := 2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638
WIDGETS_PACKAGE := build/jupyter-widgets-html-manager-$(WIDGETS_VERSION).tgz
REQUIREJS_VERSION := 2.3.8
REQUIREJS_SHA256 := 777158e89275e16bd51aec3ef714fbcb5dc45789e7078659933bc814916d7dec
REQUIREJS_PACKAGE := build/requirejs-$(REQUIREJS_VERSION).tgz

.PHONY: setup data retrain unit report report-full report-exploratory html pdf check-report check-interactive check-pdf \
	test lint benchmark clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

# CIFAR-10 found (or downloaded into keras' cache when there is no copy), decoded and cached under data/, so that
# the download's progress and the decode's wait show here rather than in the notebooks' saved outputs.
data: setup
	$(BIN)/python -m coursework.data

# Retrain the models from scratch, outside the notebooks (all of them: hours on 2 cores; or EXPERIMENTS="a b"),
# into models/: run the same command again after an interruption to resume (docs/models.md). `make report` then uses them.
retrain: setup data
	$(BIN)/python -m coursework.experiments --retrain $(EXPERIMENTS)

# Every parameter the notebooks read from the environment (coursework/parameters.py); `make test` unsets them all.
NOTEBOOK_PARAMETERS := QUICK SEEDS LR_SEEDS EPOCHS EVAL_IMAGES
QUICK_DIR := build/quick

# Execute every notebook in place (figures land in figures/), then render them as static HTML in report/.
# With a parameter that changes results (QUICK=1, SEEDS=5, ...: README, "Quick mode and parameters") the run is
# exploratory: copies execute into build/quick/ (figures into build/quick/figures/) and render into report/quick/, so
# the committed notebooks and figures/ keep the full run's results. An unreadable value stops before any notebook runs.
report: setup data
	@$(BIN)/python -m coursework.parameters >/dev/null
	@$(MAKE) --no-print-directory report-$(shell $(BIN)/python -m coursework.parameters 2>/dev/null)

# The notebooks execute into build/executed/, are rewritten there as JupyterLab saves them (so that opening one there
# changes nothing, and a rerun with the same results changes no byte), and only then replace the committed ones: an
# interrupted run leaves them as they were.
EXECUTED_DIR := build/executed
report-full:
	rm -rf $(EXECUTED_DIR) && mkdir -p $(EXECUTED_DIR)
	$(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=3600 --output-dir $(EXECUTED_DIR) \
		$(NOTEBOOKS)
	$(BIN)/python tools/normalize_notebooks.py $(addprefix $(EXECUTED_DIR)/,$(notdir $(NOTEBOOKS)))
	mv $(addprefix $(EXECUTED_DIR)/,$(notdir $(NOTEBOOKS))) notebooks/
	$(MAKE) --no-print-directory html
	@echo "Report: $(addprefix $(REPORT_DIR)/,$(notdir $(NOTEBOOKS:.ipynb=.html))); figures in figures/"

report-exploratory:
	rm -rf $(QUICK_DIR) && mkdir -p $(QUICK_DIR)/figures
	COURSEWORK_FIGURES_DIR=$(CURDIR)/$(QUICK_DIR)/figures $(BIN)/jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=3600 --output-dir $(QUICK_DIR) $(NOTEBOOKS)
	$(MAKE) --no-print-directory html NOTEBOOKS="$(addprefix $(QUICK_DIR)/,$(notdir $(NOTEBOOKS)))" \
		REPORT_DIR=$(REPORT_DIR)/quick
	@echo "Exploratory report: $(REPORT_DIR)/quick/*.html; figures in $(QUICK_DIR)/figures/"

# Render the notebooks as they are, without executing them, into $(REPORT_DIR)/ with MathJax and the widgets' renderer
# beside the pages (HTML_OPTIONS: more nbconvert options).
html: setup $(MATHJAX_PACKAGE) $(WIDGETS_PACKAGE) $(REQUIREJS_PACKAGE)
	$(BIN)/jupyter nbconvert --to html --template-file templates/report.html.j2 \
		--HTMLExporter.mathjax_url=mathjax/tex-chtml-full.js --HTMLExporter.require_js_url=widgets/require.js \
		--HTMLExporter.widget_renderer_url=widgets/embed-amd.js $(HTML_OPTIONS) --output-dir $(REPORT_DIR) $(NOTEBOOKS)
	rm -rf $(REPORT_DIR)/mathjax $(REPORT_DIR)/widgets && mkdir -p $(REPORT_DIR)/mathjax $(REPORT_DIR)/widgets
	tar -xzf $(MATHJAX_PACKAGE) -C $(REPORT_DIR)/mathjax --strip-components=2 package/es5
	tar -xzf $(WIDGETS_PACKAGE) -C $(REPORT_DIR)/widgets --strip-components=2 --exclude='*.map' package/dist
	tar -xzf $(REQUIREJS_PACKAGE) -C $(REPORT_DIR)/widgets --strip-components=1 package/require.js

# An npm package, pinned by version and checksum (build/NAME-VERSION.tgz, as `npm pack` names it).
define npm_package
	mkdir -p $(@D)
	cd $(@D) && npm pack --silent $(1) >/dev/null
	echo "$(2)  $@" | sha256sum --check --quiet || { rm -f $@; exit 1; }
endef

$(MATHJAX_PACKAGE):
	$(call npm_package,mathjax@$(MATHJAX_VERSION),$(MATHJAX_SHA256))

$(WIDGETS_PACKAGE):
	$(call npm_package,@jupyter-widgets/html-manager@$(WIDGETS_VERSION),$(WIDGETS_SHA256))

$(REQUIREJS_PACKAGE):
	$(call npm_package,requirejs@$(REQUIREJS_VERSION),$(REQUIREJS_SHA256))

# Debian's Chromium for the browser checks, installed when it is missing (needs root and apt).
CHROMIUM := command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Open the committed notebooks, rendered as `make html` does, in headless Chromium with no network and check that
# every formula is typeset (tools/check_report.py). Run by hand and by CI, not by `make test`.
check-report: setup
	$(CHROMIUM)
	pages=$$(mktemp -d) && trap 'rm -rf "$$pages"' EXIT && \
		$(MAKE) --no-print-directory html REPORT_DIR=$$pages && $(BIN)/python tools/check_report.py $$pages/*.html

# Print each notebook to $(REPORT_DIR)/NAME.pdf (A4, maths typeset, page numbers) with Debian's Chromium, offline
# (tools/print_pdf.py). The pages are rendered as `make html` renders them, but without the widgets' saved state, so
# that each interactive section shows the picture of its first view, as every viewer without widgets does.
WITHOUT_WIDGET_STATE := --ClearMetadataPreprocessor.enabled=True --ClearMetadataPreprocessor.clear_cell_metadata=False \
	--ClearMetadataPreprocessor.preserve_nb_metadata_mask=kernelspec \
	--ClearMetadataPreprocessor.preserve_nb_metadata_mask=language_info
pdf: setup
	$(CHROMIUM)
	pages=$$(mktemp -d) && trap 'rm -rf "$$pages"' EXIT && \
		$(MAKE) --no-print-directory html REPORT_DIR=$$pages HTML_OPTIONS="$(WITHOUT_WIDGET_STATE)" && \
		$(BIN)/python tools/print_pdf.py $(REPORT_DIR) $$pages/*.html

# Check the PDFs that `make pdf` wrote (tools/check_pdf.py, with poppler's pdftotext and pdfimages): each exists,
# shows no raw TeX, and holds as many images as its notebook has figures. Run by hand and by CI.
check-pdf: setup
	command -v pdftotext >/dev/null || { apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null; }
	$(BIN)/python tools/check_pdf.py $(REPORT_DIR) $(NOTEBOOKS)

# The check's own tests (pytest's `browser` tests: selected here, deselected elsewhere; they fail without Chromium),
# then open, save, run and explore the notebooks in a live JupyterLab in headless Chromium (tools/check_interactive.py,
# docs/interactive.md), in temporary copies: nothing committed changes. Notebook 02 runs only its imports cell and its
# interactive section, in a fresh kernel, as a reader would; every notebook parameter is unset, as for `make test`.
# Run by hand and by CI.
check-interactive: setup data
	$(CHROMIUM)
	$(BIN)/pytest -m browser tests
	env $(addprefix -u ,$(NOTEBOOK_PARAMETERS)) $(BIN)/python tools/check_interactive.py \
		$(addprefix --section-only ,$(filter notebooks/02_%,$(NOTEBOOKS))) $(NOTEBOOKS)

# Lint, unit tests and the notebooks (nbval re-executes them, always the full run: every notebook parameter unset,
# and compares the cells tagged nbval-check-output); figures from that run go to a temporary folder, removed
# afterwards, so the committed figures/ stay as `make report` made them.
test: lint data
	figures=$$(mktemp -d) && trap 'rm -rf "$$figures"' EXIT && \
		env $(addprefix -u ,$(NOTEBOOK_PARAMETERS)) COURSEWORK_FIGURES_DIR="$$figures" \
		$(BIN)/pytest --nbval-lax --nbval-current-env tests notebooks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The inner loop: ruff and the package's tests, no notebook execution.
unit: lint
	$(BIN)/pytest tests

# Speed and memory, measured side by side (see README); the extra backends come from benchmarks/requirements.txt.
benchmark: setup
	$(BIN)/pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/backprop.py
	$(BIN)/python benchmarks/autoencoder.py
	$(BIN)/python benchmarks/autoencoder.py --model study_one_pool_32_8
	$(BIN)/python benchmarks/notebook_memory.py

clean:
	rm -rf $(VENV) $(REPORT_DIR) build .pytest_cache .ruff_cache
