"""Background training runs for the app: launch a trainer process, read its state, cancel,
resume; validate uploaded corpora. No TensorFlow and no Streamlit here.

Each trainer holds its run's own file lock for its whole life and the OS drops that lock when
it dies, so "the run's lock is free but progress.json says running" means that run's trainer
was killed, whatever other run trains. Whether a run waits comes from the run records
(registry), which the dispatcher also updates when it starts and sees the end of a trainer.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from charlm.common import atomic
from charlm.common.messages import KeyedError
from charlm.serving import ownership, quotas, registry, run_queue, trainer_process
from charlm.serving.run_queue import RateLimitError  # noqa: F401 (jobs.RateLimitError, as before)
from charlm.text.corpus import TextEncodingError, decode_text, normalize
from charlm.training import runfiles
from charlm.training.recipes import EMBEDDING_MAX_ALPHABET, RECIPES, SEED_MAX_ALPHABET
from charlm.training.train import RunBusyError, is_training_active, trainer_alive

MIN_UPLOAD_CHARS = 10_000
# Fewer distinct characters leave the model nothing to choose between (one character
# repeated 20,000 times failed deep inside Keras); 5 still admits DNA (acgt and line breaks).
MIN_DISTINCT_CHARS = 5
UPLOAD_DIR = "uploads"
UPLOAD_FILE = ownership.UPLOADED_TEXT


class RunsFolderError(OSError):
    """The runs folder cannot be created or written."""


class UploadError(KeyedError, ValueError):
    """An uploaded corpus cannot be trained on; the message (key + params) says why."""

    ENGLISH = {
        **TextEncodingError.ENGLISH,
        "upload_too_big": "{filename} is {megabytes:.1f} MB; the limit is {limit} MB.",
        "upload_empty": "{filename} is empty.",
        "upload_too_short": (
            "{filename} has {chars:,} characters; at least {needed:,} are needed to learn anything."
        ),
        "upload_few_characters": (
            "{filename} uses only {distinct} distinct character(s); at least {needed} are "
            "needed for the model to have choices to learn."
        ),
        "upload_alphabet_seed": (
            "{filename} uses {distinct:,} distinct characters; the seed recipe's one-hot input "
            "takes at most {limit}. Choose the quick or fast recipe: they take {embedding:,} "
            "and read rarer characters as one unknown symbol."
        ),
    }


@dataclass(frozen=True)
class RunState:
    run_dir: Path
    status: str  # starting/running/exporting/done/failed/cancelled/interrupted/unknown
    progress: dict
    history: list
    samples: list

    @property
    def name(self) -> str:
        return self.run_dir.name

    @property
    def active(self) -> bool:
        return self.status in runfiles.ACTIVE_STATUSES

    @property
    def has_model(self) -> bool:
        return (self.run_dir / runfiles.MODEL_DIR / "metadata.json").is_file()

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = (self.run_dir / runfiles.LOG_FILE).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.replace("\r", "\n").splitlines()[-lines:])


def trainer_args(**options) -> list[str]:
    """Trainer options as `--name=value` words: a value that begins with "-" (a run named
    "--help" or "-x") stays a value and is never read as an option."""
    return [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower()).strip("-_")
    return slug[:48] or "run"


def new_run_dir(runs_dir: Path, name: str | None) -> Path:
    base = slugify(name or time.strftime("run-%Y%m%d-%H%M%S"))
    candidate, n = Path(runs_dir) / base, 2
    while candidate.exists():
        candidate, n = Path(runs_dir) / f"{base}-{n}", n + 1
    return candidate


def start_run(
    runs_dir: Path,
    recipe: str,
    epochs: int,
    corpus_path: Path | None = None,
    name: str | None = None,
    max_epochs: int | None = None,
    extra_args: tuple[str, ...] = (),
) -> Path:
    """Launch a trainer process; returns its run folder. Refuses while another runs."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; choose one of {sorted(RECIPES)}")
    if not isinstance(epochs, int) or epochs < 1 or (max_epochs and epochs > max_epochs):
        raise ValueError(f"epochs must be between 1 and {max_epochs or 'any'} (got {epochs!r})")
    trainer_process.reap()
    if is_training_active(runs_dir):
        raise RunBusyError("another training run is in progress")
    run_dir = new_run_dir(runs_dir, name)
    args = trainer_args(recipe=recipe, epochs=epochs, name=name or run_dir.name)
    if corpus_path is not None:
        args += trainer_args(corpus=corpus_path)
    child = trainer_process.run_trainer(run_dir, args + list(extra_args))
    try:
        trainer_process.await_start(child, run_dir)
    except RunBusyError:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise
    return run_dir


