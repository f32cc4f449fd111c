"""sweeps.json: the Compare sweeps a class meets, computed ahead of time and never trusted
when stale or malformed."""

import json
import shutil
from pathlib import Path

import pytest

from charlm.analysis import sweep, sweep_store
from charlm.generation.artifacts import load_sampler, open_model_folder
from charlm.text.corpus import FALLBACK_SEED

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
GRID = sweep.temperature_grid()
LENGTH = sweep_store.PAGE_SWEEP_LENGTH


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    folder = tmp_path / "nietzsche-seed"
    shutil.copytree(ARTIFACTS / "nietzsche-seed", folder, ignore=shutil.ignore_patterns("snap*"))
    (folder / sweep_store.SWEEPS_FILE).unlink(missing_ok=True)
    return folder


def small_pool(monkeypatch, count=3):
    real = sweep_store.pool_passages
    monkeypatch.setattr(sweep_store, "pool_passages", lambda s, n: real(s, n, count))


def test_precomputed_points_equal_the_live_sweep(seed_copy, monkeypatch):
    small_pool(monkeypatch)
    sampler, folder = load_sampler(seed_copy)
    sweep_store.precompute(sampler, folder, 42)
    shipped = sweep_store.read_sweeps(seed_copy, LENGTH, GRID, 42)
    assert list(shipped) == sweep_store.class_seeds(folder)
    assert shipped[FALLBACK_SEED][0] == sweep.SweepPoint(**shipped[FALLBACK_SEED][0].__dict__)
    held = sweep_store.heldout_of(sampler, folder)
    live = sweep_store.page_sweep(sampler, folder, FALLBACK_SEED, 42, held)
    assert shipped[FALLBACK_SEED] == live
    assert all(p.calibration_nats is not None for p in live)


@pytest.mark.parametrize(
    "change",
    ["words", "weights", "settings_rng", "settings_length", "format"],
)
def test_a_stale_file_is_ignored(seed_copy, monkeypatch, change):
    small_pool(monkeypatch, 1)
    sampler, folder = load_sampler(seed_copy)
    sweep_store.precompute(sampler, folder, 42)
    rng, length = 42, LENGTH
    if change == "words":
        (seed_copy / "words.txt").write_text("a\nb\n")
    elif change == "weights":
        with open(seed_copy / "model.keras", "ab") as f:
            f.write(b"\0")
    elif change == "settings_rng":
        rng = 7
    elif change == "settings_length":
        length = 200
    else:
        path = seed_copy / sweep_store.SWEEPS_FILE
        payload = json.loads(path.read_text())
        payload["format"] = 99
        path.write_text(json.dumps(payload))
    assert sweep_store.read_sweeps(seed_copy, length, GRID, rng) == {}


def hostile_payloads(good: dict):
    yield "not json at all {"
    yield json.dumps([1, 2, 3])
    yield json.dumps({**good, "sweeps": "no"})
    bad_point = json.loads(json.dumps(good))
    first = next(iter(bad_point["sweeps"]))
    bad_point["sweeps"][first][0]["surprisal_bits"] = "1e999"
    yield json.dumps(bad_point)
    nan = json.dumps(good).replace('"surprisal_bits":', '"surprisal_bits":NaN,"x":', 1)
    yield nan
    short = json.loads(json.dumps(good))
    short["sweeps"][first] = short["sweeps"][first][:3]
    yield json.dumps(short)


def test_hostile_files_give_nothing_and_never_raise(seed_copy, monkeypatch):
    small_pool(monkeypatch, 1)
    sampler, folder = load_sampler(seed_copy)
    path = sweep_store.precompute(sampler, folder, 42)
    good = json.loads(path.read_text())
    for text in hostile_payloads(good):
        path.write_text(text)
        found = sweep_store.read_sweeps(seed_copy, LENGTH, GRID, 42)
        assert FALLBACK_SEED not in found or text == json.dumps(good)
    path.write_bytes(b" " * (sweep_store.MAX_FILE_BYTES + 1))
    assert sweep_store.read_sweeps(seed_copy, LENGTH, GRID, 42) == {}


@pytest.mark.parametrize("model", ["nietzsche-seed", "nietzsche-best"])
def test_the_bundled_models_ship_current_sweeps_for_every_seed_a_class_meets(model):
    """Regenerate with `python -m charlm sweeps --model NAME` when a model changes."""
    folder = open_model_folder(ARTIFACTS / model)
    shipped = sweep_store.read_sweeps(folder.path, LENGTH, GRID, 42)
    assert set(shipped) == set(sweep_store.class_seeds(folder))
    assert len(shipped) > sweep_store.PASSAGE_POOL // 2  # the pool, less a repeat or two


def test_the_page_shows_the_shipped_sweep_without_computing(monkeypatch):
    from charlm.ui import loaders, params

    assert params.PageSettings().rng_seed == 42  # the settings the files were computed for
    loaders._sweeps.clear()

    def refuse(*args, **kwargs):
        raise AssertionError("computed although sweeps.json holds it")

    monkeypatch.setattr(sweep_store, "page_sweep", refuse)
    points = loaders.temperature_sweep(ARTIFACTS / "nietzsche-best", None, FALLBACK_SEED, 42)
    assert len(points) == len(GRID)
    loaders._sweeps.clear()
    with pytest.raises(AssertionError, match="computed"):  # an own seed text is computed
        loaders.temperature_sweep(ARTIFACTS / "nietzsche-best", None, "my own words", 42)
