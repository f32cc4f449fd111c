"""A training run: Keras fit with callbacks for checkpoints, history, samples, progress,
clean stop on SIGTERM and resume after a kill; one run at a time per runs folder."""

from __future__ import annotations

import errno
import os
import sys
import time
import traceback
from pathlib import Path

from filelock import FileLock, Timeout

from charlm.common import atomic
from charlm.text.corpus import Corpus, open_corpus, random_passage, split_text
from charlm.text.vocab import AlphabetTooLargeError, Vocabulary
from charlm.training import runfiles
from charlm.training.recipes import (
    EMBEDDING_MAX_ALPHABET,
    Recipe,
    SeedRecipe,
    context_length,
    max_alphabet,
    recipe_from_dict,
    recipe_to_dict,
)
from charlm.training.stopping import StopRequest

EXIT_BUSY = 75  # another run holds the lock (EX_TEMPFAIL)
EXIT_CANCELLED = 0
NOTHING_SAVED = "stopped before its first epoch ended: nothing was saved"


class RunBusyError(RuntimeError):
    """Another training run holds the lock."""


def run_lock(runs_dir: Path) -> FileLock:
    """The lock a trainer holds for its whole life; the OS frees it if the trainer dies."""
    Path(runs_dir).mkdir(parents=True, exist_ok=True)
    return FileLock(str(Path(runs_dir) / runfiles.LOCK_FILE))


