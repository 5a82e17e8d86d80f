"""The sentences of notebook 02 that follow its numbers: made here, beside the report, from the package's facts.

Reword an answer here; the numbers come from :mod:`coursework.report.facts` and :mod:`coursework.evaluation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursework.evaluation.latent import LatentSweep, SweepFacts
from coursework.report import facts as report_facts
from coursework.report.tables import readable


def sweep_verdict(sweep: LatentSweep, facts: SweepFacts) -> str:
    """Markdown answering "is there a correlation between latent size and error?" for one arm of the sweep, by the
    report's rule: a doubling counts when the seed ranges of its two sizes do not overlap."""
    table, steps, side = sweep.table, facts.steps, facts.side
    first, last = table.iloc[0], table.iloc[-1]
    apart = report_facts.sweep_steps_apart(table)
    trend = (
        f"each doubling of C lowers it by {steps.min():.0%} to {steps.max():.0%}"
        if (steps > 0).all()
        else "not every doubling of C lowers it"
    )
    doublings = [f"{low}->{high}" for low, high, ok in zip(table.index[:-1], table.index[1:], apart) if not ok]
    rule = (
        f"at all {len(apart)} doublings the seed ranges are apart"
        if not doublings
        else f"the seed ranges overlap at C = {', '.join(doublings)}: no difference there"
    )
    strays = "; ".join(
        f"C = {row.channels}, seed {row.seed}: {row.best_val_mse:.4f}" for row in facts.outliers.itertuples()
    )
    stray = f" Far from their size's median: {strays}." if strays else ""
    parameters = (
        f" Parameters: {int(table.parameters.iloc[0]):,} to {int(table.parameters.iloc[-1]):,}."
        if "parameters" in table
        else ""
    )
    return (
        f"**Controlled, {side}x{side}xC: yes.** {len(table)} sizes x {int(table.seeds.min())} seeds: the median "
        f"validation MSE falls from {first.median_val_mse:.4f} ({int(first.latent_values):,} values) to "
        f"{last.median_val_mse:.4f} ({int(last.latent_values):,}); {trend}; {rule}.{stray} Log-log r of the "
        f"medians = {signed(sweep.correlation)}.{parameters}"
    )


