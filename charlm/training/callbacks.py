"""Keras callbacks of a training run: progress file, history, per-epoch samples, stop on SIGTERM.

Progress leaves the trainer only through files in the run folder (written atomically); the
trainer knows nothing of the app that polls them.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import keras

from charlm.common import atomic
from charlm.generation.network import network_from_keras
from charlm.generation.sampler import Sampler
from charlm.text.vocab import Vocabulary
from charlm.training import runfiles
from charlm.training.stopping import StopRequest


class TrainingCancelled(Exception):
    """Raised at the next batch after a stop request.

    Setting `model.stop_training` would end the epoch early but still run validation and
    every `on_epoch_end`, recording the partial epoch as completed (checkpoint, history and
    resume backup alike). Raising leaves the last *completed* epoch as the last one recorded.
    """


class StopOnSignal(keras.callbacks.Callback):
    """Stops training at the end of the current batch once a stop was requested."""

    def __init__(self, request: StopRequest):
        super().__init__()
        self.request = request

    def on_epoch_begin(self, epoch, logs=None):
        if self.request.requested:
            raise TrainingCancelled

    def on_train_batch_end(self, batch, logs=None):
        if self.request.requested:
            raise TrainingCancelled


class RunRecorder(keras.callbacks.Callback):
    """Writes progress.json during epochs, and history.json + samples.json after each.

    Args:
        run_dir: the run folder.
        epochs: total epochs planned.
        batches: batches per epoch.
        model_config: the model's Keras config (to read epoch snapshots with the NumPy sampler).
        vocab: the run's vocabulary.
        sample_seed: the fixed passage every epoch's samples start from.
        context_length: characters of context the recipe trains on.
    """

    def __init__(
        self,
        run_dir,
        epochs,
        batches,
        model_config,
        vocab: Vocabulary,
        sample_seed: str,
        context_length: int,
        every_seconds: float = 0.5,
        clock: RemainingTime | None = None,
    ):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.epochs, self.batches = epochs, batches
        self.model_config, self.vocab = model_config, vocab
        self.sample_seed, self.context_length = sample_seed, context_length
        self.every_seconds = every_seconds
        self._last_write = 0.0
        self._epoch_start = time.monotonic()
        self._epoch = 0
        self.clock = clock or RemainingTime()  # fed by IntervalReporter, which times the steps

    def on_epoch_begin(self, epoch, logs=None):
        # On resume, drop records of epochs that did not complete before the interruption.
        for name, reader in (
            (runfiles.HISTORY_FILE, runfiles.read_history),
            (runfiles.SAMPLES_FILE, runfiles.read_samples),
        ):
            kept = [row for row in reader(self.run_dir) if row["epoch"] <= epoch]
            atomic.write_json(self.run_dir / name, kept)
        self._epoch, self._epoch_start = epoch, time.monotonic()
        runfiles.update_progress(self.run_dir, status="running", epoch=epoch, batch=0)

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        if now - self._last_write < self.every_seconds:
            return
        self._last_write = now
        done = self._epoch + (batch + 1) / self.batches
        left = (self.epochs - self._epoch) * self.batches - (batch + 1)
        runfiles.update_progress(
            self.run_dir,
            status="running",
            epoch=self._epoch,
            batch=batch + 1,
            loss=_float(logs, "loss"),
            fraction=self.clock.fraction(done / self.epochs),
            eta_seconds=_rounded(self.clock.remaining(now, left)),
        )

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.monotonic() - self._epoch_start
        val = _float(logs, "val_loss")
        row = {
            "epoch": epoch + 1,
            "loss": _float(logs, "loss"),
            "val_loss": val,
            "val_bits_per_char": None if val is None else val / math.log(2),
            "seconds": round(seconds, 2),
        }
        atomic.write_json(
            self.run_dir / runfiles.HISTORY_FILE, runfiles.read_history(self.run_dir) + [row]
        )
        snapshot = self.run_dir / runfiles.CHECKPOINT_DIR / f"epoch_{epoch + 1:03d}.weights.h5"
        if snapshot.is_file():
            texts = self._sample(snapshot)
            atomic.write_json(
                self.run_dir / runfiles.SAMPLES_FILE,
                runfiles.read_samples(self.run_dir)
                + [{"epoch": epoch + 1, "seed_text": self.sample_seed, "samples": texts}],
            )
        runfiles.update_progress(
            self.run_dir,
            status="running",
            epoch=epoch + 1,
            batch=0,
            loss=row["loss"],
            val_loss=val,
            fraction=self.clock.fraction((epoch + 1) / self.epochs),
            seconds_per_epoch=row["seconds"],
            eta_seconds=_rounded(
                self.clock.remaining(time.monotonic(), (self.epochs - epoch - 1) * self.batches)
            ),
        )

    def _sample(self, snapshot: Path) -> dict[str, str]:
        network = network_from_keras(self.model_config, snapshot, label=str(snapshot))
        sampler = Sampler(network, self.vocab, self.context_length)
        generation = sampler.generate(
            self.sample_seed, runfiles.SAMPLE_LENGTH, runfiles.SAMPLE_TEMPERATURES, rng_seed=0
        )
        return {str(t): text for t, text in zip(runfiles.SAMPLE_TEMPERATURES, generation.texts)}


class TimeBudgetReached(TrainingCancelled):
    """The run's training-time budget is spent: it ends as done, with its completed epochs."""


