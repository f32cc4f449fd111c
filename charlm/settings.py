"""One home for paths and defaults, read from the environment when asked."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_flag(name: str, default: bool, unknown: bool | None = None) -> bool:
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS | FALSE_WORDS:
        return value in TRUE_WORDS
    fallback = default if unknown is None else unknown
    _problem(f"{name}={value!r} is not one of 1/0, true/false, yes/no, on/off; using {fallback}")
    return fallback


TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# Settings that were set to something unusable, said once on the page and by the CLI.
PROBLEMS: list[str] = []


def _problem(text: str) -> None:
    if text not in PROBLEMS:
        PROBLEMS.append(text)


def _env_int(name: str, default: int, low: int = 1, high: int | None = None) -> int:
    """A whole number in [low, high]; anything else keeps the default and is reported."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        _problem(f"{name}={value!r} is not a whole number; using {default}")
        return default
    if number < low or (high is not None and number > high):
        bounded = min(max(number, low), high if high is not None else number)
        _problem(f"{name}={number} is outside {low}–{high or '∞'}; using {bounded}")
        return bounded
    return number


@dataclass(frozen=True)
class Settings:
    artifacts_dir: Path
    runs_dir: Path
    corpus_path: Path | None
    training_enabled: bool
    max_epochs: int
    max_upload_mb: int
    trainer_threads: int  # TensorFlow threads of a trainer launched from the page
    trainer_nice: int  # its scheduling priority: the page's visitors come first
    max_queue: int  # training requests that may wait at once
    max_run_minutes: int  # wall-clock cap of one run
    runs_budget_mb: int  # disk budget of runs/: oldest unpinned finished runs go first
    run_interval_s: int  # one run request per this many seconds per person
    teacher_passphrase: str | None  # controls every run (also the secret teacher_passphrase)


def load_settings() -> Settings:
    """Read CHARLM_* variables; every one has a working default."""
    corpus = os.environ.get("CHARLM_CORPUS", "").strip()
    return Settings(
        artifacts_dir=Path(os.environ.get("CHARLM_ARTIFACTS", PROJECT_ROOT / "artifacts")),
        runs_dir=Path(os.environ.get("CHARLM_RUNS", PROJECT_ROOT / "runs")),
        corpus_path=Path(corpus) if corpus else None,
        # A word it cannot read switches training off: the operator meant to change something.
        training_enabled=_env_flag("CHARLM_TRAINING", True, unknown=False),
        max_epochs=_env_int("CHARLM_MAX_EPOCHS", 30, 1, 1000),
        max_upload_mb=_env_int("CHARLM_MAX_UPLOAD_MB", 10, 1, 200),
        # One core left for the page: on 2 cores, 40 users keep their latency and the run
        # keeps its pace (benchmarks/classroom_load.py).
        trainer_threads=_env_int(
            "CHARLM_TRAINER_THREADS", max(1, (os.cpu_count() or 2) - 1), 1, 256
        ),
        trainer_nice=_env_int("CHARLM_TRAINER_NICE", 10, 0, 19),
        max_queue=_env_int("CHARLM_MAX_QUEUE", 10, 1, 1000),
        max_run_minutes=_env_int("CHARLM_MAX_RUN_MINUTES", 20, 1, 24 * 60),
        runs_budget_mb=_env_int("CHARLM_RUNS_BUDGET_MB", 500, 10),
        run_interval_s=_env_int("CHARLM_RUN_INTERVAL", 60, 0),
        teacher_passphrase=os.environ.get("CHARLM_TEACHER_PASSPHRASE") or None,
    )
