"""The trained network in plain NumPy: weights read straight from Keras files, no TensorFlow.

Supports what the recipes build: [Embedding | one-hot input] -> LSTM x n (Dropout ignored at
inference) -> Dense softmax. Two tricks keep a step cheap:
- the first LSTM's input projection (and bias) is folded into a (vocab, 4H) table, so the
  input costs a row lookup instead of a matmul;
- gates are reordered to [i, f, o, g] and the i/f/o columns pre-scaled by 1/2, so one tanh
  covers all four gates (sigmoid(x) = (tanh(x/2) + 1) / 2).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

SUPPORTED_LAYERS = {"InputLayer", "Embedding", "LSTM", "Dropout", "Dense"}
_SNAKE = {"Embedding": "embedding", "LSTM": "lstm", "Dense": "dense"}


class NetworkFormatError(ValueError):
    """A model file is missing, truncated or holds layers the sampler cannot run."""


@dataclass(frozen=True)
class LstmWeights:
    kernel: np.ndarray  # (inputs, 4H), gates [i, f, o, g], i/f/o scaled by 1/2
    recurrent: np.ndarray  # (H, 4H), same layout
    bias: np.ndarray  # (4H,)

    @property
    def units(self) -> int:
        return self.recurrent.shape[0]


def _prepare_lstm(kernel, recurrent, bias) -> LstmWeights:
    """Keras order [i, f, g, o] -> [i, f, o, g]; halve i/f/o for the one-tanh trick."""
    units = recurrent.shape[0]
    order = np.concatenate(
        [np.arange(0, 2 * units), np.arange(3 * units, 4 * units), np.arange(2 * units, 3 * units)]
    )
    scale = np.ones(4 * units, dtype=np.float32)
    scale[: 3 * units] = 0.5

    def fix(array):
        return np.ascontiguousarray(array[..., order] * scale, dtype=np.float32)

    return LstmWeights(fix(kernel), fix(recurrent), fix(bias))


def lstm_cell(z: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM update from pre-activations z (B, 4H) laid out as prepared; z is overwritten."""
    units = c.shape[-1]
    np.tanh(z, out=z)
    gates = z[:, : 3 * units]
    gates *= 0.5
    gates += 0.5
    c = gates[:, units : 2 * units] * c
    c += gates[:, :units] * z[:, 3 * units :]
    h = np.tanh(c)
    h *= gates[:, 2 * units : 3 * units]
    return h, c