def resume_run(run_dir: Path) -> None:
    trainer_process.reap()
    if is_training_active(Path(run_dir).parent):
        raise RunBusyError("another training run is in progress")
    trainer_process.await_start(
        trainer_process.run_trainer(Path(run_dir), ["--resume"]), Path(run_dir)
    )


LAUNCH_GRACE_S = 60.0  # a trainer the dispatcher started writes progress.json within this


def read_run(run_dir: Path) -> RunState:
    """The run's state now: "queued" while its request waits (or its trainer is being started),
    "interrupted" when progress.json says active but this run's trainer is dead."""
    trainer_process.reap()
    run_dir = Path(run_dir)
    progress = runfiles.read_progress(run_dir)
    status = progress.get("status", "unknown")
    try:
        record = registry.record(run_dir.parent, run_dir.name)
    except registry.RegistryError:
        record = None  # the run's own files still tell most of it
    if record is not None and record.state in {"creating", "queued"}:
        status = "queued"
    elif record is not None and record.launched and progress.get("started", 0) < record.launched:
        # The dispatcher started a trainer that has not written progress.json yet.
        if record.state == "started" and time.time() - record.launched < LAUNCH_GRACE_S:
            status = "queued"
        elif not trainer_alive(run_dir):
            status = "failed"
            progress = {
                **progress,
                "message": f"the trainer stopped before it began (exit code {record.exit_code})",
            }
    elif status in runfiles.ACTIVE_STATUSES and not trainer_alive(run_dir):
        status = "interrupted"  # this run's lock died with its trainer
    elif status == "queued":  # a request from before the records, not carried over
        status = "cancelled"
    return RunState(
        run_dir, status, progress, runfiles.read_history(run_dir), runfiles.read_samples(run_dir)
    )


def list_runs(runs_dir: Path) -> list[Path]:
    """Run folders (started, or queued from the page), most recently updated first."""
    runs_dir = Path(runs_dir)
    runs = {p.parent for p in runs_dir.glob(f"*/{runfiles.RUN_FILE}")}
    runs |= {p.parent for p in runs_dir.glob(f"*/{ownership.ACCESS_FILE}")}
    try:
        records = registry.records(runs_dir)
    except registry.RegistryError:
        records = []
    requested = {r.name: r.requested for r in records}
    runs |= {
        runs_dir / r.name for r in records if r.state != "deleting" and (runs_dir / r.name).is_dir()
    }

    def updated(run: Path) -> float:
        return max(_mtime(run / runfiles.PROGRESS_FILE), requested.get(run.name, 0.0))

    return sorted(runs, key=updated, reverse=True)


