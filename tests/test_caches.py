"""Caches keyed by request data are bounded in bytes, and keep no data the plan does not need."""

from __future__ import annotations

from app.caches import ByteBoundedCache
from app.schema import documents
from app.schema.fastpath import FastPath, Limits


def test_a_cache_holds_no_more_than_its_bytes_and_evicts_the_least_recent():
    cache: ByteBoundedCache[str, int] = ByteBoundedCache(max_bytes=100, max_entry_bytes=60)
    assert cache.put("a", 1, 40) and cache.put("b", 2, 40)
    assert cache.get("a") == (True, 1)  # a is now the most recent
    assert cache.put("c", 3, 40)
    assert cache.bytes == 80 and len(cache) == 2
    assert cache.get("b") == (False, None)
    assert cache.get("a") == (True, 1) and cache.get("c") == (True, 3)


def test_an_entry_heavier_than_its_share_is_not_kept():
    cache: ByteBoundedCache[str, int] = ByteBoundedCache(max_bytes=100, max_entry_bytes=60)
    cache.put("a", 1, 40)
    assert not cache.put("huge", 2, 61)
    assert cache.get("huge") == (False, None)
    assert cache.get("a") == (True, 1) and cache.bytes == 40


def test_replacing_an_entry_reweighs_it():
    cache: ByteBoundedCache[str, int] = ByteBoundedCache(max_bytes=100, max_entry_bytes=100)
    cache.put("a", 1, 90)
    cache.put("a", 2, 10)
    assert cache.bytes == 10 and cache.get("a") == (True, 2)


def test_documents_with_long_comments_are_not_cached():
    documents.CACHE.clear()
    small = "{ __typename }"
    padded = small + " #" + "x" * 1_000_000
    assert documents.prepared(padded) is not None
    assert documents.prepared(small) is not None
    assert documents.CACHE.get(padded) == (False, None)
    assert documents.CACHE.get(small)[0]
    assert documents.CACHE.bytes == documents.BYTES_PER_CHAR * len(small)


def test_compiled_statements_ignore_variables_the_operation_does_not_declare():
    fast = FastPath(Limits(max_query_cost=1_000_000, max_response_objects=10_000))
    query = "query($l: Int!) { models(limit: $l) { total } }"
    for i in range(50):
        pad = f"{i}" + "x" * 100_000
        assert fast.compile(query, {"l": 5, "pad": pad}, None) is not None
    assert len(fast._compiled) == 1
    assert fast._compiled.bytes < 10_000
    # A declared variable is part of the key; a huge one is compiled but not kept.
    search = "query($s: String) { models(filter: {search: $s}) { total } }"
    fast.compile(search, {"s": "y" * 300_000}, None)
    assert len(fast._compiled) == 1
