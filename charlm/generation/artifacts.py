"""Model folders: atomic save, validated load, listing.

A model folder holds model.keras (no optimizer state), vocab.json, metadata.json,
history.json, samples.json and optionally snapshots/epoch_NNN.weights.h5.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import h5py

from charlm.common import atomic, records
from charlm.common.messages import KeyedError
from charlm.common.settings import load_settings
from charlm.generation.network import Network, NetworkFormatError, load_network
from charlm.generation.sampler import Sampler
from charlm.text.vocab import Vocabulary

MODEL_FILE = "model.keras"
METADATA_FILE = "metadata.json"
# Bounds on the untrusted text files of a model folder: heldout.txt holds 4,000 characters
# (at most 16 kB); words.txt of a 10 MB upload is a few MB.
MAX_HELDOUT_BYTES = 256 * 1024
MAX_WORDS_BYTES = 32 * 1024 * 1024
HISTORY_ROW = {"epoch": int, "loss": records.OPTIONAL_NUMBER, "val_loss": records.OPTIONAL_NUMBER}
SAMPLES_ROW = {"epoch": int, "samples": dict}
HISTORY_FILE = "history.json"
SAMPLES_FILE = "samples.json"
SNAPSHOT_DIR = "snapshots"
WORDS_FILE = "words.txt"  # the training text's distinct words (the sweep's real-word share)
HELDOUT_FILE = "heldout.txt"  # a fixed slice of validation text (the sweep's calibration)
HELDOUT_CHARS = 4000


class ArtifactError(KeyedError, ValueError):
    """A model folder is missing, incomplete or inconsistent; the message names the file.

    The page says `key` in its own language with the file's name; `detail` (what the file
    reader said, in English) is added to str() for the command line and the logs."""

    ENGLISH = {
        "model_missing": "model folder not found: {path}",
        "model_incomplete": "model folder {path} is incomplete: {file} is missing",
        "model_metadata_bad": "{file} is not valid model metadata",
        "model_file_bad": "{file} cannot be read as this model's file",
        "model_vocab_mismatch": "{file} does not match the model's vocabulary",
        "model_unknown": "no model named {name} and no such folder (known: {known})",
    }

    def __init__(self, key: str, detail: str = "", **params):
        super().__init__(key, **params)
        self.detail = detail

    def __str__(self) -> str:
        english = super().__str__()
        return f"{english}: {self.detail}" if self.detail else english


def snapshot_name(epoch: int) -> str:
    return f"epoch_{epoch:03d}.weights.h5"


SNAPSHOT_DTYPES = ("float32", "float16")


def strip_to_layers(source: Path, destination: Path, dtype: str = "float32") -> None:
    """Copy only the layer weights of a Keras .weights.h5 (drops optimizer state); float16
    halves a snapshot (the sampler reads it back as float32)."""
    if dtype not in SNAPSHOT_DTYPES:
        raise ValueError(f"snapshot dtype must be one of {SNAPSHOT_DTYPES} (got {dtype!r})")
    with h5py.File(source, "r") as src, h5py.File(destination, "w") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        if dtype == "float32":
            src.copy(src["layers"], dst, name="layers")
            return

        def convert(name, item):
            if isinstance(item, h5py.Dataset):
                data = item[()]
                if getattr(data, "dtype", None) is not None and data.dtype.kind == "f":
                    data = data.astype(dtype)
                dst.create_dataset(f"layers/{name}", data=data)
            else:
                dst.require_group(f"layers/{name}")

        src["layers"].visititems(convert)


def write_model_folder(destination: Path, build_contents) -> Path:
    """Create a folder by calling build_contents(tmp_folder), then rename it into place,
    so a reader never sees a half-written model."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        build_contents(tmp)
        if destination.exists():
            old = destination.with_name(f".{destination.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            destination.rename(old)
            tmp.rename(destination)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(destination)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return destination


@dataclass(frozen=True)
class ModelFolder:
    path: Path
    metadata: dict

    @property
    def name(self) -> str:
        return self.metadata.get("name") or self.path.name

    @property
    def context_length(self) -> int:
        return int(self.metadata["context_length"])

    def snapshot_epochs(self) -> list[int]:
        folder = self.path / SNAPSHOT_DIR
        if not folder.is_dir():
            return []
        return sorted(int(p.name[6:9]) for p in folder.glob("epoch_*.weights.h5"))

    def history(self) -> list[dict]:
        return records.rows(atomic.read_json(self.path / HISTORY_FILE), HISTORY_ROW)

    def known_words(self) -> set[str] | None:
        """The training text's words (None: no usable words.txt, so no real-words curve)."""
        text = atomic.read_text(self.path / WORDS_FILE, MAX_WORDS_BYTES)
        return None if text is None else set(text.split())

    def heldout_text(self) -> str | None:
        """The held-out passage (None when missing, not UTF-8, or oversized)."""
        return atomic.read_text(self.path / HELDOUT_FILE, MAX_HELDOUT_BYTES)

    def samples(self) -> list[dict]:
        return [
            row
            for row in records.rows(atomic.read_json(self.path / SAMPLES_FILE), SAMPLES_ROW)
            if all(isinstance(k, str) and isinstance(v, str) for k, v in row["samples"].items())
        ]


def open_model_folder(path: Path | str) -> ModelFolder:
    """Validate the folder's files exist and metadata parses; errors name the file."""
    path = Path(path)
    if not path.is_dir():
        raise ArtifactError("model_missing", str(path), path=path.name)
    for required in (MODEL_FILE, "vocab.json", METADATA_FILE):
        if not (path / required).is_file():
            raise ArtifactError("model_incomplete", str(path), path=path.name, file=required)
    metadata = atomic.read_json(path / METADATA_FILE)
    problem = metadata_problem(metadata)
    if problem:
        raise ArtifactError(
            "model_metadata_bad", f"{path / METADATA_FILE}: {problem}", file=METADATA_FILE
        )
    return ModelFolder(path, metadata)


# The fields the page and CLI read, and the JSON types each must have (None: may be null).
_METADATA_SCHEMA = {
    "context_length": (int,),
    "name": (str, type(None)),
    "recipe": (dict, type(None)),
    "corpus": (dict, type(None)),
    "validation": (dict, type(None)),
    "epochs_trained": (int, type(None)),
}
_NUMBERS = (int, float, type(None))


def metadata_problem(metadata) -> str | None:
    """What is wrong with a metadata.json payload, or None when it has the right shape."""
    if not isinstance(metadata, dict):
        return "not a JSON object"
    if "context_length" not in metadata:
        return "context_length is missing"
    for key, kinds in _METADATA_SCHEMA.items():
        value = metadata.get(key)
        if key in metadata and (not isinstance(value, kinds) or isinstance(value, bool)):
            return f"{key} must be {' or '.join(k.__name__ for k in kinds)} (got {value!r})"
    if not 1 <= metadata["context_length"] <= 100_000:
        return f"context_length must be between 1 and 100000 (got {metadata['context_length']})"
    for key, value in (metadata.get("validation") or {}).items():
        if key in {"loss_nats", "bits_per_char"} and (
            not isinstance(value, _NUMBERS) or isinstance(value, bool)
        ):
            return f"validation.{key} must be a number (got {value!r})"
    corpus_path = (metadata.get("corpus") or {}).get("path")
    if corpus_path is not None and not isinstance(corpus_path, str):
        return f"corpus.path must be a string (got {corpus_path!r})"
    return None


def load_vocab(folder: ModelFolder) -> Vocabulary:
    try:
        return Vocabulary.load(folder.path)
    except (FileNotFoundError, ValueError) as exc:
        raise ArtifactError("model_file_bad", str(exc), file="vocab.json") from exc


def load_network_checked(folder: ModelFolder, epoch: int | None = None) -> Network:
    weights = None if epoch is None else folder.path / SNAPSHOT_DIR / snapshot_name(epoch)
    try:
        network = load_network(folder.path / MODEL_FILE, weights)
    except NetworkFormatError as exc:
        file = MODEL_FILE if weights is None else f"{SNAPSHOT_DIR}/{snapshot_name(epoch)}"
        raise ArtifactError("model_file_bad", str(exc), file=file) from exc
    vocab = load_vocab(folder)
    if network.vocab_size != vocab.size:
        raise ArtifactError(
            "model_vocab_mismatch",
            f"{folder.path}: vocab.json has {vocab.size} characters but {MODEL_FILE} predicts "
            f"{network.vocab_size}",
            file="vocab.json",
        )
    return network


def load_sampler(path: Path | str, epoch: int | None = None) -> tuple[Sampler, ModelFolder]:
    """A ready Sampler for the model folder (or one of its epoch snapshots)."""
    folder = open_model_folder(path)
    network = load_network_checked(folder, epoch)
    return Sampler(network, load_vocab(folder), folder.context_length), folder


def list_models(artifacts_dir: Path | None = None, runs_dir: Path | None = None) -> dict[str, Path]:
    """name -> folder for bundled models, then finished training runs (runs/NAME/model)."""
    settings = load_settings()
    artifacts_dir = artifacts_dir or settings.artifacts_dir
    runs_dir = runs_dir or settings.runs_dir
    found: dict[str, Path] = {}
    for folder in sorted(Path(artifacts_dir).glob("*/")):
        if (folder / METADATA_FILE).is_file() and not folder.name.startswith("."):
            found[folder.name] = folder
    for folder in sorted(Path(runs_dir).glob("*/model/")):
        if (folder / METADATA_FILE).is_file():
            found.setdefault(f"runs/{folder.parent.name}", folder)
    return found


def resolve_model(name_or_path: str) -> Path:
    """A bundled model's name, a run name (runs/NAME) or a folder path -> folder."""
    models = list_models()
    if name_or_path in models:
        return models[name_or_path]
    path = Path(name_or_path)
    if path.is_dir():
        return path
    known = ", ".join(models) or "none"
    raise ArtifactError("model_unknown", name=repr(name_or_path), known=known)