class IntervalReporter(keras.callbacks.Callback):
    """Every `every_seconds` of training time: the loss on a fixed validation slice and a short
    sample, appended to curve.json, so the page shows text improving within seconds and the
    time-to-quality benchmark can time it.

    Training time is the sum of the train steps' own durations: these validation passes,
    Keras's per-epoch validation and every file write are not counted. `max_seconds` ends the
    run once that much training time is spent.
    """

    SAMPLE_TEMPERATURE = 0.5
    SAMPLE_LENGTH = 200

    def __init__(
        self,
        run_dir,
        vocab: Vocabulary,
        val_ids,
        context_length: int,
        sample_seed: str,
        every_seconds: float = 5.0,
        max_seconds: float | None = None,
    ):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.vocab, self.val_ids = vocab, val_ids
        self.context_length, self.sample_seed = context_length, sample_seed
        self.every_seconds, self.max_seconds = every_seconds, max_seconds
        self.curve = runfiles.read_curve(self.run_dir)  # a resumed run goes on from its end
        self.trained = float(self.curve[-1]["seconds"]) if self.curve else 0.0
        self.steps = int(self.curve[-1]["step"]) if self.curve else 0
        self._last = self.trained
        self.clock = RemainingTime(max_seconds, self.trained)  # the run's time left, for others
        self._batch_start = 0.0
        self._epoch = 0
        self._starts = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        step = time.perf_counter() - self._batch_start
        self.trained += step
        self.clock.batch_done(time.monotonic(), step)
        self.steps += 1
        spent = self.max_seconds is not None and self.trained >= self.max_seconds
        if spent or self.trained - self._last >= self.every_seconds:
            self._last = self.trained
            self.report(batch + 1)
        if spent:
            raise TimeBudgetReached

    def on_train_end(self, logs=None):
        if self.trained > self._last:
            self.report(None)

    def report(self, batch) -> None:
        from charlm.analysis.evaluation import mean_nll, scheme_for, slice_starts
        from charlm.generation.network import network_from_model

        network = network_from_model(self.model)
        scheme = scheme_for(network, self.context_length)
        if self._starts is None:
            self._starts = slice_starts(len(self.val_ids), scheme)
        loss, _ = mean_nll(network, self.val_ids, scheme, starts=self._starts)
        sampler = Sampler(network, self.vocab, self.context_length)
        sample = sampler.generate(
            self.sample_seed, self.SAMPLE_LENGTH, (self.SAMPLE_TEMPERATURE,), rng_seed=0
        ).texts[0]
        self.curve.append(
            {
                "seconds": round(self.trained, 2),
                "step": self.steps,
                "epoch": self._epoch,
                "batch": batch,
                "val_loss": round(loss, 4),
                "temperature": self.SAMPLE_TEMPERATURE,
                "sample": sample,
            }
        )
        atomic.write_json(self.run_dir / runfiles.CURVE_FILE, self.curve)


WARMUP_BATCHES = 20
PACE_BATCHES = 10  # batches after warm-up before a pace is trusted


class RemainingTime:
    """Wall-clock seconds left in a run, from its mean pace since it warmed up.

    The first WARMUP_BATCHES carry graph tracing and the data pipeline's start (a rate from
    them once gave 11,000-300,000 s), and a pace from the current epoch alone swung the
    estimate between 8 and 14 minutes (validation passes, other processes on the CPU): the
    mean since warm-up, validation included, only settles. With a training-time budget
    (`max_seconds` of train steps, as IntervalReporter counts them) the earlier end wins.
    """

    def __init__(self, max_seconds: float | None = None, trained: float = 0.0):
        self.max_seconds = max_seconds
        self.trained = trained  # seconds spent inside train steps, this run so far
        self.batches = 0
        self._warm: tuple[float, float, int] | None = None  # (wall, trained, batches)

    def batch_done(self, now: float, step_seconds: float) -> None:
        """One train step ended at wall time `now` (s) after `step_seconds` of work."""
        self.trained += step_seconds
        self.batches += 1
        if self.batches == WARMUP_BATCHES:
            self._warm = (now, self.trained, self.batches)

    def remaining(self, now: float, batches_left: int) -> float | None:
        """Seconds until the run ends (its epochs or its budget); None while warming up."""
        if self._warm is None:
            return None
        wall0, trained0, batches0 = self._warm
        wall, done = now - wall0, self.batches - batches0
        if wall <= 0 or done < PACE_BATCHES:
            return None  # one batch's pace, a validation pass in it, once read as 210 s for 45
        left = batches_left * wall / done
        step_share = (self.trained - trained0) / wall  # train-step seconds per wall second
        if self.max_seconds is not None and step_share > 0:
            left = min(left, max(self.max_seconds - self.trained, 0.0) / step_share)
        return left

    def fraction(self, of_epochs: float) -> float:
        """The share of the run done: of its epochs, or of its budget when that ends first."""
        if not self.max_seconds:
            return of_epochs
        return min(max(of_epochs, self.trained / self.max_seconds), 1.0)


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def _float(logs, key):
    value = (logs or {}).get(key)
    return None if value is None else float(value)
