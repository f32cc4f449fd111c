"""Names and readers of the files in a training run folder (shared by trainer, CLI and app)."""

from __future__ import annotations

import time
from pathlib import Path

from charlm.common import atomic, records
from charlm.common.records import NUMBER, OPTIONAL_NUMBER

RUN_FILE = "run.json"
PROGRESS_FILE = "progress.json"
HISTORY_FILE = "history.json"
SAMPLES_FILE = "samples.json"
CURVE_FILE = "curve.json"  # every few seconds of training: loss on a validation slice, a sample
CHECKPOINT_DIR = "checkpoints"
BACKUP_DIR = "backup"
MODEL_DIR = "model"
LOG_FILE = "train.log"
LOCK_FILE = ".training.lock"  # in runs/: one trainer at a time
TRAINER_LOCK_FILE = ".trainer.lock"  # in the run folder: held while this run's trainer lives

SAMPLE_TEMPERATURES = (0.2, 0.5, 1.0, 1.2)
SAMPLE_LENGTH = 400

ACTIVE_STATUSES = {"starting", "running", "exporting"}


# The files below are read back by the page: each is checked for the shape its readers use.
PROGRESS_FIELDS = {
    "status": str,
    "message": str,
    "traceback": str,
    "pid": int,
    "epoch": int,
    "epochs": int,
    "batch": int,
    "fraction": NUMBER,
    "eta_seconds": NUMBER,
}
HISTORY_ROW = {"epoch": int, "loss": OPTIONAL_NUMBER, "val_loss": OPTIONAL_NUMBER}
SAMPLES_ROW = {"epoch": int, "samples": dict}
CURVE_ROW = {"seconds": NUMBER, "val_loss": NUMBER, "sample": str}


def read_progress(run_dir: Path) -> dict:
    """progress.json, with every field of the wrong type left out."""
    return records.fields(atomic.read_json(Path(run_dir) / PROGRESS_FILE), PROGRESS_FIELDS)


def update_progress(run_dir: Path, **fields) -> dict:
    progress = read_progress(run_dir)
    progress.update(fields, updated=time.time())
    atomic.write_json(Path(run_dir) / PROGRESS_FILE, progress)
    return progress


def read_history(run_dir: Path) -> list[dict]:
    return records.rows(atomic.read_json(Path(run_dir) / HISTORY_FILE), HISTORY_ROW)


def read_curve(run_dir: Path) -> list[dict]:
    return records.rows(atomic.read_json(Path(run_dir) / CURVE_FILE), CURVE_ROW)


def read_samples(run_dir: Path) -> list[dict]:
    return sample_rows(atomic.read_json(Path(run_dir) / SAMPLES_FILE))


def sample_rows(payload) -> list[dict]:
    """samples.json rows whose samples map temperature labels to text."""
    return [
        row
        for row in records.rows(payload, SAMPLES_ROW)
        if all(isinstance(k, str) and isinstance(v, str) for k, v in row["samples"].items())
    ]
