"""The sweep along top-p and min-p: the same random numbers, and the strictest setting of
either knob is greedy."""

import pytest

from charlm.analysis import sweep
from charlm.generation import temperature as tm
from charlm.generation.artifacts import load_sampler


def test_the_strictest_top_p_or_min_p_writes_the_greedy_text(tiny_seed_model):
    sampler, folder = load_sampler(tiny_seed_model)
    greedy = sampler.generate("the man", 80, [tm.GREEDY]).texts[0]
    known = folder.known_words()
    for knob, values in (("min_p", (0.05, 0.3, 1.0)), ("top_p", (0.9, 0.5, 1e-6))):
        points = sweep.knob_sweep(sampler, "the man", knob, values, 1.2, 80, 5, known)
        assert [p.value for p in points] == list(values) and {p.knob for p in points} == {knob}
        assert all(0 <= p.real_words <= 1 and p.surprisal_bits >= 0 for p in points)
        strictest = sampler.generate("the man", 80, [1.2], rng_seed=5, **{knob: values[-1]})
        assert strictest.texts[0] == greedy
        # the same random numbers: greedy picks likelier characters than the loosest setting
        assert points[-1].surprisal_bits <= points[0].surprisal_bits


def test_an_unknown_knob_is_refused(tiny_seed_model):
    sampler, _ = load_sampler(tiny_seed_model)
    with pytest.raises(ValueError, match="knob"):
        sweep.knob_sweep(sampler, "the", "top_k", (3,))