def lock_is_held(lock: FileLock) -> bool:
    """True while another process holds `lock` (probing takes and drops it at once)."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def is_training_active(runs_dir: Path) -> bool:
    return lock_is_held(run_lock(runs_dir))


def trainer_lock(run_dir: Path) -> FileLock:
    """The lock a run's own trainer holds for its whole life, so a run's status is its own:
    the runs-wide lock says only that some run trains."""
    return FileLock(str(Path(run_dir) / runfiles.TRAINER_LOCK_FILE))


def trainer_alive(run_dir: Path) -> bool:
    """True while a trainer of this run lives (probing creates no file)."""
    if not (Path(run_dir) / runfiles.TRAINER_LOCK_FILE).is_file():
        return False
    try:
        return lock_is_held(trainer_lock(run_dir))
    except OSError:  # the folder went away while probing
        return False


RESERVE_FILE = ".disk-reserve"
RESERVE_BYTES = 256 * 1024


def _reserve_space(run_dir: Path) -> Path:
    """A small file deleted when the disk fills, so the trainer can still record why it stopped
    (otherwise progress.json would stay "running" and the page would guess "killed")."""
    path = run_dir / RESERVE_FILE
    try:
        path.write_bytes(b"\0" * RESERVE_BYTES)
    except OSError:
        pass
    return path


def _prepare_run(run_dir: Path, recipe: Recipe | None, corpus_path, resume: bool, name, epochs):
    """Create (or, on resume, reread) run.json; returns (recipe, corpus path or None)."""
    run_file = run_dir / runfiles.RUN_FILE
    if resume:
        run = atomic.read_json(run_file)
        if not run:
            raise FileNotFoundError(f"cannot resume: {run_file} not found")
        payload = dict(run["recipe"])
        if epochs:
            payload["epochs"] = epochs
        recipe = recipe_from_dict(payload)
        run["recipe"] = recipe_to_dict(recipe)
        atomic.write_json(run_file, run)
        return recipe, run["corpus"].get("path")
    if run_file.exists():
        raise FileExistsError(f"{run_dir} already holds a run; pass --resume to continue it")
    if recipe is None:
        raise ValueError("a recipe is needed to start a run")
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic.write_json(
        run_file,
        {
            "name": name or run_dir.name,
            "recipe": recipe_to_dict(recipe),
            "corpus": {"path": str(corpus_path) if corpus_path else None},
            "created": time.time(),
        },
    )
    return recipe, corpus_path


def train(
    run_dir: Path | str,
    recipe: Recipe | None = None,
    corpus_path=None,
    resume=False,
    strategy: str = "default",
    name: str | None = None,
    epochs: int | None = None,
    verbose: int | None = None,
    max_seconds: float | None = None,
) -> str:
    """Run (or resume) training into run_dir; returns the final status. `max_seconds` ends it
    (as done) once that much training time is spent."""
    run_dir = Path(run_dir)
    stop = StopRequest()  # before anything slow, so an early SIGTERM still ends as cancelled
    lock = run_lock(run_dir.parent)
    try:
        lock.acquire(timeout=5)
    except Timeout:
        raise RunBusyError(f"another training run is in progress (lock {lock.lock_file})") from None
    own = trainer_lock(run_dir)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        own.acquire(timeout=5)  # a page probing it holds it for microseconds
        recipe, corpus_path = _prepare_run(run_dir, recipe, corpus_path, resume, name, epochs)
        runfiles.update_progress(
            run_dir,
            status="starting",
            pid=os.getpid(),
            epochs=recipe.epochs,
            message=None,
            started=time.time(),
        )
        reserve = _reserve_space(run_dir)
        try:
            status = _fit(
                run_dir, recipe, corpus_path, resume, strategy, verbose, stop, max_seconds
            )
        except BaseException as exc:
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                reserve.unlink(missing_ok=True)  # room to say so; completed epochs stay
                message = "the disk is full: free some space, then resume (completed epochs kept)"
            else:
                message = f"{type(exc).__name__}: {exc}"
            runfiles.update_progress(
                run_dir,
                status="failed",
                message=message,
                disk_full=isinstance(exc, OSError) and exc.errno == errno.ENOSPC,
                traceback=traceback.format_exc()[-4000:],
            )
            raise
        reserve.unlink(missing_ok=True)
        runfiles.update_progress(run_dir, peak_memory_mb=peak_memory_mb())
        return status
    finally:
        own.release()
        lock.release()


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _fit(
    run_dir: Path,
    recipe: Recipe,
    corpus_path,
    resume: bool,
    strategy: str,
    verbose,
    stop: StopRequest,
    max_seconds: float | None = None,
) -> str:
    from charlm.training.data import check_text_fits, make_datasets, steps_per_epoch
    from charlm.training.model import build_model, training_precision

    corpus = open_corpus(corpus_path)
    vocab = _run_vocab(run_dir, corpus, resume, recipe)
    train_text, val_text = split_text(corpus.text)
    check_text_fits(recipe, len(train_text), len(val_text))
    dist = _strategy(strategy)
    device = f"{strategy}: {dist.num_replicas_in_sync} replica(s), {training_precision(recipe)}"
    _record_run_facts(run_dir, corpus, vocab, device)
    train_ids = vocab.encode(train_text, on_unknown="drop")
    val_ids = vocab.encode(val_text, on_unknown="drop")
    train_ds, val_ds = make_datasets(train_ids, val_ids, recipe, vocab.size)
    batches = steps_per_epoch(len(train_ids), recipe)
    with dist.scope():
        model = build_model(recipe, vocab.size, steps_per_epoch=batches)
    callbacks = _callbacks(
        run_dir, recipe, model, vocab, train_text, val_ids, batches, stop, max_seconds
    )
    if stop.requested:
        return _finish(run_dir, "cancelled", val_text, train_text)
    from charlm.training.callbacks import TimeBudgetReached, TrainingCancelled

    try:
        model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=recipe.epochs,
            callbacks=callbacks,
            verbose=verbose if verbose is not None else (1 if sys.stdout.isatty() else 2),
        )
        status = "cancelled" if stop.requested else "done"
    except TimeBudgetReached:
        status = "done"
    except TrainingCancelled:
        status = "cancelled"
    return _finish(run_dir, status, val_text, train_text)


def _record_run_facts(run_dir: Path, corpus: Corpus, vocab: Vocabulary, device: str) -> None:
    run = atomic.read_json(run_dir / runfiles.RUN_FILE)
    run["corpus"].update(
        sha256=corpus.sha256, characters=len(corpus.text), source=Path(str(corpus.source)).name,
        vocab_size=vocab.size,
    )  # fmt: skip
    run["device"] = device
    atomic.write_json(run_dir / runfiles.RUN_FILE, run)


def _callbacks(
    run_dir: Path, recipe: Recipe, model, vocab, train_text, val_ids, batches, stop, max_seconds
) -> list:
    """Samples and validation-slice loss every few seconds (and the time budget), per-epoch
    snapshot, progress/history/samples, resumable backup, stop on SIGTERM."""
    import keras

    from charlm.training.callbacks import IntervalReporter, RunRecorder, StopOnSignal

    context = context_length(recipe)
    seed_passage = random_passage(train_text, context, rng_seed=1)
    reporter = IntervalReporter(
        run_dir, vocab, val_ids, context, seed_passage, max_seconds=max_seconds
    )
    recorder = RunRecorder(
        run_dir,
        recipe.epochs,
        batches,
        keras.saving.serialize_keras_object(model),
        vocab,
        seed_passage,
        context,
        clock=reporter.clock,  # time left from the reporter's timing of the train steps
    )
    return [
        reporter,
        keras.callbacks.ModelCheckpoint(
            str(run_dir / runfiles.CHECKPOINT_DIR / "epoch_{epoch:03d}.weights.h5"),
            save_weights_only=True,
        ),
        recorder,
        keras.callbacks.BackupAndRestore(
            # double_checkpoint: a backup torn by SIGKILL falls back to the previous one.
            str(run_dir / runfiles.BACKUP_DIR),
            delete_checkpoint=False,
            double_checkpoint=True,
        ),
        StopOnSignal(stop),
    ]


def _run_vocab(run_dir: Path, corpus: Corpus, resume: bool, recipe: Recipe) -> Vocabulary:
    """The vocabulary is fixed at the first start so ids stay stable across resumes."""
    if resume and (run_dir / "vocab.json").is_file():
        return Vocabulary.load(run_dir)
    vocab = alphabet_for(corpus.text, recipe)
    vocab.save(run_dir)
    return vocab


def alphabet_for(text: str, recipe: Recipe) -> Vocabulary:
    """The recipe's vocabulary for `text`: the one-hot seed recipe refuses an alphabet over
    its limit; the embedding recipes read rare characters as one unknown symbol instead."""
    limit = max_alphabet(recipe)
    if isinstance(recipe, SeedRecipe):
        distinct = len(set(text))
        if distinct > limit:
            raise AlphabetTooLargeError(
                f"the text uses {distinct:,} distinct characters; the seed recipe's one-hot "
                f"input takes at most {limit}. Use the quick or fast recipe (they take "
                f"{EMBEDDING_MAX_ALPHABET:,} and read rarer characters as one unknown symbol)."
            )
        return Vocabulary.from_text(text)
    return Vocabulary.from_text(text, getattr(recipe, "min_char_count", 1), limit)


def _strategy(name: str):
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    raise ValueError(f"unknown strategy {name!r}; use 'default' or 'mirrored'")


def _finish(run_dir: Path, status: str, val_text: str, train_text: str | None = None) -> str:
    """Export the model (also after a cancel, from the last completed epoch) and record status.
    A run stopped (cancelled, or out of time) before its first epoch ended saved nothing: it
    ends as cancelled and says so."""
    from charlm.training.export import export_run

    if not runfiles.read_history(run_dir):
        runfiles.update_progress(
            run_dir, status="cancelled", message=NOTHING_SAVED, finished=time.time()
        )
        return "cancelled"
    runfiles.update_progress(run_dir, status="exporting" if status == "done" else status)
    export_run(run_dir, run_dir / runfiles.MODEL_DIR, val_text=val_text, train_text=train_text)
    runfiles.update_progress(run_dir, status=status, finished=time.time())
    return status
