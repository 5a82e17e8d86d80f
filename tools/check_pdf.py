"""Check the PDFs that ``make pdf`` printed: each exists, shows no raw TeX, and holds every figure of its notebook.

Usage: ``python tools/check_pdf.py PDF_DIR NOTEBOOK...``, which ``make check-pdf`` runs. For each notebook
``NAME.ipynb`` the PDF is ``PDF_DIR/NAME.pdf``; its text (poppler's ``pdftotext``) must hold no TeX that MathJax left
untypeset, and it must hold as many images (poppler's ``pdfimages -list``, soft masks left out) as the notebook has
outputs with an image: its figures, one picture for each interactive section. Exits 1 naming each failure, 2 on bad
usage.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from check_report import TEX_LEFT
from common import usage, verdict


def figure_count(notebook: Path) -> int:
    """The number of code-cell outputs that carry an image."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    outputs = [output for cell in cells if cell["cell_type"] == "code" for output in cell["outputs"]]
    return sum(any(kind.startswith("image/") for kind in output.get("data", {})) for output in outputs)


def image_count(listing: str) -> int:
    """The images that ``pdfimages -list`` lists (two header lines, then one line per image drawn; type in column 3)."""
    return sum(line.split()[2] == "image" for line in listing.splitlines()[2:] if line.strip())


def problems(text: str, images: int, figures: int) -> list[str]:
    """What is wrong with a PDF whose text is ``text`` and which holds ``images`` images, for ``figures`` figures."""
    found = [f"TeX left as text: {match.group()[:80]!r}" for match in TEX_LEFT.finditer(text)]
    return found + ([f"{images} images for the notebook's {figures} figures"] if images != figures else [])


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def check(folder: Path, notebook: Path) -> tuple[str, list[str]]:
    """The verdict line of the PDF of ``notebook`` in ``folder``, and its problems."""
    pdf = folder / f"{notebook.stem}.pdf"
    figures = figure_count(notebook)
    if not pdf.exists():
        return f"{pdf}: 0 images for {figures} figures", [f"{pdf} does not exist: run `make pdf`"]
    images = image_count(run("pdfimages", "-list", str(pdf)))
    return f"{pdf}: {images} images for {figures} figures", problems(run("pdftotext", str(pdf), "-"), images, figures)


def main(arguments: list[str]) -> int:
    if len(arguments) < 2:
        return usage(__doc__)
    return verdict(check(Path(arguments[0]), Path(notebook)) for notebook in arguments[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
