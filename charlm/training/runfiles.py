"""Names and readers of the files in a training run folder (shared by trainer, CLI and app)."""

from __future__ import annotations

import time
from pathlib import Path

from charlm.common import atomic

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


def read_progress(run_dir: Path) -> dict:
    return atomic.read_json(Path(run_dir) / PROGRESS_FILE, default={}) or {}


def update_progress(run_dir: Path, **fields) -> dict:
    progress = read_progress(run_dir)
    progress.update(fields, updated=time.time())
    atomic.write_json(Path(run_dir) / PROGRESS_FILE, progress)
    return progress


def read_history(run_dir: Path) -> list[dict]:
    return atomic.read_json(Path(run_dir) / HISTORY_FILE, default=[]) or []


def read_curve(run_dir: Path) -> list[dict]:
    return atomic.read_json(Path(run_dir) / CURVE_FILE, default=[]) or []


def read_samples(run_dir: Path) -> list[dict]:
    return atomic.read_json(Path(run_dir) / SAMPLES_FILE, default=[]) or []
