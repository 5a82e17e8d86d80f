"""Tests of the report check (tools/check_report.py) on DOMs shaped like MathJax 3's and nbconvert's output; the
check itself runs in Chromium by ``make check-report``."""

import sys

from coursework.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
from check_report import problems  # noqa: E402

TYPESET = (
    '<mjx-container class="MathJax" jax="CHTML"><mjx-math></mjx-math><mjx-assistive-mml><math>'
    "<msup><mi>&#x3C3;</mi><mo>&#x2032;</mo></msup></math></mjx-assistive-mml></mjx-container>"
)


def page(markdown: str) -> str:
    return f'<html><body><div class="jp-RenderedMarkdown"><p>{markdown}</p></div></body></html>'


def test_typeset_maths_passes_with_prices_and_code_left_alone() -> None:
    assert problems(page(f"The derivative {TYPESET} costs $5, not <code>$x_1$</code>.")) == (1, [])


def test_a_page_without_mathjax_is_refused() -> None:
    typeset, found = problems(page(r"Raw: $\sigma' = \sigma(1-\sigma)$ and $$\delta_2 = e$$"))
    assert typeset == 0
    assert found[0].startswith("no typeset formula")
    assert 'TeX left as text: "$\\\\sigma\' = \\\\sigma(1-\\\\sigma)$"' in found
    assert "TeX left as text: '$$'" in found


def test_errors_and_undefined_macros_are_reported() -> None:
    dom = page(
        f'{TYPESET}<mjx-container><mjx-merror data-mjx-error="Missing close brace"></mjx-merror></mjx-container>'
        '<mjx-container><math><mtext mathcolor="red">\\foo</mtext></math></mjx-container>[Math Processing Error]'
    )
    assert problems(dom) == (
        3,
        ["TeX error: Missing close brace", "undefined TeX macro: \\foo", "MathJax says 'Math Processing Error'"],
    )


def test_stderr_output_is_reported_as_log_noise() -> None:
    stderr = '<div data-mime-type="application/vnd.jupyter.stderr"><pre>WARNING: All log\nI0000 ...</pre></div>'
    dom = page(TYPESET).replace("</body>", f"{stderr}</body>")
    assert problems(dom) == (1, ["stderr output in the report: 'WARNING: All log'"])


def widget_output(drawn: bool) -> str:
    view = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "1"}</script>'
    subarea = '<div class="widget-subarea"><div class="widget-interact"></div></div>' if drawn else ""
    return f'<div class="jupyter-widgets">{view}{subarea}</div>'


def test_saved_widgets_must_be_drawn() -> None:
    assert problems(page(TYPESET) + widget_output(drawn=True)) == (1, [])
    dom = page(TYPESET) + widget_output(drawn=True) + widget_output(drawn=False)
    assert problems(dom) == (1, ["1 of 2 widgets not drawn from their saved state"])
