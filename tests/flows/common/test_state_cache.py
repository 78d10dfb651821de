"""The parsed states a Quix flow keeps beside the text it stored: used only while the store
returns that very text, bounded, and never for a learner whose key was shredded."""

from __future__ import annotations

import pytest

from clients.keyring import Keyring, keys_topic
from clients.settings import KafkaConnection
from flows.common.state_cache import StateCache
from schemas.topics import namespaced
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.topics import apply_topics


def test_the_state_is_used_only_while_the_store_returns_the_text_written() -> None:
    cache: StateCache[dict[str, int]] = StateCache(None)
    state = {"n": 1}
    cache.put("u1", '{"n": 1}', state)
    assert cache.get("u1", '{"n": 1}') is state
    # A changelog restored after a rebalance, or a rebuild's seed: opened from the store.
    assert cache.get("u1", '{"n": 7}') is None
    assert cache.get("u2", '{"n": 1}') is None


def test_the_least_recently_written_are_dropped_beyond_the_bound() -> None:
    cache: StateCache[int] = StateCache(None, held_chars=10)
    cache.put("u1", "aaaa", 1)
    cache.put("u2", "bbbb", 2)
    cache.put("u1", "cccc", 3)  # u1 written again: now the newest
    cache.put("u3", "dddd", 4)  # 12 characters held: the oldest, u2, goes
    assert cache.get("u2", "bbbb") is None
    assert (cache.get("u1", "cccc"), cache.get("u3", "dddd")) == (3, 4)


@pytest.mark.stack
def test_a_learner_whose_key_is_shredded_is_not_served_from_the_cache(
    stack: StackSettings, unique: str
) -> None:
    namespace = f"{unique}-"
    spec = [s for s in namespaced(namespace) if s.name == keys_topic(namespace)]
    apply_topics(admin(stack), spec, report=lambda _: None)
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    with Keyring(kafka, namespace, may_create=True) as keyring:
        keyring.seal(b"{}", "transcript", "u-sealed")  # gives the learner a key
        cache: StateCache[dict[str, int]] = StateCache(keyring)
        stored = keyring.seal_state('{"n": 1}', "u-sealed")
        cache.put("u-sealed", stored, {"n": 1})
        assert cache.get("u-sealed", stored) == {"n": 1}
        keyring.shred("u-sealed")
        assert cache.get("u-sealed", stored) is None
        assert keyring.open_state(stored, "u-sealed") is None  # the fold forgets them
