"""The temperature sweep: figures checked by hand on a tiny model, calibration by construction."""

import numpy as np
import pytest

from charlm.analysis import sweep
from charlm.generation.artifacts import load_sampler


def test_grid_holds_the_lessons_temperatures():
    grid = sweep.temperature_grid()
    assert len(grid) >= 20 and grid[0] == 0.1 and grid[-1] == 2.0
    assert set(sweep.LESSON_TEMPERATURES) <= set(grid)


def test_word_figures_by_hand():
    assert sweep.real_word_share("The cat sat on zzq.", {"the", "cat", "sat", "on"}) == 0.8
    assert sweep.real_word_share("123 ...", {"the"}) is None
    # 4-grams of "a b c d a b c d": abcd bcda cdab dabc abcd -> one of five repeats
    assert sweep.repeated_ngram_share("a b c d a b c d") == pytest.approx(1 / 5)
    assert sweep.repeated_ngram_share("one two three") is None
    assert sweep.words_of("L'homme, 대한민국 헌법!") == ["l'homme", "대한민국", "헌법"]


def test_sweep_figures_match_hand_computation_on_a_tiny_model(tiny_seed_model, tiny_corpus):
    sampler, folder = load_sampler(tiny_seed_model)
    known = set(sweep.word_list(tiny_corpus.read_text()))
    points = sweep.sweep(sampler, "the man", 120, (0.3, 1.0), rng_seed=3, known_words=known)
    gen = sampler.generate("the man", 120, (0.3, 1.0), rng_seed=3, coupled=True)
    for row, point in enumerate(points):
        text = gen.texts[row]
        words = sweep.words_of(text)
        assert point.real_words == pytest.approx(sum(w in known for w in words) / len(words))
        chosen = gen.chosen_probabilities(row, reweighted=False)
        assert point.surprisal_bits == pytest.approx(float(np.mean(-np.log2(chosen))))
        assert point.repetition == sweep.repeated_ngram_share(text)
        assert point.calibration_nats is None  # no held-out text given


def test_calibration_minimum_is_at_one_for_text_the_model_wrote_itself(tiny_seed_model):
    """Held-out text sampled from the model at T = 1 is calibrated by construction."""
    sampler, folder = load_sampler(tiny_seed_model)
    gen = sampler.generate("the", 6000, (1.0,), rng_seed=11)
    ids = np.array(sampler.vocab.encode(gen.texts[0]))
    heldout = sweep.heldout_predictions(sampler.network, ids, folder.context_length)
    temps = np.round(np.arange(0.5, 1.55, 0.05), 2)
    curve = sweep.calibration_curve(*heldout, temps)
    assert temps[np.argmin(curve)] == pytest.approx(1.0, abs=0.1)
    assert curve[0] > curve.min() and curve[-1] > curve.min()
