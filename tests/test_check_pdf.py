"""Tests of the PDF check (tools/check_pdf.py) on a notebook, a poppler image listing and PDF text made here; the check
itself reads the PDFs that ``make pdf`` prints, in ``make check-pdf``."""

import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursework.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
from check_pdf import figure_count, image_count, problems  # noqa: E402

WIDGET = {"application/vnd.jupyter.widget-view+json": {"model_id": "1", "version_major": 2, "version_minor": 0}}
# `pdfimages -list` of a page with a figure (an RGBA PNG: an image and its soft mask) and a JPEG
LISTING = """page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio
--------------------------------------------------------------------------------------------
   1     0 image    1111   391  rgb     3   8  image  no        40  0   181   181 39.9K 3.1%
   1     1 smask    1111   391  gray    1   8  image  no        40  0   181   181  1.2K 0.3%
   2     2 image     445    23  gray    1   8  jpeg   no        89  0   300   300  807B 7.9%
"""


def test_every_output_with_an_image_is_one_figure(tmp_path) -> None:
    outputs = [
        new_output("display_data", {"image/png": "iVBOR", "text/plain": "<Figure>"}),
        new_output("execute_result", {**WIDGET, "image/png": "iVBOR", "text/plain": "VBox(...)"}, execution_count=2),
        new_output("stream", name="stdout", text="printed"),
        new_output("execute_result", {"text/html": "<table></table>", "text/plain": "table"}, execution_count=3),
    ]
    cell = new_code_cell("figure()", outputs=outputs)
    notebook = tmp_path / "notebook.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# $x$"), cell, new_code_cell("x = 1")]), notebook)
    assert figure_count(notebook) == 2


def test_soft_masks_are_not_counted_as_images() -> None:
    assert image_count(LISTING) == 2
    assert image_count(LISTING.split("\n   1")[0]) == 0


def test_untypeset_maths_and_missing_figures_fail() -> None:
    typeset = "Samples are rows of X (N × 8). With a0 = X, layer l = 1, 2 computes zl = al−1 Wl + bl; costs $5."
    assert problems(typeset, images=3, figures=3) == []
    raw = r"Samples are rows of $X$ ($N \times 8$). With $a_0 = X$, layer $$z_l = a_{l-1} W_l$$"
    assert problems(raw, images=2, figures=3) == [
        "TeX left as text: '$N \\\\times 8$'",
        "TeX left as text: '$a_0 = X$'",
        "TeX left as text: '$$'",
        "TeX left as text: '$$'",
        "2 images for the notebook's 3 figures",
    ]
