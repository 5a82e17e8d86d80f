"""Rewrite notebooks, in place, into the bytes JupyterLab saves, so that opening and saving one there changes nothing.

Usage: ``python tools/normalize_notebooks.py NOTEBOOK...``; prints each notebook it changed. ``make report`` runs it
after executing the notebooks, and ``make check-interactive`` checks the result in a live JupyterLab.

What JupyterLab 4 changes in a notebook that nbconvert executed, found by opening, running and saving one in a live
JupyterLab and comparing the files:

* every number passes through JavaScript, which has one number type, the double: a float with an integer value
  comes back as an integer (the widget state's ``10.0`` -> ``10``), and an integer beyond 2**53 is rounded;
* ``metadata.kernelspec.display_name`` becomes that of the kernel spec the server runs ("Python 3" ->
  "Python 3 (ipykernel)");
* a cell that runs loses its ``execution`` metadata (nbclient's timings; JupyterLab records its own only when its
  ``recordTiming`` setting is on). Open and save keep it; it is dropped here, so that a Run All in JupyterLab
  changes no more than the outputs.

So that a second ``make report`` with the same results changes no byte, this also merges consecutive outputs of one
stream (a print that flushed midway), and renames the widgets' random ids after the order in which the notebook
shows them.

The Jupyter server then writes the notebook with nbformat (sorted keys, indent 1, text split into lines), as here.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import nbformat
from common import usage
from jupyter_client.kernelspec import KernelSpecManager

LARGEST_PLAIN_NUMBER = 1e21  # JavaScript writes a double this large or larger with an exponent: 1e+21
WIDGET_ID = re.compile(r"[0-9a-f]{32}")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def javascript_number(value: int | float) -> int | float:
    """A JSON number as it comes back from JavaScript: a double, written without a fraction when it has none."""
    number = float(value)
    if number.is_integer() and abs(number) < LARGEST_PLAIN_NUMBER:
        return int(Decimal(repr(number)))  # the shortest digits that read back as this double, as JavaScript writes
    return number


def normalized(text: str, kernelspecs: KernelSpecManager | None = None) -> str:
    """The notebook ``text`` as JupyterLab saves it, with the display names of ``kernelspecs`` (default: installed)."""
    text = stable_widget_ids(text)
    content = json.loads(
        text, parse_int=lambda s: javascript_number(int(s)), parse_float=lambda s: javascript_number(float(s))
    )
    notebook = nbformat.from_dict(content)
    kernelspec = notebook.metadata.get("kernelspec")
    if kernelspec:
        kernelspec.display_name = (kernelspecs or KernelSpecManager()).get_kernel_spec(kernelspec.name).display_name
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        merged: list = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and isinstance(output.text, list):
                output.text = "".join(output.text)  # written back one line per entry, as JupyterLab splits it
            previous = merged[-1] if merged else {}
            if output.output_type == "stream" == previous.get("output_type") and output.name == previous.name:
                previous.text += output.text
            else:
                merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged
    saved = nbformat.writes(notebook, version=nbformat.NO_CONVERT)
    return saved if saved.endswith("\n") else saved + "\n"


def stable_widget_ids(text: str) -> str:
    """The notebook ``text`` with each widget's random id replaced by one derived from its place: the widgets shown
    by the cells, in order, each followed by the widgets it refers to, then those shown nowhere."""
    content = json.loads(text)
    state = content["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    shown = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in content["cells"]
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    pending = shown + sorted(state, key=lambda key: WIDGET_ID.sub("", json.dumps(state[key], sort_keys=True)))
    order: list[str] = []
    while pending:
        key = pending.pop(0)
        if key in state and key not in order:
            order.append(key)
            pending[:0] = WIDGET_ID.findall(json.dumps(state[key], sort_keys=True))
    stable = {key: uuid.uuid5(uuid.NAMESPACE_URL, f"widget-{index}").hex for index, key in enumerate(order)}
    return WIDGET_ID.sub(lambda match: stable.get(match[0], match[0]), text)


def main(paths: list[str]) -> int:
    if not paths or any(path.startswith("-") for path in paths):  # --help, or an option it does not have
        return usage(__doc__)
    for path in map(Path, paths):
        text = path.read_text(encoding="utf-8")
        saved = normalized(text)
        if saved != text:
            path.write_text(saved, encoding="utf-8")
            print(f"{path}: rewritten as JupyterLab saves it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
