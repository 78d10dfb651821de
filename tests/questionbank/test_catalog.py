"""End to end on the real stack: seed Postgres, capture it with Debezium, read it back.

An operator's SQL edit must reach a running catalog within CDC_BOUND_S. The measured
latencies (SQL commit -> catalog updated) are printed; run with -s to see them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest

from clients import table as table_module
from clients.connect import apply_connector
from clients.kafka import producer
from clients.settings import KafkaConnection
from questionbank.catalog import CatalogError, QuestionCatalog
from questionbank.load import load_questions
from questionbank.model import Question
from questionbank.seed import read_seed
from questionbank.table import Connection, select_questions
from schemas.topics import TopicSpec
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.topics import apply_topics
from tests.questionbank.records import key, row, value
from tests.questionbank.scratch import ScratchBank, scratch_bank

pytestmark = pytest.mark.stack

CDC_BOUND_S = 30.0


def _eventually(check: Callable[[], bool], what: str, timeout_s: float = CDC_BOUND_S) -> float:
    """Seconds until `check()` held, polled every 10 ms; fails after `timeout_s`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"{what}: not seen within {timeout_s:.0f}s")
        time.sleep(0.01)
    return time.monotonic() - started


@dataclass(frozen=True)
class Captured:
    bank: ScratchBank
    kafka: KafkaConnection
    catalog: QuestionCatalog
    db: Connection


@pytest.fixture(scope="module")
def captured(stack: StackSettings) -> Iterator[Captured]:
    """The seed loaded, the source registered, a catalog following the topic."""
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    seed = read_seed()
    with scratch_bank(stack) as bank, psycopg.connect(bank.dsn, autocommit=True) as db:
        load_questions(db, seed)
        started = time.monotonic()
        apply_connector(stack.connect_url, bank.connector, bank.config())
        running_s = time.monotonic() - started
        with QuestionCatalog(kafka, bank.topic) as catalog:
            catalog.wait_until_loaded(CDC_BOUND_S)
            _eventually(lambda: len(catalog.active()) == len(seed), "the snapshot")
            print(
                f"\nsnapshot of {len(seed)} rows: connector RUNNING after {running_s:.2f}s, "
                f"all rows in the catalog {time.monotonic() - started:.2f}s after registering"
            )
            yield Captured(bank, kafka, catalog, db)


def _table(db: Connection) -> dict[str, Question]:
    return {q.question_id: q for q in select_questions(db)}


def test_the_catalog_holds_the_bank_as_postgres_has_it(captured: Captured) -> None:
    table = _table(captured.db)
    active = captured.catalog.active()
    assert len(active) >= 88
    assert active == tuple(
        q for q in sorted(table.values(), key=lambda q: q.question_id) if q.active
    )
    assert all(captured.catalog.get(question_id) == q for question_id, q in table.items())
    assert captured.catalog.active("job_interview") == tuple(
        q for q in active if q.category == "job_interview"
    )


def test_operator_sql_edits_reach_the_catalog(captured: Captured) -> None:
    db, catalog = captured.db, captured.catalog
    latencies: dict[str, float] = {}

    edited = "Edited: what do you read?"
    db.execute("UPDATE questions SET text = %s WHERE question_id = 'interview-007'", [edited])
    latencies["update text"] = _eventually(
        lambda: getattr(catalog.get("interview-007"), "text", None) == edited, "UPDATE text"
    )

    db.execute(
        "INSERT INTO questions (question_id, category, text, answer_time_s, preparation_s)"
        " VALUES ('workplace-901', 'workplace', 'Ask IT to reset your password.', 60, 10)"
    )
    added = Question(
        question_id="workplace-901",
        category="workplace",
        text="Ask IT to reset your password.",
        answer_time_s=60,
        preparation_s=10,
    )
    latencies["insert"] = _eventually(lambda: catalog.get("workplace-901") == added, "INSERT")
    assert added in catalog.active("workplace")

    db.execute("DELETE FROM questions WHERE question_id = 'job_interview-003'")
    latencies["delete"] = _eventually(lambda: catalog.get("job_interview-003") is None, "DELETE")

    db.execute("UPDATE questions SET active = false WHERE question_id = 'independent-004'")
    latencies["deactivate"] = _eventually(
        lambda: getattr(catalog.get("independent-004"), "active", True) is False, "active=false"
    )
    assert "independent-004" not in {q.question_id for q in catalog.active()}

    print(
        "\nSQL commit -> catalog: "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in latencies.items())
    )


