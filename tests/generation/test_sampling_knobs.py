"""Today's sampling knobs on the real pipeline: min-p, the order of the filters, effective
choices and "Draw 100"."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_temperature import distributions

from charlm.generation import temperature as tm


def test_min_p_matches_a_hand_computation():
    # max p = 0.5, so min-p 0.25 keeps p >= 0.125: 0.5, 0.25, 0.15 (sum 0.9), drops 0.1
    probs = np.array([0.5, 0.25, 0.15, 0.1])
    np.testing.assert_allclose(tm.min_p_filter(probs, 0.25), [5 / 9, 2.5 / 9, 1.5 / 9, 0])


def test_the_pipeline_runs_temperature_first_then_min_p():
    # T = 0.5 squares p: [.25, .0625, .0225, .01] / .345 = [.725, .181, .065, .029]; min-p 0.1
    # then keeps q >= .0725: the first two, renormalised .25/.3125 and .0625/.3125.
    probs = np.array([0.5, 0.25, 0.15, 0.1])
    stages = tm.pipeline(probs, 0.5, min_p=0.1)
    assert [name for name, _ in stages] == ["model", "temperature", "min_p"]
    np.testing.assert_allclose(stages[1][1], np.array([0.25, 0.0625, 0.0225, 0.01]) / 0.345)
    np.testing.assert_allclose(tm.transform(probs, 0.5, min_p=0.1), [0.8, 0.2, 0, 0])
    # min-p before T would have kept every character (0.1 >= 0.1 x 0.5)
    assert np.count_nonzero(tm.min_p_filter(probs, 0.1)) == 4


def test_every_knob_in_its_order_and_effective_choices():
    probs = np.array([0.4, 0.3, 0.2, 0.05, 0.05])
    names = [name for name, _ in tm.pipeline(probs, 1.0, top_k=4, top_p=0.9, min_p=0.2)]
    assert names == ["model", "temperature", "top_k", "top_p", "min_p"]
    assert tm.effective_choices(np.full(8, 1 / 8)) == pytest.approx(8.0)
    assert tm.effective_choices(np.array([1.0, 0, 0])) == pytest.approx(1.0)
    assert tm.effective_choices(tm.transform(probs, 1.0, min_p=0.5)) < tm.effective_choices(probs)


@given(distributions(), st.floats(0.01, 1.0))
def test_min_p_keeps_exactly_the_characters_above_its_bar(probs, min_p):
    out = tm.min_p_filter(probs, min_p)
    assert out.sum() == pytest.approx(1.0)
    assert out[np.argmax(probs)] > 0
    np.testing.assert_array_equal(out > 0, probs >= min_p * probs.max())
    kept = probs[out > 0]
    np.testing.assert_allclose(out[out > 0], kept / kept.sum())


@given(distributions(), st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_a_higher_min_p_keeps_a_subset(probs, low, high):
    low, high = sorted((low, high))
    assert np.all((tm.min_p_filter(probs, high) > 0) <= (tm.min_p_filter(probs, low) > 0))


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, float("nan"), "0.5"])
def test_min_p_rejects_values_outside_zero_one(bad):
    with pytest.raises(ValueError, match="min_p"):
        tm.min_p_filter(np.array([0.5, 0.5]), bad)


def test_draw_100_reproduces_from_the_link_and_follows_the_distribution():
    probs = np.array([0.6, 0.3, 0.1, 0.0])
    first = tm.draw(probs, 100, rng_seed=42, step=7)
    assert first.sum() == 100 and first[3] == 0
    np.testing.assert_array_equal(tm.draw(probs, 100, rng_seed=42, step=7), first)
    assert any(
        not np.array_equal(tm.draw(probs, 100, rng_seed=42, step=s), first) for s in (8, 9, 10)
    )
    many = tm.draw(probs, 200_000, rng_seed=1, step=0) / 200_000
    np.testing.assert_allclose(many, probs, atol=0.005)


def test_the_sampler_and_cli_use_min_p(tiny_seed_model, capsys):
    from charlm.cli import main
    from charlm.generation.artifacts import load_sampler

    sampler, _ = load_sampler(tiny_seed_model)
    gen = sampler.generate("the", 60, [1.5], rng_seed=3, min_p=0.3)
    after = gen.after(0)
    before = gen.before(0)
    q = tm.reweight(before, 1.5)
    np.testing.assert_array_equal(after > 0, q >= 0.3 * q.max(axis=1, keepdims=True))
    chosen = np.take_along_axis(after, gen.ids[0][:, None], axis=1)
    assert np.all(chosen > 0)  # every drawn character survived the filter
    argv = ["generate", "--model", str(tiny_seed_model), "--length", "30", "--seed", "3"]
    assert main([*argv, "--seed-text", "the", "--min-p", "0.3"]) == 0
    assert "--- T = 1.2 ---" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*argv, "--min-p", "2"])
