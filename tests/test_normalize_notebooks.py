"""Tests of the notebook normaliser (tools/normalize_notebooks.py); that JupyterLab really saves its output unchanged
is checked in a live JupyterLab by tests/test_check_interactive.py and `make check-interactive`."""

import json
import sys
from types import SimpleNamespace

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from coursework.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
from normalize_notebooks import javascript_number, main, normalized  # noqa: E402


class KernelSpecs:
    """A kernel spec manager that knows one kernel, python3, as ipykernel installs it."""

    def get_kernel_spec(self, name: str) -> SimpleNamespace:
        assert name == "python3"
        return SimpleNamespace(display_name="Python 3 (ipykernel)")


def executed_notebook() -> str:
    """A notebook as nbconvert leaves it: nbclient's timings, an old display name, widget numbers as floats."""
    timings = {"execution": {"iopub.status.idle": "2026-12-01T11:19:41.983194Z"}}
    cell = new_code_cell("x = 1", id="cell-1", metadata=timings)
    state = {"value": 10.0, "max": 3.0, "step": 0.25, "big": 2.0**60, "huge": 1e21, "tiny": 1e-05, "count": 2}
    metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {"slider": {"state": state}}}},
    }
    return nbformat.writes(new_notebook(cells=[cell], metadata=metadata)) + "\n"


def test_numbers_come_back_as_javascript_writes_them() -> None:
    assert [javascript_number(value) for value in (10.0, -0.0, 0.25, 1e-05, 7)] == [10, 0, 0.25, 1e-05, 7]
    assert all(type(javascript_number(value)) is int for value in (10.0, -0.0, 7))
    assert javascript_number(2.0**60) == 1152921504606847000  # JavaScript's digits: (2**60).toString()
    assert javascript_number(2**53 + 1) == 2**53  # no integer beyond 2**53 survives a double
    assert javascript_number(1e21) == 1e21 and type(javascript_number(1e21)) is float  # written 1e+21


def test_a_notebook_is_written_as_jupyterlab_saves_it_and_only_once() -> None:
    text = normalized(executed_notebook(), KernelSpecs())
    notebook = json.loads(text)
    assert notebook["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert notebook["cells"][0]["metadata"] == {}
    state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]["slider"]["state"]
    assert '"value": 10\n' in text and '"max": 3,' in text and '"step": 0.25' in text and '"huge": 1e+21' in text
    assert state == {
        "value": 10,
        "max": 3,
        "step": 0.25,
        "big": 1152921504606847000,
        "huge": 1e21,
        "tiny": 1e-05,
        "count": 2,
    }
    assert text.startswith('{\n "cells": [\n  {\n') and text.endswith("}\n")  # nbformat's layout: indent 1, sorted
    assert normalized(text, KernelSpecs()) == text


def test_main_rewrites_only_the_notebooks_that_change(tmp_path, capsys) -> None:
    stale, fresh = tmp_path / "stale.ipynb", tmp_path / "fresh.ipynb"
    stale.write_text(executed_notebook(), encoding="utf-8")
    fresh.write_text(normalized(executed_notebook()), encoding="utf-8")  # the installed python3 kernel's name
    before = fresh.stat().st_mtime_ns
    assert main([str(stale), str(fresh)]) == 0
    assert capsys.readouterr().out == f"{stale}: rewritten as JupyterLab saves it\n"
    assert stale.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")
    assert fresh.stat().st_mtime_ns == before
    assert main([]) == 2


def run_with_widgets(seed: int, flushes: int) -> str:
    """A notebook as one run leaves it: random widget ids (a slider and its layout, one widget never shown), and a
    print split into ``flushes`` stream outputs."""
    import random

    ids = [f"{random.Random(seed * 10 + k).getrandbits(128):032x}" for k in range(3)]
    slider, layout, hidden = ids
    state = {
        slider: {"model_name": "IntSliderModel", "state": {"layout": f"IPY_MODEL_{layout}", "value": 3}},
        layout: {"model_name": "LayoutModel", "state": {}},
        hidden: {"model_name": "HTMLModel", "state": {"value": "unused"}},
    }
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": slider, "version_major": 2, "version_minor": 0}}
    lines = ["epoch 1\n", "epoch 2\n", "done\n"]
    cuts = [0, *range(1, flushes), len(lines)]
    streams = [
        nbformat.v4.new_output("stream", name="stdout", text="".join(lines[a:b])) for a, b in zip(cuts, cuts[1:])
    ]
    cell = new_code_cell("show()", id="cell-1", outputs=[*streams, nbformat.v4.new_output("display_data", data=view)])
    metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": state, "version_major": 2}},
    }
    return nbformat.writes(new_notebook(cells=[cell], metadata=metadata)) + "\n"


def test_two_runs_with_the_same_results_are_saved_as_the_same_bytes() -> None:
    first, second = run_with_widgets(seed=1, flushes=1), run_with_widgets(seed=2, flushes=3)
    assert first != second
    text = normalized(first, KernelSpecs())
    assert normalized(second, KernelSpecs()) == text
    outputs = json.loads(text)["cells"][0]["outputs"]
    assert [output["output_type"] for output in outputs] == ["stream", "display_data"]
    assert outputs[0]["text"] == ["epoch 1\n", "epoch 2\n", "done\n"]
    state = json.loads(text)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    slider = outputs[1]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert state[slider]["state"]["layout"].removeprefix("IPY_MODEL_") in state and len(state) == 3


def test_stream_text_split_mid_line_is_written_one_line_per_entry() -> None:
    cell = new_code_cell("print('a,', 'b')", id="cell-1")
    cell.outputs = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": ["a,", "\n", "b\n"]})]
    notebook = nbformat.writes(new_notebook(cells=[cell], metadata={})) + "\n"
    assert json.loads(normalized(notebook, KernelSpecs()))["cells"][0]["outputs"][0]["text"] == ["a,\n", "b\n"]
