import numpy as np
import pytest

from charlm.generation import temperature as tm
from charlm.generation.artifacts import load_sampler


@pytest.fixture(scope="module", params=["seed", "fast"])
def model_dir(request, tiny_seed_model, tiny_fast_model):
    return tiny_seed_model if request.param == "seed" else tiny_fast_model


def keras_next_char_probs(model_dir, window_ids, vocab_size, one_hot):
    import keras

    model = keras.saving.load_model(model_dir / "model.keras", safe_mode=True, compile=False)
    x = np.eye(vocab_size, dtype=np.float32)[window_ids] if one_hot else window_ids
    out = model.predict(x, verbose=0)
    return out if out.ndim == 2 else out[:, -1, :]


def numpy_next_char_probs(sampler, window_ids):
    return np.exp(sampler.network.log_probs_over(window_ids, window_ids.shape[1] - 1)[:, 0])


def test_parity_with_keras(model_dir):
    sampler, folder = load_sampler(model_dir)
    rng = np.random.default_rng(0)
    windows = rng.integers(0, sampler.vocab.size, size=(16, folder.context_length))
    ours = numpy_next_char_probs(sampler, windows)
    theirs = keras_next_char_probs(
        model_dir, windows, sampler.vocab.size, sampler.network.one_hot_input
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_generation_distributions_match_network(model_dir):
    sampler, _ = load_sampler(model_dir)
    gen = sampler.generate("the man", 30, [0.5, 1.0, tm.GREEDY], rng_seed=3)
    assert all(len(text) == 30 for text in gen.texts)
    # the logits recorded at step 0 are the network's after reading the seed
    state = sampler.warm_state("the man", 1)
    np.testing.assert_allclose(gen.logits[0, 0], sampler.network.logits(state[-1][0])[0], atol=1e-5)
    for row in range(3):
        after = gen.after(row)
        np.testing.assert_allclose(after.sum(axis=1), 1.0, atol=1e-9)
        assert np.all(gen.chosen_probabilities(row) > 0)
    greedy_ids = gen.ids[2]
    np.testing.assert_array_equal(greedy_ids, gen.before(2).argmax(axis=1))


def test_same_seed_same_text_and_different_seed_differs(tiny_fast_model):
    sampler, _ = load_sampler(tiny_fast_model)
    first = sampler.generate("the ", 200, [1.0], rng_seed=42).texts
    assert sampler.generate("the ", 200, [1.0], rng_seed=42).texts == first
    assert sampler.generate("the ", 200, [1.0], rng_seed=43).texts != first


def test_coupled_mode_shares_random_numbers(tiny_fast_model):
    sampler, _ = load_sampler(tiny_fast_model)
    coupled = sampler.generate("the ", 200, [1.0, 1.0], rng_seed=5, coupled=True).texts
    assert coupled[0] == coupled[1]
    independent = sampler.generate("the ", 200, [1.0, 1.0], rng_seed=5, coupled=False).texts
    assert independent[0] != independent[1]
    # batched rows equal one-at-a-time generation with the same noise
    alone = sampler.generate("the ", 200, [1.0], rng_seed=5).texts[0]
    assert alone == coupled[0]


def test_filtered_path_agrees_with_fast_path_when_filters_keep_everything(tiny_seed_model):
    sampler, _ = load_sampler(tiny_seed_model)
    plain = sampler.generate("a man ", 100, [0.7, 1.2], rng_seed=9)
    filtered = sampler.generate("a man ", 100, [0.7, 1.2], rng_seed=9, top_k=sampler.vocab.size)
    assert plain.texts == filtered.texts


def test_top_k_one_is_greedy(tiny_seed_model):
    sampler, _ = load_sampler(tiny_seed_model)
    top1 = sampler.generate("a man ", 60, [1.5], rng_seed=1, top_k=1).texts
    greedy = sampler.generate("a man ", 60, [tm.GREEDY], rng_seed=1).texts
    assert top1 == greedy


def test_short_empty_and_unknown_seed_text(tiny_seed_model):
    sampler, _ = load_sampler(tiny_seed_model)
    assert len(sampler.generate("t", 10, [1.0], rng_seed=0).texts[0]) == 10
    empty = sampler.generate("", 10, [1.0], rng_seed=0)
    assert empty.seed_text == "" and len(empty.texts[0]) == 10
    dropped = sampler.generate("The Man! 42", 10, [1.0], rng_seed=0)
    assert dropped.dropped == ["!", "2", "4"] and dropped.seed_text == "the man "
    with pytest.raises(ValueError, match="not in the vocabulary"):
        sampler.generate("42", 10, [1.0], on_unknown="error")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"temperatures": [0]}, "temperature"),
        ({"temperatures": [float("nan")]}, "temperature"),
        ({"temperatures": []}, "at least one"),
        ({"length": 0}, "length"),
        ({"length": 2.5}, "length"),
        ({"top_k": 0}, "top_k"),
        ({"top_p": 2.0}, "top_p"),
    ],
)
def test_bad_arguments_raise_value_error(tiny_seed_model, kwargs, match):
    sampler, _ = load_sampler(tiny_seed_model)
    with pytest.raises(ValueError, match=match):
        sampler.generate("the ", **{"length": 10, **kwargs})


def test_epoch_snapshots_load(tiny_seed_model):
    sampler, folder = load_sampler(tiny_seed_model)
    assert folder.snapshot_epochs() == [1, 2]
    first, _ = load_sampler(tiny_seed_model, epoch=1)
    assert not np.allclose(first.network.dense_kernel, sampler.network.dense_kernel)


@pytest.mark.parametrize("typed", ["the man\r\nof the", "the man\rof the"])
def test_a_line_break_typed_on_any_system_reaches_the_model(tiny_fast_model, typed):
    """CRLF and CR in the seed box read as the model's own \\n, not dropped (issue 19, item 9)."""
    sampler, _ = load_sampler(tiny_fast_model)
    seed, dropped = sampler.prepare_seed(typed)
    assert seed == "the man\nof the" and dropped == []


def test_batched_temperatures_equal_one_at_a_time(model_dir):
    """Several temperatures in one batch (the page's Compare and sweep) give each row what
    generating that temperature alone gives with the same random numbers (coupled mode draws
    one set of Gumbel noise for all rows)."""
    sampler, _ = load_sampler(model_dir)
    temps = (0.3, 0.8, 1.5, tm.GREEDY)
    batch = sampler.generate("the man who ", 120, temps, rng_seed=7, coupled=True)
    for row, t in enumerate(temps):
        alone = sampler.generate("the man who ", 120, [t], rng_seed=7, coupled=True)
        np.testing.assert_array_equal(batch.ids[row], alone.ids[0])
        np.testing.assert_allclose(batch.logits[:, row], alone.logits[:, 0], atol=1e-5)


def test_a_kept_warm_state_gives_the_same_text_as_reading_the_seed_again(model_dir):
    sampler, _ = load_sampler(model_dir)
    first = sampler.generate("the man who", 40, [0.7, 1.2], rng_seed=5)
    assert "the man who" in sampler._warm  # kept
    again = sampler.generate("the man who", 40, [0.7, 1.2], rng_seed=5)  # from the kept state
    sampler._warm.clear()
    fresh = sampler.generate("the man who", 40, [0.7, 1.2], rng_seed=5)  # read again
    np.testing.assert_array_equal(first.ids, again.ids)
    np.testing.assert_array_equal(first.ids, fresh.ids)
    np.testing.assert_array_equal(first.logits, fresh.logits)
