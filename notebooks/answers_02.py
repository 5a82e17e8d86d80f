"""The sentences of notebook 02 that follow its numbers: made here, beside the report, from the package's facts.

Reword an answer here; the numbers come from :mod:`coursework.report.facts` and :mod:`coursework.evaluation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursework.evaluation.latent import LatentSweep, SweepFacts


def sweep_verdict(sweep: LatentSweep, facts: SweepFacts) -> str:
    """Markdown answering "is there a correlation between latent size and error?" for one arm of the sweep."""
    table, steps, side = sweep.table, facts.steps, facts.side
    first, last = table.iloc[0], table.iloc[-1]
    trend = (
        f"every doubling of the channels lowers the median, by {steps.min():.0%} to {steps.max():.0%}"
        if (steps > 0).all()
        else "but not at every doubling of the channels"
    )
    beyond = facts.beyond_spread
    noise = (
        "each step of the medians is larger than the agreeing seeds' spread at its two sizes"
        if beyond.all()
        else f"{int((~beyond).sum())} of {len(steps)} steps of the medians are within the agreeing seeds' spread"
    )
    strays = "; ".join(
        f"C = {row.channels}, seed {row.seed} ({row.best_val_mse:.4f}, "
        f"{f'{row.dead_channels} of its {row.channels} latent channels dead' if row.dead_channels else 'none dead'})"
        for row in facts.outliers.itertuples()
    )
    agreement = (
        f"Apart from {strays}, far from its size's median, the seeds agree within {facts.spread:.0%} of their size's "
        "median"
        if strays
        else f"The seeds agree within {facts.spread:.0%} of the median at every size"
    )
    return (
        f"**Controlled, {side}x{side}xC: yes.** With one architecture and only the latent channels C changed "
        f"({len(table)} sizes, {int(table.seeds.min())} seeds each, best validation MSE within "
        f"{int(table.max_epochs.max())} epochs), the median validation MSE falls from {first.median_val_mse:.4f} at "
        f"{int(first.latent_values)} latent values to {last.median_val_mse:.4f} at {int(last.latent_values)}: "
        f"{trend}. {agreement}; {noise}. Log-log correlation of the medians: r = {sweep.correlation:.2f}."
    )


def layout_sentence(comparison: pd.DataFrame) -> str:
    """Markdown comparing the two layouts at equal latent sizes (from ``evaluation.latent.layout_comparison``)."""
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
            f"the {large}x{large} layout has the lower median at {', '.join(wins) or 'no'} shared sizes, the "
            f"{small}x{small} layout at {', '.join(losses) or 'no'}"
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


def answers(arch: dict, colour: dict, official: pd.DataFrame | None) -> str:
    """The answers to Ex. 1-3 as Markdown, from :func:`coursework.report.facts.architecture_facts` and
    :func:`coursework.report.facts.colour_facts`."""
    base, best, name = arch["base"], arch["best"], arch["best_name"]

    def on_official(experiment: str) -> str:
        if official is None or experiment not in official.index:
            return ""
        row = official.loc[experiment]
        return f"; on the bit-exact official test images {row.jpeg_mse:.4f} (JPEG), {row.official_mse:.4f} (official)"

    effects = "; ".join(f"{change} {ratio:.2f}x" for change, ratio in arch["effects"].items())
    (sizes, seeds, r8), (wide_sizes, _, r16) = (arch["sweeps"][side] for side in sorted(arch["sweeps"]))
    kind = f"; compound: {best.change}" if best.changes == "compound" else ""
    monotonic = (
        "every doubling of the latent lowers the median error" if arch["monotonic"] else "not every doubling does"
    )
    table, target = colour["colour"], colour["targets"]["vs_mean_chroma"]
    rgb, same = table.loc["colorizer_rgb"], table.loc["colorizer_chroma_32_8"]
    reached = f"reached by {', '.join(colour['reached'])}" if colour["reached"] else "not reached by any model"
    chosen, closest = colour["chosen"], colour["closest_setting"]
    held_out = ", ".join(
        f"{where} {row.vs_mean_chroma:.2f}x and {row.vs_truth:.2f}x" for where, row in colour["confirmed"].iterrows()
    )
    return "\n".join(
        [
            f"**Ex. 1.** The prescribed network trained for {base.epochs} epochs on the 80/10/10 split reaches a test "
            f"MSE of {base.test_mse:.4f} on the JPEG pixels{on_official('cae_base')}.",
            "",
            f"**Ex. 2.** The base model's latent is {base.latent} = {base.latent_values} values. Of {arch['variants']} "
            f"variants ({arch['compound']} compound), one change at a time, validation MSE relative to the base model "
            f"of the same budget: {effects}. Over the study's models, log-log r = {arch['correlation']:.2f} between "
            f"latent size and test MSE; controlled, with only the latent channels changed ({sizes} sizes x {seeds} "
            f"seeds), r = {r8:.2f} at 8x8xC and r = {r16:.2f} at 16x16xC ({wide_sizes} sizes); "
            f"{monotonic}. Chosen on validation MSE, the best model with a latent smaller than the input is `{name}` "
            f"({best.latent}, validation MSE {best.best_val_mse:.4f}{kind}); its test MSE is "
            f"{best.test_mse:.4f}{on_official(name)}.",
            "",
            f"**Ex. 3.** Gray -> RGB on the best study architecture gives a chroma MSE of {rgb.chroma_mse:.5f} "
            f"({rgb.vs_mean_chroma:.2f}x the mean-chroma baseline) and RGB PSNR {rgb.rgb_psnr_db:.1f} dB; predicting "
            f"only Cr, Cb on the same architecture gives {same.chroma_mse:.5f} ({same.vs_mean_chroma:.2f}x) and keeps "
            f"the gray image exactly. The chroma-MSE target (at most {target:.2f}x) is {reached} among the first "
            f"models. Over every setting on validation the closest is {setting(closest)} "
            f"({closest.vs_mean_chroma:.2f}x, colourfulness {closest.vs_truth:.2f}x); "
            f"{colour['settings_meeting'] or 'no'} setting(s) meet both targets. The default of `colorize()`, chosen "
            f"on validation (the closest with >= {colour['targets']['vs_truth']:.1f}x colourfulness), is "
            f"{setting(chosen)}; measured once on held-out data: {held_out}.",
        ]
    )


def colour_verdict(ablation: pd.DataFrame, changes: dict[str, str], colour: dict) -> str:
    """Markdown summing up the colorization ablation (``ablation``: from ``evaluation.colour.colour_ablation``;
    ``changes``: each model's change in words)."""
    effects = "; ".join(
        f"{changes[name]}: {ratio:.3f}x" for name, ratio in ablation.vs_unet_mse.drop("colorizer_unet_mse").items()
    )
    closest, chosen, targets = colour["closest_setting"], colour["chosen"], colour["targets"]
    checks = ", ".join(
        f"{where} {row.vs_mean_chroma:.2f}x / {row.vs_truth:.2f}x" for where, row in colour["confirmed"].iterrows()
    )
    met, confirmed = colour["confirmed_meeting"], colour["confirmed"]
    everywhere = met == len(confirmed)
    return "\n".join(
        [
            f"**Each model, on validation** (chroma MSE relative to the MSE U-Net): {effects}.",
            "",
            f"**Closest setting of all:** {setting(closest)}, {closest.vs_mean_chroma:.2f}x the mean-chroma baseline "
            f"({closest.vs_truth:.2f}x the true colourfulness). Settings that meet both targets (chroma MSE <= "
            f"{targets['vs_mean_chroma']:.2f}x, colourfulness >= {targets['vs_truth']:.1f}x) on validation: "
            f"{colour['settings_meeting'] or 'none'}.",
            "",
            f"**The default** (the closest setting that keeps >= {targets['vs_truth']:.1f}x of the true colourfulness, "
            f"on validation): {setting(chosen)}, {chosen.vs_mean_chroma:.2f}x and {chosen.vs_truth:.2f}x. Confirmed "
            f"once (chroma MSE / colourfulness, relative): {checks}; both targets met "
            f"{'everywhere' if everywhere else f'in {met} of {len(confirmed)}'}.",
        ]
    )