def request_run(
    settings,
    recipe: str,
    epochs: int,
    upload: tuple[str, str] | None,
    name: str | None,
    owner: str | None,
    extra_args: tuple[str, ...] = (),
    now: float | None = None,
) -> tuple[Path, int]:
    """What the page's Train button does: check the request against the quotas, make the run
    folder (with its owner, and the uploaded text inside it), queue it, and make sure the
    dispatcher runs. Returns (run folder, position in the queue). Raises ValueError (bad
    request), run_queue.RequestRefused (RateLimitError, QueueFullError, AlreadyQueuedError) or
    RunsFolderError; nothing is left behind. Admission, the name and the place are decided in
    one transaction of the run records, so requests from several server processes at once each
    get their own; the reserved run is safe from eviction while its folder is filled."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; choose one of {sorted(RECIPES)}")
    if not isinstance(epochs, int) or not 1 <= epochs <= settings.max_epochs:
        raise ValueError(f"epochs must be between 1 and {settings.max_epochs} (got {epochs!r})")
    if upload is not None and (problem := alphabet_problem(upload[0], upload[1], recipe)):
        raise problem
    now = time.time() if now is None else now
    runs_dir = Path(settings.runs_dir)
    ensure_usable(runs_dir)
    base = slugify(name or time.strftime("run-%Y%m%d-%H%M%S"))
    reserved = run_queue.reserve(
        runs_dir, base, owner, upload is not None, settings.max_queue, settings.run_interval_s, now
    )
    run_dir = runs_dir / reserved
    args = trainer_args(recipe=recipe, epochs=epochs, name=name or run_dir.name)
    made = False
    try:
        run_dir.mkdir(parents=True)
        made = True
        if upload is not None:
            corpus = run_dir / UPLOAD_FILE  # inside the run: two uploads never share a name
            atomic.write_text(corpus, upload[1])
            args += trainer_args(corpus=corpus.resolve())
        position = run_queue.ready(runs_dir, reserved, args + list(extra_args))
    except BaseException as exc:
        if made:
            shutil.rmtree(run_dir, ignore_errors=True)
        if not run_dir.exists() or not made:
            run_queue.release(runs_dir, reserved)
        if isinstance(exc, OSError) and not isinstance(exc, registry.RegistryError):
            raise RunsFolderError(
                f"the run folder {run_dir.name} could not be made ({exc.strerror or exc})"
            ) from None
        raise
    try:
        quotas.trim_to_budget(runs_dir, settings.runs_budget_mb, keep={run_dir.name})
    except OSError:
        pass  # the request stands; the dispatcher trims again after each run
    run_queue.ensure_dispatcher(runs_dir)
    return run_dir, position


def request_resume(settings, run_dir: Path, owner: str | None) -> int:
    """Queue an interrupted, failed or cancelled run to continue; returns its position."""
    runs_dir = Path(run_dir).parent
    position = run_queue.enqueue(runs_dir, Path(run_dir), ["--resume"], owner, settings.max_queue)
    run_queue.ensure_dispatcher(runs_dir)
    return position


def ensure_usable(runs_dir: Path) -> None:
    """A runs folder that cannot be written gives one clear RunsFolderError, not a traceback."""
    try:
        Path(runs_dir).mkdir(parents=True, exist_ok=True)
        probe = Path(runs_dir) / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise RunsFolderError(
            f"the runs folder {runs_dir} cannot be written ({exc.strerror or exc}); "
            "set CHARLM_RUNS to a writable folder"
        ) from None


def delete_run(run_dir: Path) -> bool:
    """Remove a finished or waiting run folder (not one that is training, pinned or not)."""
    run_dir = Path(run_dir)
    run_queue.withdraw(run_dir.parent, run_dir)
    if read_run(run_dir).active:
        return False
    return quotas.remove_run(run_dir, even_pinned=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def cancel_run(run_dir: Path) -> bool:
    """SIGTERM the run's trainer (it stops at the next batch and keeps finished epochs), or
    withdraw it from the queue if it has not started. False when neither: the run is not
    running (its trainer is dead, or it has finished)."""
    if run_queue.withdraw(Path(run_dir).parent, Path(run_dir)):
        return True
    state = read_run(run_dir)
    pid = state.progress.get("pid")
    if not state.active or not pid:
        return False
    try:
        os.kill(int(pid), signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True


def validate_upload(filename: str, data: bytes, max_mb: int, recipe: str = "quick") -> str:
    """The text of an uploaded corpus (see corpus.decode_text: UTF-8, or UTF-16/32 with a byte
    order mark; line breaks unified), or UploadError saying exactly what is wrong (for
    `recipe`: the one-hot seed recipe takes a smaller alphabet than the embedding ones)."""
    if len(data) > max_mb * 1024 * 1024:
        raise UploadError(
            "upload_too_big", filename=filename, megabytes=len(data) / 1e6, limit=max_mb
        )
    try:
        text = decode_text(data, filename)
    except TextEncodingError as exc:
        raise UploadError(exc.key, **exc.params) from None
    if not text.strip():
        raise UploadError("upload_empty", filename=filename)
    if len(text) < MIN_UPLOAD_CHARS:
        raise UploadError(
            "upload_too_short", filename=filename, chars=len(text), needed=MIN_UPLOAD_CHARS
        )
    problem = alphabet_problem(filename, text, recipe)
    if problem:
        raise problem
    return text


def alphabet_problem(filename: str, text: str, recipe: str) -> UploadError | None:
    """Why `recipe` cannot take this text's alphabet (too few or too many characters), or None."""
    distinct = len(set(normalize(text)))
    if distinct < MIN_DISTINCT_CHARS:
        return UploadError(
            "upload_few_characters", filename=filename, distinct=distinct, needed=MIN_DISTINCT_CHARS
        )
    if recipe == "seed" and distinct > SEED_MAX_ALPHABET:
        return UploadError(
            "upload_alphabet_seed",
            filename=filename,
            distinct=distinct,
            limit=SEED_MAX_ALPHABET,
            embedding=EMBEDDING_MAX_ALPHABET,
        )
    return None


def save_upload(runs_dir: Path, filename: str, text: str) -> Path:
    path = Path(runs_dir) / UPLOAD_DIR / f"{slugify(Path(filename).stem)}-{int(time.time())}.txt"
    atomic.write_text(path, text)
    return path
