"""The bench's baselines on the real broker: the identity flows copy the bytes, the contract
flows rebuild and reseal every event, and each run is timed by the broker's append times."""

from __future__ import annotations

import random
import shutil
import time

import pytest

from cli.bench import Bench, fill, make_feedback, make_transcript
from clients.kafka import read_to_end
from clients.keyring import Keyring, read_event
from schemas.events import Event, Feedback, Transcript
from schemas.sealing import is_sealed
from schemas.topics import topic_for
from stack.settings import StackSettings

pytestmark = [pytest.mark.stack, pytest.mark.slow]

EVENTS = 60


@pytest.mark.parametrize(("framework", "event_cls"), [("bytewax", Feedback), ("quix", Transcript)])
def test_identity_copies_and_contract_reseals_each_event(
    stack: StackSettings, framework: str, event_cls: type[Event]
) -> None:
    bench = Bench(stack, lambda _: None)
    try:
        source = topic_for(event_cls.EVENT_TYPE, bench.namespace)
        make = make_feedback if event_cls is Feedback else make_transcript
        rng = random.Random(5)  # noqa: S311 - test data, not secrets
        made = [make(rng, i) for i in range(EVENTS)]
        with Keyring(bench.kafka, bench.namespace, may_create=True) as keyring:
            fill(bench.kafka, source, iter(made), keyring)
            written = {m.value(): m for m in read_to_end(bench.kafka, source)}

            before = time.time()
            copy = bench.baseline(framework, "identity", source, f"{source}-id", EVENTS)
            rebuilt = bench.baseline(framework, "contract", source, f"{source}-ct", EVENTS)
            after = time.time()

            copied = read_to_end(bench.kafka, f"{source}-id")
            assert sorted(m.value() for m in copied) == sorted(written)
            resealed = read_to_end(bench.kafka, f"{source}-ct")
            assert len(resealed) == EVENTS
            assert all(is_sealed(m.value()) and m.value() not in written for m in resealed)
            opened = [read_event(event_cls, m.key(), m.value(), keyring) for m in resealed]
            assert {e.event_id: e for e in opened if e is not None} == {e.event_id: e for e in made}
        for run in (copy, rebuilt):
            assert run.events == EVENTS
            # Append times of the broker on this machine: within the runs, first to last.
            assert 0 <= run.seconds <= after - before
            assert 0 <= run.startup_s <= after - before
    finally:
        shutil.rmtree(bench.workdir, ignore_errors=True)