def signed(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and a typographic minus sign (−0.91), as the report writes numbers."""
    return f"{value:.{digits}f}".replace("-", "\N{MINUS SIGN}")


def span(low: float, high: float, digits: int = 5) -> str:
    """A range of values as the report writes it: ``low``–``high`` with an en dash (never read as a minus)."""
    return f"{low:.{digits}f}\N{EN DASH}{high:.{digits}f}"


def layout_sentence(comparison: pd.DataFrame, apart: pd.Series | None = None) -> str:
    """Markdown comparing the two layouts at equal latent sizes (from ``evaluation.latent.layout_comparison``); with
    ``apart`` (:func:`coursework.report.facts.layouts_apart`), which sizes count as a difference by the report's
    rule."""
    small, large = sorted(int(column.removeprefix("median_")) for column in comparison if column.startswith("median_"))
    pairs = [
        f"{size:,} values: {small}x{small}x{int(row[f'channels_{small}'])} {row[f'median_{small}']:.4f}, "
        f"{large}x{large}x{int(row[f'channels_{large}'])} {row[f'median_{large}']:.4f} ({row.ratio:.2f}x)"
        for size, row in comparison.iterrows()
    ]
    wins = [f"{size:,}" for size in comparison.index[comparison.ratio < 1]]
    losses = [f"{size:,}" for size in comparison.index[comparison.ratio > 1]]
    if not losses and len(wins) == len(comparison):
        verdict = (
            f"at every shared size the {large}x{large} layout (more positions, fewer channels) has the lower median"
        )
    elif not wins and len(losses) == len(comparison):
        verdict = (
            f"at every shared size the {small}x{small} layout (fewer positions, more channels) has the lower median"
        )
    else:
        verdict = (
            f"the {large}x{large} layout has the lower median at {', '.join(wins) or 'no'} values, the "
            f"{small}x{small} layout at {', '.join(losses) or 'no'}"
        )
    if apart is not None:
        overlapping = [f"{size:,}" for size in apart.index[~apart.to_numpy()]]
        verdict += (
            "; the seed ranges are apart at every shared size"
            if not overlapping
            else f"; at {', '.join(overlapping)} values the seed ranges overlap: no difference there by our rule"
        )
    return f"**Same number of latent values, two layouts** (median validation MSE): {'; '.join(pairs)}: {verdict}."


def setting(row: pd.Series) -> str:
    """A colorizer setting as the report names it: the model, and its temperature if it has one."""
    return f"`{row.model}`" + ("" if np.isnan(row.temperature) else f" at T = {row.temperature:g}")


def colour_targets(row: pd.Series, targets: dict[str, float]) -> str:
    """Whether one colorizer (a row of a colour table) meets the targets, as one line."""
    closeness, colour = row["vs_mean_chroma"], row["vs_truth"]
    mse_target, colour_target = targets["vs_mean_chroma"], targets["vs_truth"]
    return (
        f"targets for the colorizer: chroma MSE <= {mse_target:.2f}x mean chroma: {closeness:.2f}x "
        f"({'met' if closeness <= mse_target else 'not met'}); colourfulness >= {colour_target:.1f}x truth: "
        f"{colour:.2f}x ({'met' if colour >= colour_target else 'not met'})"
    )


VERDICTS = {  # seeded_ablation's verdicts in the report's words
    "control": "control",
    "difference": "ranges apart: a difference",
    "no difference": "ranges overlap: no difference",
    "outside control range": "one seed, outside the control's range",
    "inside control range": "one seed, inside the control's range",
}


def ablation_table(pooled: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """:func:`coursework.report.facts.seeded_ablation`'s table as the report prints it: one row per model (its label),
    the mean chroma MSE and its seed range, the mean's ratio to the control's and to the mean-chroma baseline, the
    colourfulness relative to the truth's, and what the rule makes of it."""
    shown = readable(
        pooled.rename(columns={"vs_control": "vs_unet_mse"}),
        ["seeds", "chroma_mse", "vs_unet_mse", "vs_mean_chroma", "vs_truth"],
    )
    ranges = ["-" if row.seeds < 2 else span(row.lowest, row.highest) for row in pooled.itertuples()]
    shown.insert(2, "seed range", ranges)
    shown = shown.rename(columns={"vs U-Net MSE": "vs control", "vs truth": "colour vs truth"})
    shown["by the rule"] = pooled.verdict.map(VERDICTS)
    return shown.rename(index=lambda name: labels.get(name, name))


def ablation_verdict(pooled: pd.DataFrame, labels: dict[str, str]) -> str:
    """Markdown: the colorization ablation by the report's rule, from :func:`coursework.report.facts.
    seeded_ablation`."""
    control = pooled.index[pooled.verdict == "control"][0]
    base = pooled.loc[control]
    spread = (base.highest - base.lowest) / base.chroma_mse
    lines = [
        f"**By the rule.** The control's {int(base.seeds)} seeds span {span(base.lowest, base.highest)} "
        f"({spread:.1%} of their mean)."
    ]
    for name, row in pooled.drop(index=control).iterrows():
        if row.verdict in ("difference", "no difference"):
            outcome = (
                "its range lies apart from the control's: a difference"
                if row.verdict == "difference"
                else "its range overlaps the control's: no difference"
            )
            lines.append(
                f"*{labels.get(name, name)}* ({int(row.seeds)} seeds): {row.chroma_mse:.5f} "
                f"({row.vs_control:.3f}x the control), range {span(row.lowest, row.highest)}; {outcome}."
            )
    single = pooled[pooled.seeds < 2]
    for where in ("inside", "outside"):
        names = [f"*{labels.get(name, name)}*" for name in single.index[single.verdict == f"{where} control range"]]
        if names:
            lines.append(f"One seed, {where} the control's range: {'; '.join(names)} (reported, not findings).")
    return " ".join(lines)


def default_sentence(chosen: pd.Series, candidates: int, agrees: bool, colour: dict) -> str:
    """Markdown: the default colorizer chosen on validation and its one held-out measurement (``colour``:
    :func:`coursework.report.facts.colour_facts`)."""
    targets, confirmed = colour["targets"], colour["confirmed"]
    closest = colour["closest_setting"]
    checks = "; ".join(
        f"{where}: chroma MSE {row.chroma_mse:.5f} ({row.vs_mean_chroma:.2f}x), colourfulness {row.vs_truth:.2f}x"
        for where, row in confirmed.iterrows()
    )
    met = colour["confirmed_meeting"]
    return (
        f"**Chosen on validation** among {candidates} settings: {setting(chosen)} ({chosen.vs_mean_chroma:.2f}x the "
        f"mean-chroma baseline, {chosen.vs_truth:.2f}x the true colourfulness); "
        f"{'it is' if agrees else 'it is NOT'} `colorize()`'s default. The closest setting of all, "
        f"{setting(closest)} ({closest.vs_mean_chroma:.2f}x), keeps only {closest.vs_truth:.2f}x of the colour. "
        f"Settings meeting both targets (<= {targets['vs_mean_chroma']:.2f}x, >= {targets['vs_truth']:.1f}x) on "
        f"validation: {colour['settings_meeting'] or 'none'}.\n\n"
        f"**Measured once on held-out images:** {checks}; both targets met in {met} of {len(confirmed)}."
    )
