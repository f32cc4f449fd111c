"""Neurons and influence: constructed weights whose answers are known, and Keras parity."""

from pathlib import Path

import numpy as np
import pytest

from charlm.analysis import influence, neurons
from charlm.generation.artifacts import load_sampler
from charlm.generation.network import Network, _prepare_lstm
from charlm.text import text_features
from charlm.text.vocab import Vocabulary

ROOT = Path(__file__).resolve().parents[2]
BIG = 12.0  # a gate pre-activation this large is fully open (sigmoid 0.999994)


def one_layer_network(vocab_size, kernel, recurrent, bias, dense_kernel, dense_bias):
    """A Network from Keras-ordered [i, f, g, o] weights of one LSTM on one-hot input."""
    layer = _prepare_lstm(kernel, recurrent, bias)
    return Network(
        vocab_size=vocab_size,
        input_table=np.ascontiguousarray(layer.kernel + layer.bias, dtype=np.float32),
        lstms=(layer,),
        dense_kernel=np.asarray(dense_kernel, np.float32),
        dense_bias=np.asarray(dense_bias, np.float32),
        one_hot_input=True,
        window=None,
    )


def line_counter(vocab: Vocabulary, rng) -> Network:
    """Cell 0 counts characters since the last newline: input gate open, g = +0.01 per
    character, forget gate open except on a newline, which forgets. Cells 1-3 are random."""
    units, size = 4, vocab.size
    kernel = rng.normal(0, 0.5, (size, 4 * units)).astype(np.float32)
    recurrent = rng.normal(0, 0.3, (units, 4 * units)).astype(np.float32)
    bias = np.zeros(4 * units, np.float32)
    i, f, g, o = 0, units, 2 * units, 3 * units  # Keras gate blocks
    recurrent[:, [i, f, g, o]] = 0.0  # cell 0 ignores the other cells
    kernel[:, i] = BIG
    kernel[:, f] = BIG
    kernel[vocab.chars.index("\n"), f] = -BIG
    kernel[:, g] = np.arctanh(0.01)
    kernel[:, o] = BIG
    dense = rng.normal(0, 0.1, (units, size))
    return one_layer_network(size, kernel, recurrent, bias, dense, np.zeros(size))


def test_features_by_hand():
    text = 'ab "cd" (e)\nfg. hi'
    names, matrix = text_features.feature_matrix(text)
    column = dict(zip(names, matrix.T))
    assert column["in_quotes"].tolist() == [0, 0, 0, 1, 1, 1] + [0] * 12
    assert column["in_parentheses"][8:11].tolist() == [1, 1, 0]
    assert column["line_position"][11:].tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert column["since_space"][:4].tolist() == [1, 2, 0, 1]
    assert column["sentence_start"][14:].tolist() == [1, 1, 0, 0]
    assert column["vowel"][:3].tolist() == [1, 0, 0]
    assert column["newline_soon"][8:12].tolist() == [1, 1, 1, 0]


def test_discovery_ranks_the_line_counting_cell_first():
    rng = np.random.default_rng(0)
    lines = ["".join(rng.choice(list("abcde fgh"), rng.integers(5, 60))) for _ in range(120)]
    text = "\n".join(lines)
    vocab = Vocabulary.from_text(text)
    network = line_counter(vocab, rng)
    report = neurons.discover(network, vocab, text)
    best = report["features"]["line_position"][0]
    assert (best["layer"], best["unit"]) == (0, 0)
    assert best["correlation"] > 0.95
    assert len(best["example"]) == neurons.EXAMPLE_CHARS
    others = [e for e in report["features"]["line_position"] if e["unit"] != 0]
    assert all(abs(e["correlation"]) < best["correlation"] for e in others)
    assert neurons.check_report(report) is None


