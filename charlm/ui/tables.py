"""The page's tables, as pandas DataFrames with column names in the page's language: a run's
history per epoch, the sweeps' numbers (with a CSV download), the teacher's run list.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from charlm.common import atomic
from charlm.serving import jobs, ownership
from charlm.training import runfiles
from charlm.ui import sweep_charts
from charlm.ui.strings import status_label, text

HISTORY_COLUMNS = {  # history.json field -> strings key
    "epoch": "epoch",
    "loss": "col_train_loss",
    "val_loss": "col_val_loss",
    "val_bits_per_char": "col_val_bits",
    "seconds": "col_epoch_seconds",
}


def history_frame(history: list[dict], lang: str) -> pd.DataFrame:
    """One row per epoch: epoch, losses (nats/char), validation bits/char, seconds."""
    frame = pd.DataFrame(history, columns=list(HISTORY_COLUMNS))
    return frame.rename(columns={k: text(lang, v) for k, v in HISTORY_COLUMNS.items()})


def history_table(lang: str, history: list[dict]) -> None:
    st.dataframe(history_frame(history, lang), hide_index=True, width="stretch")


def sweep_frame(points, lang: str) -> pd.DataFrame:
    """One row per temperature, one column per figure (the chart's order and names)."""
    columns = {"temperature": text(lang, "col_temperature")}
    columns |= {field: text(lang, key) for field, key in sweep_charts.SWEEP_FIGURES.items()}
    rows = [{field: getattr(p, field) for field in columns} for p in points]
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)


def knob_sweep_frame(points, knob: str, lang: str) -> pd.DataFrame:
    """One row per value of `knob` ("top_p" or "min_p"), one column per figure."""
    columns = {"value": text(lang, f"sweep_along_{knob}")}
    columns |= {field: text(lang, key) for field, key in sweep_charts.KNOB_FIGURES.items()}
    rows = [{field: getattr(p, field) for field in columns} for p in points]
    return pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)


def sweep_table(lang: str, frame: pd.DataFrame, file_name: str) -> None:
    """A sweep's numbers under its charts, and the same as a UTF-8 CSV file."""
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        text(lang, "sweep_csv"),
        lambda: frame.to_csv(index=False).encode("utf-8"),  # built only when pressed
        file_name=file_name,
        mime="text/csv",
        key="sweep_csv",
        on_click="ignore",  # a download needs no rerun
    )


def run_frame(runs: list[Path], lang: str) -> pd.DataFrame:
    """Every run the teacher can see: name, status, recipe, epochs, last validation loss, and
    whether it is private, published, pinned."""
    rows = []
    for run_dir in runs:
        state, access = jobs.read_run(run_dir), ownership.read_access(run_dir)
        losses = [row["val_loss"] for row in state.history if row.get("val_loss") is not None]
        rows.append(
            {
                "col_run": run_dir.name,
                "col_status": status_label(lang, state.status),
                "col_recipe": _recipe(run_dir),
                "col_epochs": len(state.history),
                "col_val_loss": losses[-1] if losses else None,
                "col_private": access.private,
                "col_published": access.published,
                "col_pinned": access.pinned,
            }
        )
    keys = ["col_run", "col_status", "col_recipe", "col_epochs", "col_val_loss"]
    keys += ["col_private", "col_published", "col_pinned"]
    return pd.DataFrame(rows, columns=keys).rename(columns={k: text(lang, k) for k in keys})


def _recipe(run_dir: Path) -> str | None:
    run = atomic.read_json(run_dir / runfiles.RUN_FILE, default={})
    recipe = run.get("recipe") if isinstance(run, dict) else None
    return recipe.get("name") if isinstance(recipe, dict) else None


def run_table(lang: str, runs: list[Path]) -> None:
    st.markdown(f"**{text(lang, 'run_list')}**")
    st.dataframe(run_frame(runs, lang), hide_index=True, width="stretch")
