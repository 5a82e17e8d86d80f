"""Every number a notebook's prose states is printed by that notebook or typed in its code, so that a retrain cannot
leave a sentence silently wrong.

Judged: decimals (0.0042, 1.7e-03) and numbers written with x or % (1.4x, 12 %), outside maths and headings. One
is backed when a number in an output or a code cell rounds to it at its precision, as it is or scaled by 100.
"""

import json
import re
from decimal import Decimal

import pytest

from coursework.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
STATED = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?(?:e[-+]?\d+)?)(\s?(?:x|×|%))?")
PRINTED = re.compile(r"\d+(?:[,_]\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")
SCALES = (Decimal(1), Decimal(100))  # as printed, or a fraction the prose gives in per cent


def stated(markdown: str) -> list[str]:
    """The decimals and the numbers with x or % in a markdown cell, maths and headings left out."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|^#[^\n]*", " ", markdown, flags=re.S | re.M)
    return [number for number, unit in STATED.findall(text) if "." in number or unit]


def printed(cell: dict) -> set[Decimal]:
    """Every number in a code cell's source and outputs."""
    texts = ["".join(cell["source"])]
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        texts += ["".join(output.get("text", ""))] + ["".join(data[kind]) for kind in data if kind.startswith("text/")]
    return {Decimal(number.replace(",", "").replace("_", "")) for text in texts for number in PRINTED.findall(text)}


def backed(number: str, values: set[Decimal]) -> bool:
    """Whether a value, scaled by a factor of ``SCALES``, rounds to ``number`` at its precision."""
    target = Decimal(number)
    step = Decimal(1).scaleb(target.as_tuple().exponent)
    return any(-step <= 2 * (value * scale - target) < step for value in values for scale in SCALES)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_number_the_prose_states_is_printed_or_typed_in_the_notebook(notebook) -> None:
    cells = json.loads(notebook.read_text())["cells"]
    values = set().union(*(printed(cell) for cell in cells if cell["cell_type"] == "code"))
    prose = [number for cell in cells if cell["cell_type"] == "markdown" for number in stated("".join(cell["source"]))]
    assert prose, "no number found in the prose: the pattern no longer matches how it writes them"
    assert [number for number in prose if not backed(number, values)] == []