@dataclass(frozen=True)
class Network:
    vocab_size: int
    input_table: np.ndarray  # (V, 4H0): first layer's input projection + bias, per char id
    lstms: tuple[LstmWeights, ...]
    dense_kernel: np.ndarray  # (H_last, V)
    dense_bias: np.ndarray  # (V,)
    one_hot_input: bool
    window: int | None  # fixed input length (seed recipe) or None

    @property
    def units(self) -> tuple[int, ...]:
        return tuple(layer.units for layer in self.lstms)

    def zero_state(self, batch: int) -> list[tuple[np.ndarray, np.ndarray]]:
        return [
            (np.zeros((batch, u), np.float32), np.zeros((batch, u), np.float32)) for u in self.units
        ]

    def step(self, ids: np.ndarray, state) -> list[tuple[np.ndarray, np.ndarray]]:
        """Feed one character id per row; returns the new state (last layer's h is state[-1][0])."""
        new_state = []
        below = None
        for index, (layer, (h, c)) in enumerate(zip(self.lstms, state)):
            if index == 0:
                z = self.input_table[ids]
            else:
                z = below @ layer.kernel
                z += layer.bias
            z += h @ layer.recurrent
            h, c = lstm_cell(z, c)
            new_state.append((h, c))
            below = h
        return new_state

    def logits(self, hidden: np.ndarray) -> np.ndarray:
        return hidden @ self.dense_kernel + self.dense_bias

    def log_probs_over(self, ids: np.ndarray, score_from: int) -> np.ndarray:
        """Log-probabilities (B, T - score_from, V) of the character after each position
        >= score_from, reading windows `ids` (B, T) from the zero state."""
        state = self.zero_state(ids.shape[0])
        kept = []
        for t in range(ids.shape[1]):
            state = self.step(ids[:, t], state)
            if t >= score_from:
                kept.append(self.logits(state[-1][0]))
        logits = np.stack(kept, axis=1).astype(np.float64)
        logits -= logits.max(axis=-1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


# ---- reading Keras files -------------------------------------------------------------


# The largest model or weights file read (untrusted input): the bundled best model is 10 MB.
MAX_FILE_BYTES = 1024 * 1024 * 1024


def read_keras_file(path: Path | str) -> tuple[dict, bytes]:
    """(model config, weights .h5 bytes) from a `.keras` zip, with errors naming the file."""
    path = Path(path)
    if not path.is_file():
        raise NetworkFormatError(f"model file missing: {path}")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise NetworkFormatError(f"{path} is larger than {MAX_FILE_BYTES >> 20} MB")
        with zipfile.ZipFile(path) as archive:
            for member in ("config.json", "model.weights.h5"):
                if archive.getinfo(member).file_size > MAX_FILE_BYTES:  # a zip bomb stops here
                    raise NetworkFormatError(f"{path}: {member} unpacks to over the limit")
            config = json.loads(archive.read("config.json"))
            weights = archive.read("model.weights.h5")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise NetworkFormatError(f"{path} is not a readable .keras model file ({exc})") from exc
    return config, weights


def _layer_vars(h5: h5py.File, name: str, cell: bool) -> list[np.ndarray]:
    group_path = f"layers/{name}/cell/vars" if cell else f"layers/{name}/vars"
    group = h5.get(group_path)
    if group is None:
        raise NetworkFormatError(f"weights for layer {name!r} missing ({group_path})")
    return [np.asarray(group[str(i)], dtype=np.float32) for i in range(len(group))]


def network_from_keras(config: dict, weights: bytes | Path | str, label: str = "model") -> Network:
    """Build a Network from a Keras Sequential config and its weights (.h5 bytes or path)."""
    try:
        layers = config["config"]["layers"]
    except (KeyError, TypeError) as exc:
        raise NetworkFormatError(f"{label}: not a Sequential model config") from exc
    if not isinstance(layers, list) or not all(
        isinstance(lay, dict) and isinstance(lay.get("class_name"), str) for lay in layers
    ):
        raise NetworkFormatError(f"{label}: every layer needs a class_name")
    unsupported = sorted({lay["class_name"] for lay in layers} - SUPPORTED_LAYERS)
    if unsupported:
        raise NetworkFormatError(f"{label}: the sampler cannot run layer type(s) {unsupported}")
    source = io.BytesIO(weights) if isinstance(weights, bytes) else weights
    try:
        with h5py.File(source, "r") as h5:
            return _assemble(layers, h5, label)
    except OSError as exc:
        raise NetworkFormatError(f"{label}: weights are unreadable or truncated ({exc})") from exc
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise NetworkFormatError(f"{label}: the model config is malformed ({exc!r})") from exc


def _assemble(layers: list[dict], h5: h5py.File, label: str) -> Network:
    input_layer = next((lay for lay in layers if lay["class_name"] == "InputLayer"), None)
    shape = input_layer["config"]["batch_shape"] if input_layer else [None, None]
    embedding = None
    lstms: list[LstmWeights] = []
    dense = None
    seen: dict[str, int] = {}
    for layer in layers:
        kind = layer["class_name"]
        # Keras names weight groups by class, in order: lstm, lstm_1, ... (not layer names).
        count = seen.get(kind, 0)
        seen[kind] = count + 1
        name = _SNAKE.get(kind, kind.lower()) + (f"_{count}" if count else "")
        if kind == "Embedding":
            (embedding,) = _layer_vars(h5, name, cell=False)
        elif kind == "LSTM":
            lstms.append(_prepare_lstm(*_layer_vars(h5, name, cell=True)))
        elif kind == "Dense":
            dense = _layer_vars(h5, name, cell=False)
    if not lstms or dense is None:
        raise NetworkFormatError(f"{label}: needs at least one LSTM and a Dense output layer")
    window = shape[1] if embedding is None and len(shape) == 3 else None
    return network_from_arrays(embedding, lstms, dense[0], dense[1], window, label)


def network_from_arrays(embedding, lstms, dense_kernel, dense_bias, window=None, label="model"):
    """A Network from weight arrays: embedding (or None for one-hot input), prepared LSTM
    layers, and the dense layer's kernel and bias."""
    first = lstms[0]
    table = first.kernel if embedding is None else embedding @ first.kernel
    vocab_size = dense_kernel.shape[1]
    if table.shape[0] != vocab_size:
        raise NetworkFormatError(
            f"{label}: input size {table.shape[0]} != output size {vocab_size}"
        )
    return Network(
        vocab_size=vocab_size,
        input_table=np.ascontiguousarray(table + first.bias, dtype=np.float32),
        lstms=tuple(lstms),
        dense_kernel=np.ascontiguousarray(dense_kernel, dtype=np.float32),
        dense_bias=np.ascontiguousarray(dense_bias, dtype=np.float32),
        one_hot_input=embedding is None,
        window=window,
    )


def network_from_model(model) -> Network:
    """The NumPy network of a live Keras model (the trainer samples from it mid-epoch)."""
    embedding, lstms, dense = None, [], None
    for layer in model.layers:
        kind = type(layer).__name__
        weights = [np.asarray(w, dtype=np.float32) for w in layer.get_weights()]
        if kind == "Embedding":
            (embedding,) = weights
        elif kind == "LSTM":
            lstms.append(_prepare_lstm(*weights))
        elif kind == "Dense":
            dense = weights
    if not lstms or dense is None:
        raise NetworkFormatError("the model needs at least one LSTM and a Dense output layer")
    shape = model.inputs[0].shape if model.inputs else (None, None)
    window = shape[1] if embedding is None and len(shape) == 3 else None
    return network_from_arrays(embedding, lstms, dense[0], dense[1], window)


def load_network(model_file: Path | str, weights_file: Path | str | None = None) -> Network:
    """Network from a `.keras` file, optionally with other weights (an epoch snapshot)."""
    config, weights = read_keras_file(model_file)
    if weights_file is not None:
        if not Path(weights_file).is_file():
            raise NetworkFormatError(f"weights file missing: {weights_file}")
        if Path(weights_file).stat().st_size > MAX_FILE_BYTES:
            raise NetworkFormatError(f"{weights_file} is larger than {MAX_FILE_BYTES >> 20} MB")
        return network_from_keras(config, Path(weights_file), label=str(weights_file))
    return network_from_keras(config, weights, label=str(model_file))
