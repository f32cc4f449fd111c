import numpy as np

from charlm.training.data import chunk_starts, make_datasets, steps_per_epoch, window_starts
from charlm.training.recipes import make_recipe


def test_window_starts_match_the_notebook():
    assert list(window_starts(100, 60, 3)) == list(range(0, 100 - 60, 3))


def test_seed_batches_are_one_hot_windows_and_next_chars():
    ids = np.arange(200, dtype=np.int32) % 7
    recipe = make_recipe("seed", maxlen=10, step=3, batch_size=4)
    train, val = make_datasets(ids, ids[:50], recipe, vocab_size=7)
    x, y = next(iter(val))
    assert x.shape == (4, 10, 7) and y.shape == (4,)
    np.testing.assert_array_equal(np.argmax(x.numpy(), -1), [ids[s : s + 10] for s in (0, 3, 6, 9)])
    np.testing.assert_array_equal(y.numpy(), [ids[s + 10] for s in (0, 3, 6, 9)])
    assert sum(1 for _ in train) == steps_per_epoch(len(ids), recipe)


def test_sequence_batches_shift_by_one():
    ids = np.arange(1000, dtype=np.int32) % 11
    recipe = make_recipe("fast", seq_len=20, batch_size=5)
    train, val = make_datasets(ids, ids, recipe, vocab_size=11)
    for dataset in (train, val):
        x, y = next(iter(dataset))
        assert x.shape == (5, 20) and y.shape == (5, 20)
        np.testing.assert_array_equal((x.numpy() + 1) % 11, y.numpy())
    assert len(chunk_starts(1000, 20)) == 49


def test_every_epoch_sees_every_window_once_in_a_new_order():
    ids = np.arange(200, dtype=np.int32)  # every id distinct: a window's first id is its start
    recipe = make_recipe("seed", maxlen=10, step=1, batch_size=7)
    train, _ = make_datasets(ids, ids[:50], recipe, vocab_size=200)
    orders = [np.concatenate([np.argmax(x.numpy()[:, 0, :], -1) for x, _ in train]) for _ in "ab"]
    for order in orders:
        np.testing.assert_array_equal(np.sort(order), window_starts(200, 10, 1))
    assert not np.array_equal(orders[0], orders[1])
