"""Every cell's tanh(c) and h over 2,000 characters of held-out text (the Neurons view), timed
for each bundled model; beside it, the only way Keras gives c per step: calling the LSTM cell
one character at a time. Also times the step inspector's occlusion (60 characters) and the
memory-span curve, and prints the cells found in each model (from its neurons.json).

    python benchmarks/neuron_activations.py [--chars 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from charlm.analysis import influence, neuron_report, neurons  # noqa: E402
from charlm.generation.artifacts import MODEL_FILE, load_sampler, resolve_model  # noqa: E402

MODELS = ("nietzsche-seed", "nietzsche-best")


def median_seconds(work, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def keras_cell_loop(path: Path, ids: np.ndarray, vocab_size: int) -> float:
    """Seconds for tanh(c) and h of every layer, one keras LSTMCell call per character."""
    import keras

    model = keras.saving.load_model(path / MODEL_FILE, compile=False)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    embedding = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
    start = time.perf_counter()
    if embedding:
        inputs = np.asarray(embedding[0](ids[None, :]))[0]
    else:
        inputs = np.eye(vocab_size, dtype=np.float32)[ids]
    for layer in lstms:
        h = np.zeros((1, layer.units), np.float32)
        c = np.zeros((1, layer.units), np.float32)
        hs = []
        for t in range(len(ids)):
            _, (h, c) = layer.cell(inputs[t : t + 1], [h, c])
            hs.append(np.asarray(h)[0])
            np.tanh(np.asarray(c))
        inputs = np.array(hs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=2000)
    args = parser.parse_args()
    rows = []
    for name in MODELS:
        path = resolve_model(name)
        sampler, folder = load_sampler(path)
        ids = np.asarray(sampler.vocab.encode(folder.heldout_text(), on_unknown="drop"))
        ids = ids[: args.chars]
        network = sampler.network
        ours = median_seconds(lambda n=network, i=ids: neurons.activations(n, i))
        occlusion = median_seconds(lambda n=network, i=ids: influence.occlusion(n, i[:60]))
        keras_s = keras_cell_loop(path, ids[:200], sampler.vocab.size) * len(ids) / 200
        rows.append((name, sampler.network.units, ours, keras_s, occlusion))
    print(f"Activations of every cell over {args.chars:,} held-out characters (median of 7)")
    header = ("model", "layers", "ours (NumPy)", "Keras cell loop*", "occlusion 60")
    print(f"{header[0]:<16}{header[1]:<12}{header[2]:>14}{header[3]:>18}{header[4]:>14}")
    for name, units, ours, keras_s, occlusion in rows:
        print(
            f"{name:<16}{'x'.join(map(str, units)):<12}{ours * 1000:>11.0f} ms"
            f"{keras_s:>16.1f} s{occlusion * 1000:>11.0f} ms"
        )
    print("* measured on 200 characters, scaled to the same length")
    print()
    for name in MODELS:
        report = neuron_report.read_report(resolve_model(name))
        if report is None:
            print(f"{name}: no neurons.json (python -m charlm neurons --model {name})")
            continue
        print(f"{name}: cells found over {report['characters']:,} characters ({report['source']})")
        print("\n".join(neuron_report.summary_lines(report)))


if __name__ == "__main__":
    main()