def test_chunked_correlations_equal_one_pass():
    rng = np.random.default_rng(1)
    text = "".join(rng.choice(list('ab. \n(")'), 3000))
    vocab = Vocabulary.from_text(text)
    network = line_counter(vocab, rng)
    ids = vocab.encode(text)
    _, features = text_features.feature_matrix(text)
    chunked = neurons.correlations(network, ids, features, chunk=700)
    acts = neurons.activations(network, ids)
    stacked = neurons._stacked(acts)
    for column in (0, 3, 5):
        for j in range(features.shape[1]):
            expected = np.corrcoef(stacked[:, column], features[:, j])[0, 1]
            assert chunked[column, j] == pytest.approx(expected, abs=1e-6)


def test_influence_of_a_last_character_model_sits_on_the_last_position():
    """Forget gate shut and no recurrence: the state, hence the prediction, depends only on the
    character just read."""
    rng = np.random.default_rng(2)
    vocab = Vocabulary(tuple("abcdefgh"))
    units, size = 6, vocab.size
    kernel = rng.normal(0, 1.0, (size, 4 * units)).astype(np.float32)
    kernel[:, units : 2 * units] = -BIG  # forget everything
    recurrent = np.zeros((units, 4 * units), np.float32)
    network = one_layer_network(
        size,
        kernel,
        recurrent,
        np.zeros(4 * units),
        rng.normal(0, 5.0, (units, size)),
        np.zeros(size),
    )
    ids = np.array([0, 3, 1, 7, 2, 5, 4, 6, 1, 2, 3])
    scores, reference = influence.occlusion(network, ids)
    assert scores[-1] > 0.02
    assert np.all(scores[:-1] < 1e-4)
    assert reference.sum() == pytest.approx(1.0, abs=1e-5)


def test_occlusion_matches_running_each_deletion_from_scratch(tiny_fast_model):
    sampler, _ = load_sampler(tiny_fast_model)
    net = sampler.network
    ids = np.array(sampler.vocab.encode("the man who has been there")[:20])
    scores, reference = influence.occlusion(net, ids)

    def prediction(sequence):
        state = net.zero_state(1)
        for char_id in sequence:
            state = net.step(np.array([char_id]), state)
        logits = net.logits(state[-1][0])[0]
        return np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()

    assert reference == pytest.approx(prediction(ids), abs=1e-5)
    for j in (0, 7, len(ids) - 1):
        expected = 0.5 * np.abs(prediction(np.delete(ids, j)) - reference).sum()
        assert scores[j] == pytest.approx(expected, abs=1e-5)


def test_memory_span_reads_the_curve():
    assert influence.memory_span([0.5, 0.2, 0.05, 0.009, 0.011, 0.0]) == 5
    assert influence.memory_span([0.001, 0.0]) == 0


@pytest.mark.parametrize("name", ["nietzsche-seed", "nietzsche-best"])
def test_activations_match_keras_cell_states(name):
    import keras

    path = ROOT / "artifacts" / name
    sampler, folder = load_sampler(path)
    model = keras.saving.load_model(path / "model.keras", compile=False)
    text = 'the free spirit (so-called) says: "no!"\nand then'
    ids = sampler.vocab.encode(text)
    ours = neurons.activations(sampler.network, ids)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    embedding = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
    if embedding:
        inputs = np.asarray(embedding[0](ids[None, :]))[0]
    else:
        inputs = np.eye(sampler.vocab.size, dtype=np.float32)[ids]
    for index, layer in enumerate(lstms):
        h = np.zeros((1, layer.units), np.float32)
        c = np.zeros((1, layer.units), np.float32)
        hs, cs = [], []
        for t in range(len(ids)):
            _, (h, c) = layer.cell(inputs[t : t + 1], [h, c])
            h, c = np.asarray(h), np.asarray(c)
            hs.append(h[0])
            cs.append(c[0])
        assert np.max(np.abs(ours.of(index, "hidden") - np.array(hs))) < 1e-5
        assert np.max(np.abs(ours.of(index, "cell") - np.tanh(np.array(cs)))) < 1e-5
        inputs = np.array(hs)
