import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from charlm.generation import temperature as tm

temperatures = st.floats(min_value=0.01, max_value=100, allow_nan=False)


@st.composite
def distributions(draw, min_size=2, max_size=60):
    size = draw(st.integers(min_size, max_size))
    weights = draw(arrays(np.float64, size, elements=st.floats(0, 1, allow_nan=False)))
    assume(weights.sum() > 1e-6)
    return weights / weights.sum()


@given(distributions(), temperatures)
def test_reweight_sums_to_one(probs, t):
    assert math.isclose(tm.reweight(probs, t).sum(), 1.0, rel_tol=1e-9)


@given(distributions())
def test_temperature_one_is_identity(probs):
    np.testing.assert_allclose(tm.reweight(probs, 1.0), probs, atol=1e-12)


@given(distributions(), temperatures)
def test_order_is_preserved(probs, t):
    q = tm.reweight(probs, t)
    order = np.argsort(probs, kind="stable")
    assert np.all(np.diff(q[order]) >= -1e-12)
    assert np.all(q[probs == 0] == 0)


@settings(max_examples=200)
@given(distributions(), temperatures, temperatures)
def test_entropy_never_decreases_as_temperature_grows(probs, t1, t2):
    low, high = sorted((t1, t2))
    assert (
        tm.entropy_bits(tm.reweight(probs, low)) <= tm.entropy_bits(tm.reweight(probs, high)) + 1e-9
    )


@pytest.mark.parametrize("bad", [0, -1, 0.0, float("nan"), float("inf"), "hot", None])
def test_bad_temperature_is_named(bad):
    with pytest.raises(ValueError, match="temperature"):
        tm.reweight(np.array([0.5, 0.5]), bad)


def test_extreme_temperatures_are_stable():
    probs = np.array([0.7, 0.2, 0.1, 0.0])
    with np.errstate(all="raise"):
        cold = tm.reweight(probs, 0.01)
        hot = tm.reweight(probs, 100)
    np.testing.assert_allclose(cold, [1, 0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(hot[:3], 1 / 3, atol=0.01)
    assert hot[3] == 0


@given(distributions())
def test_low_temperature_approaches_greedy(probs):
    probs = probs.copy()
    probs[np.argmax(probs)] += 0.1  # a clear winner
    probs /= probs.sum()
    np.testing.assert_allclose(tm.reweight(probs, 0.01), tm.greedy(probs), atol=1e-3)


def test_greedy_ties_pick_first():
    np.testing.assert_array_equal(tm.greedy(np.array([0.4, 0.4, 0.2])), [1, 0, 0])


def test_entropy_and_perplexity():
    uniform = np.full(8, 1 / 8)
    assert tm.entropy_bits(uniform) == pytest.approx(3.0)
    assert tm.perplexity(uniform) == pytest.approx(8.0)
    assert tm.entropy_bits(np.array([1.0, 0.0])) == 0.0


@given(distributions(min_size=3), st.integers(1, 70))
def test_top_k_keeps_exactly_k(probs, k):
    kept = tm.top_k_filter(probs, k)
    assert (kept > 0).sum() <= min(k, len(probs))
    assert (kept > 0).sum() == min(k, (probs > 0).sum(), len(probs)) or k >= len(probs)
    assert kept.sum() == pytest.approx(1.0)


def test_top_k_ties_keep_lower_index():
    np.testing.assert_allclose(
        tm.top_k_filter(np.array([0.25, 0.25, 0.25, 0.25]), 2), [0.5, 0.5, 0, 0]
    )


@given(distributions(), st.floats(0.01, 1.0))
def test_top_p_keeps_the_smallest_set_reaching_p(probs, p):
    kept = tm.top_p_filter(probs, p)
    mask = kept > 0
    assert probs[mask].sum() >= p - 1e-9 or mask.sum() == (probs > 0).sum()
    # dropping the least likely kept character would fall below p
    if mask.sum() > 1:
        assert probs[mask].sum() - probs[mask].min() < p + 1e-9
    assert kept.sum() == pytest.approx(1.0)


@given(distributions(min_size=5), temperatures, st.integers(1, 4))
def test_filters_compose_with_temperature(probs, t, k):
    out = tm.transform(probs, t, top_k=k)
    assert (out > 0).sum() <= k and out.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("k", [0, -2, 1.5])
def test_bad_top_k(k):
    with pytest.raises(ValueError, match="top_k"):
        tm.top_k_filter(np.array([0.5, 0.5]), k)


@pytest.mark.parametrize("p", [0, 1.5, float("nan")])
def test_bad_top_p(p):
    with pytest.raises(ValueError, match="top_p"):
        tm.top_p_filter(np.array([0.5, 0.5]), p)


def test_no_tensorflow_import():
    import subprocess
    import sys

    code = (
        "import sys, charlm.generation.temperature, charlm.generation.sampler,"
        " charlm.generation.network, charlm.generation.artifacts;"
        "sys.exit(1 if 'tensorflow' in sys.modules or 'keras' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
