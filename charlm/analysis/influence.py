"""How much each earlier character moves a prediction, by occlusion (deleting it).

Why occlusion and not gradients: a deletion measures a real change in the next-character
distribution (how much probability moves, 0 to 1), needs no backward pass through the NumPy
network, and treats one-hot and embedding models alike. Gradients only give the local slope,
which saturated tanh/sigmoid gates flatten even where a character matters.

Deleting character j leaves the first j characters as they were, so every deletion starts
from the unoccluded run's state after them: the L deletions cost L^2 / 2 steps, not L^2.
"""

from __future__ import annotations

import numpy as np

from charlm.generation.network import Network
from charlm.generation.temperature import softmax

SPAN_THRESHOLD = 0.01  # mean probability moved: below 1% a character no longer counts
SPAN_WINDOW = 100
SPAN_POSITIONS = 60


def _states_along(network: Network, ids: np.ndarray) -> list[list[tuple]]:
    """State after reading ids[:j] for j = 0..L-1 (index 0 is the zero state)."""
    state = network.zero_state(1)
    states = [state]
    for char_id in ids[:-1]:
        state = network.step(np.array([char_id]), state)
        states.append(state)
    return states


def occlusion(network: Network, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(influence per position (L,), next-char distribution from the whole window (V,)).

    influence[j] is the total variation distance (half the L1 distance) between the
    prediction after the window and the prediction with character j deleted from it."""
    ids = np.asarray(ids, dtype=np.int64)
    length = len(ids)
    if length == 0:
        raise ValueError("an empty context has nothing to occlude")
    states = _states_along(network, ids)
    full = network.step(ids[-1:], states[-1])
    reference = softmax(network.logits(full[-1][0])[0])
    # Row j deletes ids[j]: it joins at time j+1 from the state after ids[:j], then reads on.
    batch = None
    for t in range(1, length):
        joining = states[t - 1]
        batch = (
            joining
            if batch is None
            else [
                (np.vstack([h, jh]), np.vstack([c, jc])) for (h, c), (jh, jc) in zip(batch, joining)
            ]
        )
        batch = network.step(np.full(t, ids[t]), batch)
    # Deleting the last character leaves the state after ids[:L-1] as it is.
    last = states[length - 1][-1][0]
    hidden = last if batch is None else np.vstack([batch[-1][0], last])
    occluded = softmax(network.logits(hidden))
    return 0.5 * np.abs(occluded - reference).sum(axis=1), reference


def influence_by_distance(
    network: Network,
    ids: np.ndarray,
    window: int = SPAN_WINDOW,
    positions: int = SPAN_POSITIONS,
) -> np.ndarray:
    """Mean influence (window,) of the character d = 1..window places back, averaged over
    `positions` prediction points spread evenly over `ids`."""
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) < window + 1:
        raise ValueError(f"need at least {window + 1} characters (got {len(ids)})")
    ends = np.linspace(window, len(ids) - 1, positions).astype(int)
    total = np.zeros(window)
    for end in ends:
        influence, _ = occlusion(network, ids[end - window : end])
        total += influence[::-1]  # distance 1 = the character just read
    return total / len(ends)


def memory_span(curve, threshold: float = SPAN_THRESHOLD) -> int:
    """The farthest distance at which mean influence is still at or above the threshold."""
    above = np.flatnonzero(np.asarray(curve) >= threshold)
    return int(above[-1]) + 1 if len(above) else 0
