"""Every number a notebook's prose states is printed or typed in its own section, so that a retrain cannot leave a
sentence silently wrong.

Judged: decimals (0.0042, 1.7e-03) and numbers written with x or % (1.4x, 12 %; not sizes such as 32x32), outside
maths and headings. One is backed when a number in an output or a code cell of the same section rounds to it at its
precision, as it is or scaled by 100. A section runs from a heading to the next heading of the same or a higher
level; a row of the summary table is backed by the sections its last column names ("2, 4", "4-5").
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from coursework.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
STATED = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?(?:e[-+]?\d+)?)(\s?(?:x|×|%)(?!\d))?")  # 1.4x, not 32x32
PRINTED = re.compile(r"\d+(?:[,_]\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")
HEADING = re.compile(r"^(#+) (?:Appendix )?(\S+)", re.M)  # an appendix is named by its letter
ROW = re.compile(r"^\|(.*)\|\s*([\w\s,-]*?)\s*\|$", re.M)  # a table row and its last column
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


def parts(cells: list[dict]) -> list[tuple[int, str | set[Decimal]]]:
    """Each cell's index with its prose (a markdown cell cut before each heading) or its numbers (a code cell)."""
    split = [re.split(r"(?=^#+ )", "".join(cell["source"]), flags=re.M) for cell in cells]
    return [
        (index, part) if cell["cell_type"] == "markdown" else (index, printed(cell))
        for index, (cell, pieces) in enumerate(zip(cells, split, strict=True))
        for part in (pieces if cell["cell_type"] == "markdown" else [""])
    ]


def sections(pieces: list) -> tuple[list[set[Decimal]], dict[str, set[Decimal]]]:
    """The numbers of each piece's section, and of each section by its number ("2", "A")."""
    headings = [HEADING.match(piece) if isinstance(piece, str) else None for _, piece in pieces]
    by_piece, by_name = [], {}
    for position in range(len(pieces)):
        first = max(i for i in range(position + 1) if headings[i] or i == 0)
        level = len(headings[first][1]) if headings[first] else 0
        end = next((i for i in range(first + 1, len(pieces)) if headings[i] and len(headings[i][1]) <= level), None)
        values = set().union(*(piece for _, piece in pieces[first:end] if not isinstance(piece, str)))
        by_piece.append(values)
        if headings[first]:
            by_name.setdefault(headings[first][2].rstrip(":"), values)
    return by_piece, by_name


def named(column: str, by_name: dict[str, set[Decimal]]) -> set[Decimal]:
    """The numbers of the sections a summary row names: "2, 4" or "4-5"."""
    names = []
    for part in column.split(","):
        first, _, last = part.strip().partition("-")
        names += [str(n) for n in range(int(first), int(last) + 1)] if last else [first]
    return set().union(*(by_name[name] for name in names))


def unbacked(cells: list[dict]) -> list[str]:
    """The numbers the prose states that its section (for a summary row, the sections it names) never prints."""
    pieces = parts(cells)
    by_piece, by_name = sections(pieces)
    missing = []
    for (index, text), values in zip(pieces, by_piece, strict=True):
        if not isinstance(text, str):
            continue
        for row, column in ROW.findall(text):
            if re.match(r"(\d+|[A-Z])\b", column.strip()):  # names sections: "2, 4", "4-5", "3, C"
                missing += [f"cell {index}: {n}" for n in stated(row) if not backed(n, named(column, by_name))]
                text = text.replace(row, "")
        missing += [f"cell {index}: {number}" for number in stated(text) if not backed(number, values)]
    return missing


def test_a_number_is_backed_only_by_its_own_section() -> None:
    cells = [
        {"cell_type": "markdown", "source": ["## Summary\n", "| q | 1.5x | 2 |\n", "| q | 0.7 | 2 |"]},
        {"cell_type": "markdown", "source": ["## 1 One\n", "It is 0.7, not 1.5x."]},
        {"cell_type": "code", "source": ["print(0.70)"], "outputs": []},
        {"cell_type": "markdown", "source": ["It is 0.70.\n", "## 2 Two"]},
        {"cell_type": "code", "source": [], "outputs": [{"text": "1.52"}]},
    ]
    assert unbacked(cells) == ["cell 0: 0.7", "cell 1: 1.5"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_number_the_prose_states_is_printed_or_typed_in_its_section(notebook: Path) -> None:
    cells = json.loads(notebook.read_text())["cells"]
    prose = [number for cell in cells if cell["cell_type"] == "markdown" for number in stated("".join(cell["source"]))]
    assert prose, "no number found in the prose: the pattern no longer matches how it writes them"
    assert unbacked(cells) == []
