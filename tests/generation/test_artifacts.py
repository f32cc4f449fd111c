import json
import shutil
from pathlib import Path

import h5py
import pytest

from charlm.generation.artifacts import (
    ArtifactError,
    list_models,
    load_sampler,
    resolve_model,
    write_model_folder,
)


@pytest.fixture
def model_copy(tmp_path, tiny_seed_model):
    return shutil.copytree(tiny_seed_model, tmp_path / "copy")


def test_truncated_model_file_is_named(model_copy):
    data = (model_copy / "model.keras").read_bytes()
    (model_copy / "model.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtifactError, match="model.keras"):
        load_sampler(model_copy)


def test_garbage_weights_are_named(model_copy, tmp_path):
    import zipfile

    with zipfile.ZipFile(model_copy / "model.keras") as src:
        config = src.read("config.json")
    with zipfile.ZipFile(model_copy / "model.keras", "w") as dst:
        dst.writestr("config.json", config)
        dst.writestr("model.weights.h5", b"\x00" * 100)
    with pytest.raises(ArtifactError, match="model.keras"):
        load_sampler(model_copy)


def test_missing_vocabulary_is_named(model_copy):
    (model_copy / "vocab.json").unlink()
    with pytest.raises(ArtifactError, match="vocab.json"):
        load_sampler(model_copy)


def test_vocabulary_size_mismatch_is_named(model_copy):
    chars = json.loads((model_copy / "vocab.json").read_text())["chars"]
    (model_copy / "vocab.json").write_text(json.dumps({"chars": chars[:-1]}))
    with pytest.raises(ArtifactError, match=r"vocab.json.*model.keras"):
        load_sampler(model_copy)


def test_bad_metadata_and_missing_folder(model_copy, tmp_path):
    (model_copy / "metadata.json").write_text("[]")
    with pytest.raises(ArtifactError, match="metadata.json"):
        load_sampler(model_copy)
    with pytest.raises(ArtifactError, match="not found"):
        load_sampler(tmp_path / "absent")


def test_missing_snapshot_is_named(tiny_seed_model):
    with pytest.raises(ArtifactError, match="epoch_009"):
        load_sampler(tiny_seed_model, epoch=9)


def test_folder_appears_whole_or_not_at_all(tmp_path):
    def fails(tmp):
        (tmp / "half.txt").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_model_folder(tmp_path / "model", fails)
    assert list(tmp_path.iterdir()) == []
    write_model_folder(tmp_path / "model", lambda tmp: (tmp / "a.txt").write_text("1"))
    write_model_folder(tmp_path / "model", lambda tmp: (tmp / "b.txt").write_text("2"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert [p.name for p in (tmp_path / "model").iterdir()] == ["b.txt"]


def test_listing_finds_bundled_and_run_models(tmp_path, tiny_seed_model):
    artifacts = tmp_path / "artifacts"
    shutil.copytree(tiny_seed_model, artifacts / "bundled")
    runs = tmp_path / "runs"
    shutil.copytree(tiny_seed_model, runs / "mine" / "model")
    (runs / "broken").mkdir(parents=True)
    found = list_models(artifacts, runs)
    assert list(found) == ["bundled", "runs/mine"]


def test_resolve_unknown_name_lists_known(tmp_path):
    with pytest.raises(ArtifactError, match="no model named 'nope'"):
        resolve_model("nope")


def test_float16_snapshots_give_the_same_predictions_within_tolerance(tmp_path, tiny_fast_model):
    """The README's tolerance: per-step distributions within 0.01 total variation."""
    import numpy as np

    from charlm.training.export import export_run

    run_dir = Path(tiny_fast_model).parent
    half = export_run(run_dir, tmp_path / "half", snapshot_epochs=[1], snapshot_dtype="float16")
    full = export_run(run_dir, tmp_path / "full", snapshot_epochs=[1])
    snapshot = "snapshots/epoch_001.weights.h5"
    assert (half / snapshot).stat().st_size < (full / snapshot).stat().st_size
    kinds = set()

    def note(_, item):
        if isinstance(item, h5py.Dataset):
            kinds.add(str(item.dtype))

    with h5py.File(half / snapshot, "r") as h5:
        h5.visititems(note)
    assert kinds == {"float16"}
    (h16, _), (h32, _) = load_sampler(half, 1), load_sampler(full, 1)
    a = h16.generate("the man", 300, (0.5,), rng_seed=4)
    b = h32.generate("the man", 300, (0.5,), rng_seed=4)
    p16 = np.exp(a.logits[:, 0] - a.logits[:, 0].max(1, keepdims=True))
    p32 = np.exp(b.logits[:, 0] - b.logits[:, 0].max(1, keepdims=True))
    p16 /= p16.sum(1, keepdims=True)
    p32 /= p32.sum(1, keepdims=True)
    same = np.argmax(a.ids[0] != b.ids[0]) if (a.ids[0] != b.ids[0]).any() else 300
    assert 0.5 * np.abs(p16[:same] - p32[:same]).sum(1).max() < 0.01
    assert same >= 100  # the texts agree for at least the first 100 characters


def test_export_refuses_snapshots_of_epochs_it_does_not_have(tmp_path, tiny_fast_model):
    from charlm.training.export import export_run

    with pytest.raises(ValueError, match=r"no completed epoch\(s\) \[7\]"):
        export_run(Path(tiny_fast_model).parent, tmp_path / "x", snapshot_epochs=[1, 7])
