"""One home for paths and defaults, read from Streamlit secrets and the environment by one
rule when asked."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# The words a switch reads, after the ones above; "disabled" is what an operator types.
TRUE_WORDS |= {"enabled", "enable"}
FALSE_WORDS |= {"disabled", "disable"}
# A teacher passphrase shorter than this is refused: a class could guess it.
MIN_PASSPHRASE_CHARS = 8
# Secrets whose names are not the variable's without CHARLM_, lowercased.
SECRET_NAMES = {"CHARLM_TRAINING": "training_enabled"}

_log = logging.getLogger("charlm.settings")
_logged: set[str] = set()


def secret_name(variable: str) -> str:
    return SECRET_NAMES.get(variable, variable.removeprefix("CHARLM_").lower())


class _Sources:
    """One rule for every setting: the Streamlit secret (secrets.toml, when the page passes
    them) if it is set, else the CHARLM_* environment variable. Every value it cannot use is
    noted in `problems`, naming where it came from, whichever source that was."""

    def __init__(self, secrets: Mapping | None):
        self.secrets = secrets or {}
        self.problems: list[str] = []

    def raw(self, variable: str) -> tuple[str, str]:
        """(value as text, where it came from); an empty value means "not set"."""
        name = secret_name(variable)
        value = self.secrets.get(name)
        if value is not None and str(value) != "":
            return str(value), f"secret {name}"
        return os.environ.get(variable, ""), variable

    def flag(self, variable: str, default: bool, unknown: bool | None = None) -> bool:
        raw, source = self.raw(variable)
        value = raw.strip().lower()
        if not value:
            return default
        if value in TRUE_WORDS | FALSE_WORDS:
            return value in TRUE_WORDS
        fallback = default if unknown is None else unknown
        self.problems.append(
            f"{source}={value!r} is not one of 1/0, true/false, yes/no, on/off, "
            f"enabled/disabled; using {fallback}"
        )
        return fallback

    def integer(self, variable: str, default: int, low: int = 1, high: int | None = None) -> int:
        """A whole number in [low, high]; anything else keeps the default or the nearest bound."""
        raw, source = self.raw(variable)
        value = raw.strip()
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            self.problems.append(f"{source}={value!r} is not a whole number; using {default}")
            return default
        bounded = max(number, low) if high is None else min(max(number, low), high)
        if bounded != number:
            self.problems.append(
                f"{source}={number} is outside {low}–{high or '∞'}; using {bounded}"
            )
        return bounded

    def path(self, variable: str, default: Path | None) -> Path | None:
        value = self.raw(variable)[0].strip()
        return Path(value) if value else default

    def passphrase(self, variable: str) -> tuple[str | None, tuple[str, str] | None]:
        """(passphrase, (why teacher mode is off, where it was set)): a passphrase that is set
        but blank or shorter than MIN_PASSPHRASE_CHARS is refused (a space would unlock it)."""
        raw, source = self.raw(variable)
        if raw == "":
            return None, None
        if len(raw.strip()) < MIN_PASSPHRASE_CHARS:
            reason = "blank" if not raw.strip() else "short"
            said = "blank" if reason == "blank" else "too short"
            _log_once(  # the page says it in its own language (Settings.teacher_off)
                f"{source}: the teacher passphrase is {said}; it needs at least "
                f"{MIN_PASSPHRASE_CHARS} characters, so teacher mode is off"
            )
            return None, (reason, source)
        return raw, None


@dataclass(frozen=True)
class Settings:
    artifacts_dir: Path
    runs_dir: Path
    corpus_path: Path | None
    training_enabled: bool
    training_set_by: str  # the secret or variable that decided it (said when it is off)
    max_epochs: int
    max_upload_mb: int
    trainer_threads: int  # TensorFlow threads of a trainer launched from the page
    trainer_nice: int  # its scheduling priority: the page's visitors come first
    max_queue: int  # training requests that may wait at once
    max_run_minutes: int  # wall-clock cap of one run
    runs_budget_mb: int  # disk budget of runs/: oldest unpinned finished runs go first
    run_interval_s: int  # one run request per this many seconds per person
    teacher_passphrase: str | None  # controls every run; None: teacher mode is off
    teacher_off: tuple[str, str] | None = None  # ("blank" | "short", where) of a refused one
    class_db: Path | None = None  # the Class view's results (CHARLM_CLASS_DB); None: runs/
    # SCHED_IDLE for a trainer launched from the page: it runs only on CPU time the page leaves
    # (nice 10 still took a core's share from 40 students; issue 17).
    trainer_idle: bool = True
    problems: tuple[str, ...] = ()  # settings set to something unusable, said on the page


def load_settings(secrets: Mapping | None = None) -> Settings:
    """Read every setting by one rule (see _Sources): the Streamlit secret if set, else the
    CHARLM_* variable, else a working default. Problems are also logged, once per process."""
    source = _Sources(secrets)
    passphrase, teacher_off = source.passphrase("CHARLM_TEACHER_PASSPHRASE")
    settings = Settings(
        artifacts_dir=source.path("CHARLM_ARTIFACTS", PROJECT_ROOT / "artifacts"),
        runs_dir=source.path("CHARLM_RUNS", PROJECT_ROOT / "runs"),
        corpus_path=source.path("CHARLM_CORPUS", None),
        # A word it cannot read switches training off: the operator meant to change something.
        training_enabled=source.flag("CHARLM_TRAINING", True, unknown=False),
        training_set_by=source.raw("CHARLM_TRAINING")[1],
        max_epochs=source.integer("CHARLM_MAX_EPOCHS", 30, 1, 1000),
        max_upload_mb=source.integer("CHARLM_MAX_UPLOAD_MB", 10, 1, 200),
        # One core left for the page: on 2 cores, 40 users keep their latency and the run
        # keeps its pace (benchmarks/classroom_load.py).
        trainer_threads=source.integer(
            "CHARLM_TRAINER_THREADS", max(1, (os.cpu_count() or 2) - 1), 1, 256
        ),
        trainer_nice=source.integer("CHARLM_TRAINER_NICE", 10, 0, 19),
        trainer_idle=source.flag("CHARLM_TRAINER_IDLE", True),
        max_queue=source.integer("CHARLM_MAX_QUEUE", 10, 1, 1000),
        max_run_minutes=source.integer("CHARLM_MAX_RUN_MINUTES", 20, 1, 24 * 60),
        runs_budget_mb=source.integer("CHARLM_RUNS_BUDGET_MB", 500, 10),
        run_interval_s=source.integer("CHARLM_RUN_INTERVAL", 60, 0),
        teacher_passphrase=passphrase,
        teacher_off=teacher_off,
        class_db=source.path("CHARLM_CLASS_DB", None),
    )
    for problem in source.problems:
        _log_once(f"setting ignored: {problem}")
    return replace(settings, problems=tuple(source.problems))


def _log_once(message: str) -> None:
    """The server log gets each settings problem once, not once per page run."""
    if message not in _logged:
        _logged.add(message)
        _log.warning("%s", message)
