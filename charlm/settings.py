"""One home for paths and defaults, read from the environment when asked."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        return default


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


def load_settings() -> Settings:
    """Read CHARLM_* variables; every one has a working default."""
    corpus = os.environ.get("CHARLM_CORPUS", "").strip()
    return Settings(
        artifacts_dir=Path(os.environ.get("CHARLM_ARTIFACTS", PROJECT_ROOT / "artifacts")),
        runs_dir=Path(os.environ.get("CHARLM_RUNS", PROJECT_ROOT / "runs")),
        corpus_path=Path(corpus) if corpus else None,
        training_enabled=_env_flag("CHARLM_TRAINING", True),
        max_epochs=_env_int("CHARLM_MAX_EPOCHS", 30),
        max_upload_mb=_env_int("CHARLM_MAX_UPLOAD_MB", 10),
        # One core left for the page: on 2 cores, 40 users keep their latency and the run
        # keeps its pace (benchmarks/classroom_load.py).
        trainer_threads=_env_int("CHARLM_TRAINER_THREADS", max(1, (os.cpu_count() or 2) - 1)),
        trainer_nice=_env_int("CHARLM_TRAINER_NICE", 10),
    )