def test_streaming_latency_over_repeated_edits(captured: Captured) -> None:
    db, catalog = captured.db, captured.catalog

    def shows(text: str) -> Callable[[], bool]:
        return lambda: getattr(catalog.get("interview-010"), "text", None) == text

    samples = []
    for n in range(10):
        text = f"Edit number {n}: describe your commute."
        db.execute("UPDATE questions SET text = %s WHERE question_id = 'interview-010'", [text])
        samples.append(_eventually(shows(text), text))
    print(
        f"\nSQL commit -> catalog over {len(samples)} updates: median "
        f"{statistics.median(samples) * 1000:.0f} ms, max {max(samples) * 1000:.0f} ms"
    )


def test_a_new_catalog_rebuilds_the_bank_from_the_topic(captured: Captured) -> None:
    # A delete in the topic (change event + tombstone) must stay deleted for a new reader.
    captured.db.execute("DELETE FROM questions WHERE question_id = 'workplace-002'")
    _eventually(lambda: captured.catalog.get("workplace-002") is None, "DELETE")
    started = time.monotonic()
    with QuestionCatalog(captured.kafka, captured.bank.topic) as fresh:
        fresh.wait_until_loaded(CDC_BOUND_S)
        loaded_s = time.monotonic() - started
        table = _table(captured.db)
        assert fresh.get("workplace-002") is None
        assert {q.question_id: q for q in fresh.active()} == {
            i: q for i, q in table.items() if q.active
        }
        assert all(fresh.get(i) == q for i, q in table.items())
    print(f"\na new catalog read the whole topic in {loaded_s * 1000:.0f} ms")


@pytest.fixture
def topic(stack: StackSettings, unique: str) -> Iterator[str]:
    """A compacted topic of two partitions, for records written by the test itself."""
    client = admin(stack)
    spec = TopicSpec(
        name=f"test-catalog-{unique}",
        event=None,
        description="test",
        partitions=2,
        replication_factor=1,
        config={"cleanup.policy": "compact"},
    )
    apply_topics(client, [spec], report=lambda _: None)
    yield spec.name
    [deleted] = client.delete_topics([spec.name]).values()
    deleted.result(timeout=CDC_BOUND_S)


def test_a_bad_record_is_skipped_and_the_rest_is_read(stack: StackSettings, topic: str) -> None:
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    p = producer(kafka)
    p.produce(topic, key=b"garbage", value=b"not json", partition=0)
    p.produce(topic, key=key("interview-001"), value=value("c", None, row()), partition=0)
    p.produce(
        topic, key=key("interview-002"), value=value("r", None, row("interview-002")), partition=1
    )
    assert p.flush(10) == 0
    with QuestionCatalog(kafka, topic) as catalog:
        catalog.wait_until_loaded(CDC_BOUND_S)
        assert [q.question_id for q in catalog.active()] == ["interview-001", "interview-002"]
        # Records after the start are applied too.
        p.produce(topic, key=key("interview-001"), value=None, partition=0)
        p.flush(10)
        _eventually(lambda: catalog.get("interview-001") is None, "tombstone")


def test_an_empty_topic_is_loaded_at_once(stack: StackSettings, topic: str) -> None:
    with QuestionCatalog(KafkaConnection(bootstrap_servers=stack.bootstrap_servers), topic) as c:
        c.wait_until_loaded(0.1)
        assert c.active() == ()


def test_a_missing_topic_is_a_catalog_error(stack: StackSettings, unique: str) -> None:
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    with pytest.raises(CatalogError, match=f"test-absent-{unique}"):
        QuestionCatalog(kafka, f"test-absent-{unique}")


def test_an_unreachable_broker_is_a_catalog_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_module, "BROKER_TIMEOUT_S", 1.0)
    with pytest.raises(CatalogError, match="cannot read topic questions"):
        QuestionCatalog(KafkaConnection(bootstrap_servers="127.0.0.1:1"), "questions")
