"""One home for paths and defaults, read from the environment when asked."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class _Environment:
    """Reads CHARLM_* variables; every value it could not use is noted in `problems`."""

    def __init__(self):
        self.problems: list[str] = []

    def flag(self, name: str, default: bool, unknown: bool | None = None) -> bool:
        value = (os.environ.get(name) or "").strip().lower()
        if not value:
            return default
        if value in TRUE_WORDS | FALSE_WORDS:
            return value in TRUE_WORDS
        fallback = default if unknown is None else unknown
        self.problems.append(
            f"{name}={value!r} is not one of 1/0, true/false, yes/no, on/off; using {fallback}"
        )
        return fallback

    def integer(self, name: str, default: int, low: int = 1, high: int | None = None) -> int:
        """A whole number in [low, high]; anything else keeps the default or the nearest bound."""
        value = os.environ.get(name, "").strip()
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            self.problems.append(f"{name}={value!r} is not a whole number; using {default}")
            return default
        bounded = max(number, low) if high is None else min(max(number, low), high)
        if bounded != number:
            self.problems.append(f"{name}={number} is outside {low}–{high or '∞'}; using {bounded}")
        return bounded


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
    # SCHED_IDLE for a trainer launched from the page: it runs only on CPU time the page leaves
    # (nice 10 still took a core's share from 40 students; issue 17).
    trainer_idle: bool = True
    problems: tuple[str, ...] = ()  # variables set to something unusable, said on the page


def load_settings() -> Settings:
    """Read CHARLM_* variables; every one has a working default."""
    corpus = os.environ.get("CHARLM_CORPUS", "").strip()
    env = _Environment()
    settings = Settings(
        artifacts_dir=Path(os.environ.get("CHARLM_ARTIFACTS", PROJECT_ROOT / "artifacts")),
        runs_dir=Path(os.environ.get("CHARLM_RUNS", PROJECT_ROOT / "runs")),
        corpus_path=Path(corpus) if corpus else None,
        # A word it cannot read switches training off: the operator meant to change something.
        training_enabled=env.flag("CHARLM_TRAINING", True, unknown=False),
        max_epochs=env.integer("CHARLM_MAX_EPOCHS", 30, 1, 1000),
        max_upload_mb=env.integer("CHARLM_MAX_UPLOAD_MB", 10, 1, 200),
        # One core left for the page: on 2 cores, 40 users keep their latency and the run
        # keeps its pace (benchmarks/classroom_load.py).
        trainer_threads=env.integer(
            "CHARLM_TRAINER_THREADS", max(1, (os.cpu_count() or 2) - 1), 1, 256
        ),
        trainer_nice=env.integer("CHARLM_TRAINER_NICE", 10, 0, 19),
        trainer_idle=env.flag("CHARLM_TRAINER_IDLE", True),
        max_queue=env.integer("CHARLM_MAX_QUEUE", 10, 1, 1000),
        max_run_minutes=env.integer("CHARLM_MAX_RUN_MINUTES", 20, 1, 24 * 60),
        runs_budget_mb=env.integer("CHARLM_RUNS_BUDGET_MB", 500, 10),
        run_interval_s=env.integer("CHARLM_RUN_INTERVAL", 60, 0),
        teacher_passphrase=os.environ.get("CHARLM_TEACHER_PASSPHRASE") or None,
    )
    return replace(settings, problems=tuple(env.problems))
