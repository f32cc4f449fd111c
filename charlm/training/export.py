"""Turning a training run (or one of its epochs) into a model folder."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

import numpy as np

from charlm import __version__
from charlm.analysis.evaluation import validation_figures
from charlm.common import atomic
from charlm.generation import artifacts
from charlm.generation.network import load_network
from charlm.text.corpus import split_text
from charlm.text.vocab import Vocabulary
from charlm.training import runfiles
from charlm.training.recipes import context_length, recipe_from_dict


def best_epoch(run_dir: Path) -> int:
    """The completed epoch with the lowest validation loss (ties: the later one)."""
    history = runfiles.read_history(run_dir)
    candidates = [row for row in history if _snapshot(run_dir, row["epoch"]).is_file()]
    if not candidates:
        raise ValueError(f"{run_dir} has no completed epoch to export")
    return min(candidates, key=lambda row: (row["val_loss"] or float("inf"), -row["epoch"]))[
        "epoch"
    ]


def _snapshot(run_dir: Path, epoch: int) -> Path:
    return Path(run_dir) / runfiles.CHECKPOINT_DIR / artifacts.snapshot_name(epoch)


def export_run(
    run_dir: Path,
    destination: Path,
    val_text: str | None = None,
    snapshots: bool = True,
    name: str | None = None,
    epoch: int | None = None,
    train_text: str | None = None,
    snapshot_epochs: list[int] | None = None,
    snapshot_dtype: str = "float32",
) -> Path:
    """Write a self-contained model folder for `run_dir` at `destination`, atomically.

    The exported weights are those of `epoch` (default: the best validation epoch); the
    metadata's validation figures are measured on the NumPy network that the app runs.
    Snapshots: every completed epoch, or only `snapshot_epochs`, stored as `snapshot_dtype`.
    """
    run_dir = Path(run_dir)
    run = atomic.read_json(run_dir / runfiles.RUN_FILE)
    recipe = recipe_from_dict(run["recipe"])
    vocab = Vocabulary.load(run_dir)
    epoch = epoch or best_epoch(run_dir)
    history = runfiles.read_history(run_dir)
    epochs_done = [row["epoch"] for row in history if _snapshot(run_dir, row["epoch"]).is_file()]
    kept = epochs_done if snapshot_epochs is None else sorted(set(snapshot_epochs))
    missing = sorted(set(kept) - set(epochs_done))
    if missing:
        raise ValueError(f"{run_dir} has no completed epoch(s) {missing} to keep as snapshots")

    def build(tmp: Path):
        _save_keras_model(_snapshot(run_dir, epoch), recipe, vocab.size, tmp)
        vocab.save(tmp)
        if snapshots:
            (tmp / artifacts.SNAPSHOT_DIR).mkdir()
            for done in kept:
                artifacts.strip_to_layers(
                    _snapshot(run_dir, done),
                    tmp / artifacts.SNAPSHOT_DIR / artifacts.snapshot_name(done),
                    snapshot_dtype,
                )
        atomic.write_json(tmp / artifacts.HISTORY_FILE, history)
        atomic.write_json(tmp / artifacts.SAMPLES_FILE, runfiles.read_samples(run_dir))
        figures = None
        write_lesson_files(tmp, train_text, val_text)
        if val_text:
            network = load_network(tmp / artifacts.MODEL_FILE)
            val_ids = vocab.encode(val_text, on_unknown="drop")
            figures = validation_figures(network, np.asarray(val_ids), context_length(recipe))
            _write_neurons(tmp, network, vocab, val_text)
        metadata = _metadata(run, run_dir, name, epoch, max(epochs_done), figures, history)
        atomic.write_json(tmp / artifacts.METADATA_FILE, metadata)

    return artifacts.write_model_folder(destination, build)


def write_lesson_files(folder: Path, train_text: str | None, val_text: str | None) -> None:
    """words.txt (the training text's words, for the sweep's real-word share) and heldout.txt
    (a fixed slice of validation text, for its calibration curve)."""
    from charlm.analysis.sweep import word_list

    if train_text:
        atomic.write_text(Path(folder) / artifacts.WORDS_FILE, "\n".join(word_list(train_text)))
    if val_text:
        atomic.write_text(
            Path(folder) / artifacts.HELDOUT_FILE, val_text[: artifacts.HELDOUT_CHARS]
        )


# At the end of training: enough text and positions for a clear answer in about 20 s for the
# 2x384 model (the CLI reads the whole validation split).
EXPORT_NEURON_CHARS = 20_000
EXPORT_SPAN_POSITIONS = 20


def _write_neurons(folder: Path, network, vocab: Vocabulary, val_text: str) -> None:
    from charlm.analysis import neuron_report

    report = neuron_report.build_report(
        network, vocab, val_text, "validation split", EXPORT_NEURON_CHARS, EXPORT_SPAN_POSITIONS
    )
    neuron_report.write_report(folder, report)


def _save_keras_model(snapshot: Path, recipe, vocab_size: int, folder: Path) -> None:
    """model.keras from an epoch snapshot, through an uncompiled model: no optimizer state."""
    import keras

    from charlm.training.model import build_model

    stripped = folder / "snapshot.weights.h5"
    artifacts.strip_to_layers(snapshot, stripped)
    model = build_model(recipe, vocab_size, compile_model=False)
    model.load_weights(stripped)
    stripped.unlink()
    model.save(folder / artifacts.MODEL_FILE)
    keras.backend.clear_session()


def _metadata(run, run_dir, name, epoch, epochs_trained, figures, history) -> dict:
    return {
        "name": name or run.get("name") or run_dir.name,
        "recipe": run["recipe"],
        "context_length": context_length(recipe_from_dict(run["recipe"])),
        "corpus": run["corpus"],
        "epochs_trained": epochs_trained,
        "epoch_exported": epoch,
        "validation": figures,
        "training": {
            "seconds": round(sum(row["seconds"] for row in history), 1),
            "device": run.get("device", "cpu"),
            "cpu_count": os.cpu_count(),
            "machine": platform.machine(),
        },
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "charlm_version": __version__,
    }


def export_with_corpus(run_dir: Path, destination: Path, **kwargs) -> Path:
    """export_run, reading the run's own corpus for the validation figures."""
    from charlm.text.corpus import load_corpus

    run = atomic.read_json(Path(run_dir) / runfiles.RUN_FILE)
    text = load_corpus(run["corpus"].get("path"))
    train_text, val_text = split_text(text)
    return export_run(run_dir, destination, val_text=val_text, train_text=train_text, **kwargs)
