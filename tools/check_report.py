"""Check that rendered report pages typeset every formula and draw every widget with no network, and show no log noise.

Usage: ``python tools/check_report.py report/*.html``. Each page is opened in headless Chromium with every host name
unresolvable, so nothing can come from a CDN, and given virtual time to run MathJax and the widget renderer; then its
final DOM is checked: formulas typeset, no MathJax error or undefined macro, no TeX left as text in the rendered
Markdown, every saved widget drawn from its state (the interactive sections), and no stderr output (the red boxes
of start-up logs and warnings). ``make check-report`` runs it; it exits 1 when a page fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from common import HEADLESS_FLAGS, usage, verdict

CHROMIUM_FLAGS = (
    *HEADLESS_FLAGS,
    "--host-resolver-rules=MAP * ~NOTFOUND",  # offline, whatever the machine can reach
    "--virtual-time-budget=30000",  # milliseconds of page time for MathJax before the DOM is dumped
)
# Math delimiters, or a $...$ span holding TeX syntax, or $ before a TeX command: maths MathJax did not typeset.
TEX_LEFT = re.compile(r"\$\$|\\\(|\\\[|\$[^$]*[\\^_{}][^$]*\$|\$\\[A-Za-z]")
ERROR_TEXTS = ("Math Processing Error", "Math input error", "Error displaying widget")
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'


def rendered_dom(page: Path, chromium: str = "chromium") -> str:
    """The DOM of ``page`` after its scripts ran, as headless Chromium dumps it."""
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0 or not result.stdout:
        raise RuntimeError(f"{chromium} failed on {page} (exit {result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def problems(dom: str) -> tuple[int, list[str]]:
    """The number of typeset formulas in ``dom`` and what is wrong with its maths, widgets or outputs (empty: none)."""
    soup = BeautifulSoup(dom, "html.parser")
    typeset = len(soup.find_all("mjx-container"))
    found = [] if typeset else ["no typeset formula (no mjx-container): MathJax did not run"]
    # The widget renderer draws each saved view into a widget-subarea beside its script; without it, nothing shows.
    views = soup.select(WIDGET_VIEW)
    undrawn = [view for view in views if not view.parent.select(".widget-subarea [class*='widget-']")]
    found += [f"{len(undrawn)} of {len(views)} widgets not drawn from their saved state"] if undrawn else []
    found += [f"TeX error: {error.get('data-mjx-error', error.get_text())}" for error in soup.find_all("mjx-merror")]
    found += [f"undefined TeX macro: {text.get_text()}" for text in soup.find_all("mtext", mathcolor="red")]
    found += [f"MathJax says {text!r}" for text in ERROR_TEXTS if text in soup.get_text()]
    for markdown in soup.select(".jp-RenderedMarkdown"):
        for skipped in markdown.find_all(["code", "pre", "mjx-container"]):
            skipped.decompose()
        found += [f"TeX left as text: {match.group()[:80]!r}" for match in TEX_LEFT.finditer(markdown.get_text())]
    for output in soup.select('[data-mime-type="application/vnd.jupyter.stderr"]'):
        first_line = (output.get_text().strip().splitlines() or [""])[0]
        found.append(f"stderr output in the report: {first_line[:100]!r}")
    return typeset, found


def main(pages: list[str]) -> int:
    if not pages:
        return usage(__doc__)
    results = (problems(rendered_dom(page)) for page in map(Path, pages))
    return verdict(
        (f"{page}: {typeset} formulas typeset offline", found) for page, (typeset, found) in zip(pages, results)
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
