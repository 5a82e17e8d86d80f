"""Print rendered report pages to A4 PDFs with Debian's Chromium, offline, once their maths is typeset.

Usage: ``python tools/print_pdf.py OUTPUT_DIR PAGE.html...``, which ``make pdf`` runs on pages rendered as ``make
html`` renders them: each ``NAME.html`` becomes ``OUTPUT_DIR/NAME.pdf``. Playwright drives the system's Chromium
(``executable_path``: nothing downloads a browser) with every host name unresolvable, waits for MathJax to typeset
and for the fonts to load, and prints with page numbers in the footer; the page's own ``@media print`` rules
(templates/report.html.j2) keep figures whole and code within the width, and wide formulas and text outputs are
scaled down to fit it. Exits 1 when a page cannot be printed (MathJax missing or failing included), 2 on bad usage.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from common import HEADLESS_FLAGS, usage
from playwright.sync_api import Error, sync_playwright

CHROMIUM_FLAGS = (*HEADLESS_FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND")  # offline, whatever the machine can reach
TYPESET_SECONDS = 120  # for MathJax to typeset a page on a busy machine
MARGINS = {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
COLUMN = {"width": 703, "height": 1000}  # CSS pixels: A4's 210 mm less the margins, at 96 pixels an inch
FOOTER = (
    '<div style="font-size: 8pt; width: 100%; text-align: center; color: #555;">'
    '<span class="title"></span>, page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)
TYPESET = "() => window.MathJax?.startup?.promise?.then(() => true)"
# Fitted to the printed column: a displayed formula wider than it is scaled down (MathJax 3 does not break lines), and
# so is a text output with longer lines (a printed table), down to 7 px; lines longer than that still wrap.
FIT_WIDTH = """() => {
    for (const formula of document.querySelectorAll('mjx-container[display="true"]')) {
        const ratio = formula.clientWidth / formula.firstElementChild.getBoundingClientRect().width;
        if (ratio < 1) formula.style.fontSize = `${parseFloat(getComputedStyle(formula).fontSize) * ratio}px`;
    }
    for (const text of document.querySelectorAll('.jp-OutputArea-output pre')) {
        text.style.whiteSpace = 'pre';
        const ratio = (0.97 * text.closest('.jp-OutputArea').clientWidth) / text.scrollWidth; // 3 %: its padding
        if (ratio < 1) text.style.fontSize = `${Math.max(parseFloat(getComputedStyle(text).fontSize) * ratio, 7)}px`;
        text.style.whiteSpace = '';
    }
}"""


def print_pages(pages: list[Path], folder: Path, executable: str) -> list[str]:
    """Print each page to ``folder/NAME.pdf``; the problems met (empty: every page printed)."""
    problems = []
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_FLAGS))
        page = browser.new_page(viewport=COLUMN)  # laid out as printed, so that widths are measured as printed
        page.emulate_media(media="print")
        for html in pages:
            try:
                page.goto(html.resolve().as_uri(), wait_until="load")
                page.wait_for_function(TYPESET, timeout=TYPESET_SECONDS * 1000, polling=200)
                page.evaluate("() => document.fonts.ready.then(() => true)")
                page.evaluate(FIT_WIDTH)
                pdf = folder / f"{html.stem}.pdf"
                page.pdf(
                    path=pdf,
                    format="A4",
                    margin=MARGINS,
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                )
                print(f"{html} -> {pdf}", flush=True)
            except Error as error:
                problems.append(f"{html}: not printed: {str(error).splitlines()[0]}")
        browser.close()
    return problems


def main(arguments: list[str]) -> int:
    if len(arguments) < 2:
        return usage(__doc__)
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    problems = print_pages([Path(page) for page in arguments[1:]], Path(arguments[0]), executable)
    print("".join(f"FAIL {problem}\n" for problem in problems), end="")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
