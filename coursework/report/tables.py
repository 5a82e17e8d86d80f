"""Tables as the report prints them: one format and one heading per column, for every table of the package."""

from __future__ import annotations

import pandas as pd

# column -> (heading, format): the one registry of how a number is shown.
FORMATS = {
    "change": ("change", "{}"),
    "latent": ("latent", "{}"),
    "latent_values": ("latent values", "{:,}"),
    "parameters": ("params", "{:,}"),
    "epochs": ("epochs", "{}"),
    "cap": ("cap", "{}"),
    "fewest": ("fewest", "{}"),
    "most": ("most", "{}"),
    "at_cap": ("best at last epoch", "{}"),
    "best_epoch": ("best epoch", "{}"),
    "best_val_mse": ("validation MSE", "{:.3g}"),
    "test_mse": ("test MSE", "{:.3g}"),
    "test_psnr_db": ("test PSNR (dB)", "{:.1f}"),
    "seeds": ("seeds", "{}"),
    "mean": ("mean", "{:.3g}"),
    "lowest": ("lowest", "{:.3g}"),
    "highest": ("highest", "{:.3g}"),
    "vs_base": ("ratio", "{:.2f}x"),
    "verdict": ("difference", "{}"),
    "result": ("result", "{}"),
    "mean_val_mse": ("mean validation MSE", "{:.3g}"),
    "min_val_mse": ("lowest", "{:.3g}"),
    "max_val_mse": ("highest", "{:.3g}"),
    "jpeg_mse": ("MSE, JPEG pixels", "{:.3g}"),
    "official_mse": ("MSE, official pixels", "{:.3g}"),
    "factor": ("official / JPEG", "{:.2f}x"),
    "study": ("study run", "{:.3g}"),
    "long": ("longer run", "{:.3g}"),
    "ratio": ("ratio", "{:.3f}x"),
    "runs": ("runs", "{}"),
    "repeated": ("repeated exactly", "{}"),
    "moved": ("largest change", "{:.3f}x"),
    "low": ("95 % interval from", "{:.3f}x"),
    "high": ("to", "{:.3f}x"),
    "chroma_mse": ("chroma MSE", "{:.5f}"),
    "vs_mean_chroma": ("ratio to baseline", "{:.3f}x"),
    "colourfulness": ("colourfulness", "{:.1f}"),
    "vs_truth": ("colourfulness ratio", "{:.2f}x"),
    "timed": ("models timed", "{}"),
    "untimed": ("not timed", "{}"),
    "minutes": ("minutes (timed)", "{:.1f}"),
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
