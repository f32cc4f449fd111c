"""The models committed under artifacts/: their figures, parity with Keras, size."""

import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from charlm.analysis.evaluation import validation_figures
from charlm.common.settings import PROJECT_ROOT
from charlm.generation.artifacts import list_models, load_sampler
from charlm.text.corpus import load_corpus, split_text

ARTIFACTS = PROJECT_ROOT / "artifacts"
BUNDLED = sorted(list_models(ARTIFACTS, ARTIFACTS / "no-runs").items())


def test_there_are_bundled_models():
    assert "nietzsche-seed" in dict(BUNDLED)


def test_artifacts_fit_the_budget():
    total = sum(p.stat().st_size for p in ARTIFACTS.rglob("*") if p.is_file())
    assert total <= 40 * 1024 * 1024, f"artifacts/ is {total / 2**20:.1f} MiB"


@pytest.mark.parametrize("name, path", BUNDLED, ids=[name for name, _ in BUNDLED])
def test_no_optimizer_state_is_shipped(name, path):
    with zipfile.ZipFile(path / "model.keras") as archive:
        with archive.open("model.weights.h5") as raw, h5py.File(raw) as h5:
            assert "optimizer" not in h5
    for snapshot in (path / "snapshots").glob("*.weights.h5"):
        with h5py.File(snapshot) as h5:
            assert list(h5) == ["layers"]


@pytest.mark.slow
@pytest.mark.parametrize("name, path", BUNDLED, ids=[name for name, _ in BUNDLED])
def test_validation_loss_matches_metadata(name, path, nietzsche_path):
    sampler, folder = load_sampler(path)
    val_ids = sampler.vocab.encode(split_text(load_corpus())[1])
    figures = validation_figures(sampler.network, val_ids, folder.context_length)
    recorded = folder.metadata["validation"]
    assert figures["loss_nats"] == pytest.approx(recorded["loss_nats"], abs=0.01)
    assert figures["bits_per_char"] == pytest.approx(recorded["bits_per_char"], abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("name, path", BUNDLED, ids=[name for name, _ in BUNDLED])
def test_parity_with_keras_on_corpus_windows(name, path, nietzsche_path):
    import keras

    sampler, folder = load_sampler(path)
    text = split_text(load_corpus())[1]
    ids = sampler.vocab.encode(text)
    width = folder.context_length
    starts = np.linspace(0, len(ids) - width - 1, 24).astype(int)
    windows = np.stack([ids[s : s + width] for s in starts])
    ours = np.exp(sampler.network.log_probs_over(windows, 0))  # every position
    model = keras.saving.load_model(Path(path) / "model.keras", safe_mode=True, compile=False)
    if sampler.network.one_hot_input:
        theirs = model.predict(np.eye(sampler.vocab.size, dtype=np.float32)[windows], verbose=0)
        np.testing.assert_allclose(ours[:, -1], theirs, atol=1e-5)
    else:
        theirs = model.predict(windows, verbose=0)
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_best_model_has_an_epoch_timeline_in_float16_that_matches_float32():
    """The README's tolerance for float16 snapshots: on held-out text, next-character
    distributions within 0.02 total variation of the float32 weights (mean under 0.002), and
    the same generated text at T = 0.5 for at least the first 200 characters."""
    path = ARTIFACTS / "nietzsche-best"
    sampler, folder = load_sampler(path)
    epochs = folder.snapshot_epochs()
    assert len(epochs) >= 4 and folder.metadata["epoch_exported"] in epochs
    with h5py.File(path / "snapshots" / f"epoch_{epochs[0]:03d}.weights.h5") as h5:
        kinds = set()
        h5.visititems(
            lambda _, item: kinds.add(item.dtype.name) if hasattr(item, "dtype") else None
        )
    assert kinds == {"float16"}
    half, _ = load_sampler(path, folder.metadata["epoch_exported"])
    ids = np.array(sampler.vocab.encode(folder.heldout_text()[:1000]))[None, :]
    p32 = np.exp(sampler.network.log_probs_over(ids, 0)[0])
    p16 = np.exp(half.network.log_probs_over(ids, 0)[0])
    distance = 0.5 * np.abs(p32 - p16).sum(axis=1)
    assert distance.max() < 0.02 and distance.mean() < 0.002
    seed = folder.heldout_text()[:100]
    a = sampler.generate(seed, 200, (0.5,), rng_seed=7).texts[0]
    b = half.generate(seed, 200, (0.5,), rng_seed=7).texts[0]
    assert a == b
    first, _ = load_sampler(path, epochs[0])
    assert first.generate(seed, 200, (0.5,), rng_seed=7).texts[0] != a  # an earlier model
