"""The shared cache keeps within its byte budget, dropping the least recently used first."""

from charlm.ui.memo import SharedCache


def test_byte_budget_drops_the_oldest_and_keeps_the_newest():
    cache = SharedCache(max_entries=100, max_bytes=1000, weigh=len)
    for key in "abcd":
        cache.get(key, lambda: "x" * 300)
    assert len(cache) == 3 and cache.bytes == 900
    assert "a" not in cache
    cache.get("b", lambda: "unused")  # b is now the most recent
    cache.get("e", lambda: "x" * 300)
    assert [key for key in "abcde" if key in cache] == ["b", "d", "e"]
    assert cache.bytes == 900
    assert cache.get("huge", lambda: "x" * 5000) == "x" * 5000  # too big alone: still kept
    assert len(cache) == 1


def test_entry_limit_still_applies_without_weights():
    cache = SharedCache(max_entries=2)
    for key in "abc":
        cache.get(key, lambda k=key: k)
    assert len(cache) == 2
