"""Tests of the live-notebook check (tools/check_interactive.py): its choice of cells, and the check itself, run in
JupyterLab and Chromium on tiny notebooks of its own, one working and two broken, so that a broken check cannot pass.
Those two are marked ``browser``: deselected by default, selected by ``make check-interactive`` (so by CI), where they
need Debian's Chromium and fail without it."""

import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursework.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
from check_interactive import section_cells  # noqa: E402
from normalize_notebooks import normalized  # noqa: E402

SECTION = """def show(x: float) -> None:
    plt.figure(figsize=(2, 2))
    plt.plot([0, 1], [0, x])
    plt.show()


widgets.interactive(show, x=widgets.FloatSlider(value=0.0, min=0.0, max=5.0, step=1.0))"""
BROKEN = SECTION.replace("    plt.figure", "    if x:\n        raise ValueError('broken on purpose')\n    plt.figure")


def code_cells(*sources: str) -> list[dict]:
    return [new_markdown_cell("# A notebook")] + [new_code_cell(source) for source in sources]


def test_a_section_runs_with_the_imports_cell_alone() -> None:
    cells = code_cells("import numpy as np", "data = np.zeros(3)", "print(data)")
    cells[3:3] = [new_markdown_cell("## Explore\n\nA slider."), new_markdown_cell("Text, no heading.")]
    cells.append(new_code_cell("explorer()"))
    assert section_cells(cells) == [1, 5, 6]
    assert section_cells(nbformat.from_dict({"cells": cells}).cells) == [1, 5, 6]
    cells = [{**cell, "source": cell["source"].splitlines(keepends=True)} for cell in cells]  # as a file stores them
    assert section_cells(cells) == [1, 5, 6]
    assert section_cells(code_cells("import numpy as np", "x = 1")[1:]) == [0, 1]  # no heading: every cell


def need_chromium() -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("the browser tests need Debian's chromium (apt-get install chromium)")
    return chromium


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    """The tiny notebook with one slider, executed by nbclient (as `make report` executes), as nbformat wrote it."""
    notebook = new_notebook(
        cells=code_cells("import ipywidgets as widgets\nimport matplotlib.pyplot as plt", SECTION),
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return notebook


def write(folder, name: str, notebook: nbformat.NotebookNode, section: str = SECTION, normalize: bool = True):
    notebook = nbformat.from_dict(notebook)
    notebook.cells[-1].source = section
    text = nbformat.writes(notebook)
    path = folder / name
    path.write_text(normalized(text) if normalize else text + "\n", encoding="utf-8")
    return path


def check(*notebooks) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO_ROOT / "tools" / "check_interactive.py"), "--redraw-seconds", "30"]
    command += ["--chromium", need_chromium(), *map(str, notebooks)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.browser
def test_the_check_passes_a_working_notebook_saved_as_jupyterlab_writes_it(executed, tmp_path) -> None:
    result = check(write(tmp_path, "working.ipynb", executed))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "opened and saved before any run: byte-identical" in result.stdout
    assert "slider 'x' (key ArrowRight): redrawn in" in result.stdout
    assert "slider 'x' (click): redrawn in" in result.stdout
    assert result.stdout.endswith("0 failures\n")


@pytest.mark.browser
def test_the_check_fails_a_raising_callback_and_a_notebook_that_opening_changes(executed, tmp_path) -> None:
    broken = write(tmp_path, "broken.ipynb", executed, BROKEN)
    stale = write(tmp_path, "stale.ipynb", executed, normalize=False)  # as nbclient wrote it, not as JupyterLab does
    result = check(broken, stale)
    assert result.returncode == 1, result.stdout + result.stderr
    failures = result.stdout.split("failures\n")[-1].splitlines()
    assert failures[0] == (
        "  broken.ipynb: slider 'x' (key ArrowRight): the section shows an error or stderr: "
        "ValueError: broken on purpose"
    )
    assert failures[1].startswith("  broken.ipynb: slider 'x' (click): the section shows an error or stderr")
    assert failures[2].startswith("  stale.ipynb: opening and saving it in JupyterLab changed it")
    assert "Python 3 (ipykernel)" in failures[2] and f"normalize_notebooks.py {stale}" in failures[2]
    assert len(failures) == 3  # the stale notebook's slider works
