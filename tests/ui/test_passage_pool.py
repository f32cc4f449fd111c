""" "Another passage" draws from a fixed pool, so a class shares each passage's sweep."""

from charlm.ui import loaders

TEXT = " ".join(f"word{i}" for i in range(20_000))


def test_another_passage_comes_from_the_pool_and_always_changes(monkeypatch):
    monkeypatch.setattr(loaders, "corpus_text", lambda: TEXT)
    pool = {loaders.passage(100, i) for i in range(loaders.PASSAGE_POOL)}
    shown = loaders.passage(100, 0)
    drawn = [loaders.passage(100, None, avoid=shown) for _ in range(300)]
    assert set(drawn) <= pool
    assert shown not in drawn
    assert len(set(drawn)) > 10  # still a choice, not one passage for everyone
