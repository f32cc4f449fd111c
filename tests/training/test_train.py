"""The training run through the CLI, as the app launches it: signals, resume, the lock."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from charlm.generation.artifacts import load_sampler, open_model_folder
from charlm.training import runfiles
from charlm.training.train import EXIT_BUSY, RunBusyError, run_lock, train

ROOT = Path(__file__).resolve().parents[2]
SLOW_ENOUGH = [
    "--recipe",
    "fast",
    "--units",
    "96",
    "--seq-len",
    "40",
    "--batch-size",
    "4",
    "--embed-dim",
    "8",
]


def start(run_dir, corpus, *extra):
    cmd = [
        sys.executable,
        "-m",
        "charlm",
        "train",
        "--out",
        str(run_dir),
        "--corpus",
        str(corpus),
        *extra,
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def wait_for(predicate, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            raise AssertionError(f"trainer exited early: {process.stdout.read().decode()[-2000:]}")
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the trainer")


def backup_epoch(run_dir):
    meta = run_dir / runfiles.BACKUP_DIR / "training_metadata.json"
    return json.loads(meta.read_text())["epoch"] if meta.is_file() else 0


def test_one_epoch_writes_a_loadable_model_with_metadata(tmp_path, tiny_corpus):
    from charlm.training.recipes import make_recipe

    run_dir = tmp_path / "runs" / "one"
    assert (
        train(
            run_dir,
            make_recipe("seed", units=16, maxlen=20, epochs=1),
            corpus_path=tiny_corpus,
            verbose=0,
        )
        == "done"
    )
    folder = open_model_folder(run_dir / "model")
    meta = folder.metadata
    assert meta["epochs_trained"] == 1 and meta["recipe"]["name"] == "seed"
    assert meta["validation"]["loss_nats"] > 0
    assert meta["validation"]["bits_per_char"] == pytest.approx(
        meta["validation"]["loss_nats"] / 0.693147, rel=1e-4
    )
    assert meta["corpus"]["sha256"] and meta["charlm_version"]
    history = json.loads((run_dir / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1] and history[0]["seconds"] > 0
    samples = json.loads((run_dir / "samples.json").read_text())
    assert set(samples[0]["samples"]) == {"0.2", "0.5", "1.0", "1.2"}
    assert all(len(text) == 400 for text in samples[0]["samples"].values())
    assert runfiles.read_progress(run_dir)["status"] == "done"
    sampler, _ = load_sampler(run_dir / "model")
    assert len(sampler.generate("the", 20, [1.0], rng_seed=0).texts[0]) == 20
    # the exported model carries no optimizer state
    import zipfile

    import h5py

    with zipfile.ZipFile(run_dir / "model" / "model.keras") as z:
        z.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as h5:
        assert "optimizer" not in h5


def test_sigterm_stops_at_the_next_batch_as_cancelled(tmp_path, tiny_corpus):
    run_dir = tmp_path / "runs" / "term"
    proc = start(run_dir, tiny_corpus, *SLOW_ENOUGH, "--batch-size", "2", "--epochs", "50")

    def inside_second_epoch():
        progress = runfiles.read_progress(run_dir)
        return progress.get("epoch") == 1 and progress.get("batch", 0) > 0

    wait_for(inside_second_epoch, proc)
    proc.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    assert proc.wait(timeout=60) == 0
    assert time.monotonic() - sent < 30
    assert runfiles.read_progress(run_dir)["status"] == "cancelled"
    # the interrupted second epoch is not recorded anywhere as completed
    assert [row["epoch"] for row in runfiles.read_history(run_dir)] == [1]
    assert backup_epoch(run_dir) == 1
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["epoch_001.weights.h5"]
    assert open_model_folder(run_dir / "model").metadata["epochs_trained"] == 1


def test_sigkill_then_resume_continues_with_the_epoch_count_intact(tmp_path, tiny_corpus):
    run_dir = tmp_path / "runs" / "kill"
    proc = start(run_dir, tiny_corpus, *SLOW_ENOUGH, "--epochs", "3")
    wait_for(lambda: backup_epoch(run_dir) >= 1, proc)
    proc.kill()
    proc.wait()
    before = runfiles.read_history(run_dir)
    assert runfiles.read_progress(run_dir)["status"] == "running"  # as the kill left it
    assert not (run_dir / "model").exists()
    resumed = start(run_dir, tiny_corpus, "--resume")
    output = resumed.communicate(timeout=300)[0].decode()
    assert resumed.returncode == 0, output[-2000:]
    after = runfiles.read_history(run_dir)
    assert [row["epoch"] for row in after] == [1, 2, 3]
    assert after[0] == before[0]  # epoch 1 was restored, not trained again
    assert runfiles.read_progress(run_dir)["status"] == "done"
    assert open_model_folder(run_dir / "model").metadata["epochs_trained"] == 3


def test_second_run_is_refused_while_one_holds_the_lock(tmp_path, tiny_corpus, isolated_runs):
    from charlm.training.recipes import make_recipe

    lock = run_lock(isolated_runs)
    lock.acquire()
    try:
        with pytest.raises(RunBusyError, match="in progress"):
            train(isolated_runs / "second", make_recipe("seed", epochs=1), corpus_path=tiny_corpus)
        proc = start(isolated_runs / "third", tiny_corpus, "--epochs", "1")
        assert proc.wait(timeout=120) == EXIT_BUSY
    finally:
        lock.release()
    assert not (isolated_runs / "second").exists()
    assert not (isolated_runs / "third").exists()


def test_existing_run_needs_resume(tmp_path, tiny_corpus):
    from charlm.training.recipes import make_recipe

    run_dir = tmp_path / "runs" / "again"
    train(
        run_dir,
        make_recipe("seed", units=8, maxlen=20, epochs=1),
        corpus_path=tiny_corpus,
        verbose=0,
    )
    with pytest.raises(FileExistsError, match="--resume"):
        train(run_dir, make_recipe("seed", epochs=1), corpus_path=tiny_corpus)


def test_mirrored_strategy_trains_the_same_recipe(tmp_path, tiny_corpus):
    from charlm.training.recipes import make_recipe

    run_dir = tmp_path / "runs" / "mirrored"
    recipe = make_recipe("seed", units=8, maxlen=20, epochs=1)
    assert train(run_dir, recipe, tiny_corpus, strategy="mirrored", verbose=0) == "done"
    run = json.loads((run_dir / "run.json").read_text())
    assert run["device"].startswith("mirrored")
    assert open_model_folder(run_dir / "model").metadata["epochs_trained"] == 1


def test_time_left_ignores_the_slow_first_batches_and_is_stable():
    from charlm.training.callbacks import PACE_BATCHES, WARMUP_BATCHES, RemainingTime

    clock, now = RemainingTime(), 0.0
    for batch in range(WARMUP_BATCHES):
        now += 30.0 if batch == 0 else 1.0  # the first step traces the graph
        clock.batch_done(now, 1.0)
        assert clock.remaining(now, 1000) is None  # still warming up
    estimates = []
    for batch in range(200):  # a steady 1 s a batch, with a 20 s validation pass every 50
        now += 1.0 + (20.0 if batch % 50 == 49 else 0.0)
        clock.batch_done(now, 1.0)
        estimates.append(clock.remaining(now, 1000 - batch))
    assert estimates[PACE_BATCHES - 2] is None and estimates[PACE_BATCHES - 1] is not None
    assert estimates[-1] == pytest.approx((1000 - 199) * (200 + 80) / 200)
    late = estimates[100:]
    assert max(late) / min(late) < 1.25  # no swings: the mean pace, not the last epoch's


def test_time_left_ends_at_the_time_budget_when_that_comes_first():
    from charlm.training.callbacks import WARMUP_BATCHES, RemainingTime

    clock, now = RemainingTime(max_seconds=120.0), 0.0
    for _ in range(WARMUP_BATCHES + 40):
        now += 1.25  # 1 s of train step and 0.25 s of reporting per batch
        clock.batch_done(now, 1.0)
    # 60 s of the 120 s budget trained; 60 more take 75 s of wall time, not 10,000 batches
    assert clock.remaining(now, 10_000) == pytest.approx(75.0)
    assert clock.fraction(0.01) == pytest.approx(0.5)


def test_training_time_budget_ends_as_done_with_a_curve_of_samples(tmp_path, tiny_corpus):
    from charlm.training.callbacks import IntervalReporter
    from charlm.training.recipes import make_recipe

    run_dir = tmp_path / "budget"
    # Short epochs (large batches), so that one ends well inside the budget even when the first
    # step's tracing takes seconds on a loaded machine: a budget spent before any epoch ends
    # the run as "cancelled, nothing was saved" (tests/test_cli.py).
    recipe = make_recipe("quick", units=32, embed_dim=8, seq_len=32, batch_size=64, epochs=500)
    start = time.monotonic()
    status = train(run_dir, recipe, corpus_path=tiny_corpus, verbose=0, max_seconds=6)
    assert status == "done"
    assert time.monotonic() - start < 120  # 500 epochs were planned
    curve = runfiles.read_curve(run_dir)
    assert len(curve) >= 1 and curve[-1]["seconds"] >= 6
    assert curve[-1]["temperature"] == IntervalReporter.SAMPLE_TEMPERATURE
    assert len(curve[-1]["sample"]) == IntervalReporter.SAMPLE_LENGTH
    seconds = [row["seconds"] for row in curve]
    assert seconds == sorted(seconds)
    assert runfiles.read_progress(run_dir)["peak_memory_mb"] > 100
    assert open_model_folder(run_dir / "model").metadata["epochs_trained"] >= 1


def test_interval_reports_come_every_few_seconds_of_training(tmp_path, tiny_corpus):
    from charlm.training.recipes import make_recipe

    run_dir = tmp_path / "interval"
    recipe = make_recipe("quick", units=64, embed_dim=8, seq_len=32, batch_size=8, epochs=500)
    train(run_dir, recipe, corpus_path=tiny_corpus, verbose=0, max_seconds=12)
    curve = runfiles.read_curve(run_dir)
    assert len(curve) >= 3  # at 5 s, 10 s, and the end
    gaps = [b["seconds"] - a["seconds"] for a, b in zip(curve, curve[1:])]
    assert all(gap <= 5.5 for gap in gaps[:-1])
    vocab_size = len(json.loads((run_dir / "vocab.json").read_text())["chars"])
    assert all(row["val_loss"] < 0.6 * math.log(vocab_size) for row in curve)  # it learned


def test_bfloat16_is_chosen_only_where_the_cpu_has_it():
    from charlm.training.model import cpu_has_bfloat16

    assert cpu_has_bfloat16("flags\t\t: fpu sse avx512f avx512_bf16 amx_tile\n")
    assert cpu_has_bfloat16("flags : fpu amx_bf16\n")
    assert not cpu_has_bfloat16("flags : fpu sse avx2 avx512f\n")
    assert not cpu_has_bfloat16("")


def test_quick_recipe_trains_in_mixed_precision_and_exports_float32(tmp_path, tiny_corpus):
    import keras

    from charlm.training.recipes import make_recipe

    run_dir = tmp_path / "mixed"
    recipe = make_recipe(
        "quick", units=16, embed_dim=8, seq_len=32, epochs=1, precision="mixed_bfloat16"
    )
    assert train(run_dir, recipe, corpus_path=tiny_corpus, verbose=0) == "done"
    assert "mixed_bfloat16" in json.loads((run_dir / "run.json").read_text())["device"]
    model = keras.saving.load_model(run_dir / "model" / "model.keras", compile=False)
    assert all(layer.dtype_policy.name == "float32" for layer in model.layers)
    sampler, _ = load_sampler(run_dir / "model")
    assert len(sampler.generate("the ", 50, (1.0,), rng_seed=0).texts[0]) == 50
