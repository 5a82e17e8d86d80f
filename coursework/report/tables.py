"""Tables as the report prints them: one format and one heading per column, for every table of the package."""

from __future__ import annotations

import pandas as pd

from coursework.evaluation import best_validation
from coursework.experiments import Trained

# column -> (heading, format): the one registry of how a number is shown.
FORMATS = {
    "change": ("change", "{}"),
    "changes": ("one change?", "{}"),
    "latent": ("latent", "{}"),
    "latent_values": ("latent values", "{:,}"),
    "parameters": ("parameters", "{:,}"),
    "epochs": ("epochs", "{}"),
    "best_val_mse": ("validation MSE", "{:.4f}"),
    "test_mse": ("test MSE", "{:.4f}"),
    "test_psnr_db": ("test PSNR (dB)", "{:.1f}"),
    "median_val_mse": ("median validation MSE", "{:.4f}"),
    "min_val_mse": ("lowest", "{:.4f}"),
    "max_val_mse": ("highest", "{:.4f}"),
    "seeds": ("seeds", "{}"),
    "dead_channels": ("dead channels", "{}"),
    "jpeg_mse": ("MSE, JPEG pixels", "{:.4f}"),
    "official_mse": ("MSE, official pixels", "{:.4f}"),
    "factor": ("official / JPEG", "{:.2f}x"),
    "reference": ("reference", "{:.4f}"),
    "ours, test split": ("ours, test split", "{:.4f}"),
    "ours, bit-exact: JPEG": ("ours, bit-exact: JPEG", "{:.4f}"),
    "ours, bit-exact: official": ("ours, bit-exact: official", "{:.4f}"),
    "our model": ("our model", "{}"),
    "temperature": ("temperature", "{:g}"),
    "chroma_mse": ("chroma MSE", "{:.5f}"),
    "vs_mean_chroma": ("vs mean chroma", "{:.2f}x"),
    "vs_unet_mse": ("vs U-Net MSE", "{:.3f}x"),
    "rgb_psnr_db": ("RGB PSNR (dB)", "{:.1f}"),
    "colourfulness": ("colourfulness", "{:.1f}"),
    "vs_truth": ("vs truth", "{:.2f}x"),
}


def readable(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """``table``'s ``columns`` (default: all) as text for the report: each in its :data:`FORMATS` format, under its
    heading; a missing value as "-". Text columns without a format are shown as they are; a numeric column without
    one is an error (it would print with all its digits)."""
    if isinstance(columns, str):
        raise ValueError(f"columns must be a list of column names, got the string {columns!r}")
    missing = [] if columns is None else [name for name in columns if name not in table.columns]
    if missing:
        raise ValueError(f"the table has no columns {missing}; it has {list(table.columns)}")
    shown = table[list(table.columns) if columns is None else columns]
    unknown = [name for name in shown.columns if name not in FORMATS and pd.api.types.is_numeric_dtype(shown[name])]
    if unknown:
        raise ValueError(f"numeric columns {unknown} have no heading and format in report.tables.FORMATS")

    def formatted(column: pd.Series) -> pd.Series:
        if column.name not in FORMATS:
            return column
        return column.map(lambda value: "-" if pd.isna(value) else FORMATS[column.name][1].format(value))

    text = shown.apply(formatted)
    return text.rename(columns={name: FORMATS[name][0] for name in shown.columns if name in FORMATS})


def study_summary(table: pd.DataFrame, base: str = "study_base", input_values: int = 3072) -> str:
    """An :func:`coursework.evaluation.autoencoders.evaluate` table as text, one line per experiment: changes from the
    base model, latent (and whether it is smaller than the input), epochs trained and the best one, best validation
    MSE and its ratio to ``base``'s, and test MSE; then what each compound variant changes."""
    if base not in table.index:
        raise ValueError(f"the table has no row for the base model {base!r} (rows: {list(table.index)})")
    base_val = table.best_val_mse[base]
    lines = [
        f"{'experiment':<24} {'changes':<8} {'latent':<9} {'< input':<7} {'epochs':>6} {'best':>4} {'val MSE':>8} "
        f"{'vs base':>7} {'test MSE':>8}"
    ]
    for name, row in table.iterrows():
        smaller = "yes" if row.latent_values < input_values else "NO"
        lines.append(
            f"{name:<24} {row.changes:<8} {row.latent:<9} {smaller:<7} {row.epochs:>6} {row.best_epoch:>4} "
            f"{row.best_val_mse:>8.4f} {row.best_val_mse / base_val:>6.2f}x {row.test_mse:>8.4f}"
        )
    compound = table.index[table.changes == "compound"]
    lines += [f"{name}: compound: {table.change[name]}" for name in compound]
    return "\n".join(lines)


def colorizer_summary(colorizers: dict[str, Trained]) -> pd.DataFrame:
    """One row per trained colorizer: parameters, epochs trained of its cap, its loss, and its best validation loss
    and the epoch it came at."""
    rows = {}
    for name, (model, history, config) in colorizers.items():
        loss, epoch = best_validation(history)
        rows[name] = {
            "parameters": f"{model.count_params():,}",
            "epochs": f"{len(history['loss'])} of {config.epochs}",
            "loss": config.loss_name,
            "best validation loss": f"{loss:.4f}",
            "at epoch": epoch,
        }
    return pd.DataFrame.from_dict(rows, orient="index")
