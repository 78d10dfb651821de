"""The fault suite's counting and reporting (cli/faults_count.py, cli/faults_cmd.py).

The counts are checked against real topics and stores: answers whose records and rows were
planted with known gaps and duplicates must come out as exactly those gaps and duplicates.
The whole command (kills included) runs for minutes: README, "Fault suite".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from cli.faults import FaultPlan, FaultsResult, Kill, kill_order, kills_due, run
from cli.faults_cmd import fault_stack, figures, table
from cli.faults_count import (
    CLICKHOUSE_TABLES,
    Answers,
    Assessment,
    Observed,
    Places,
    Tally,
    assess,
    observe,
    tally,
)
from clients.objectstore import ObjectStore, answer_key, learner_prefixes
from clients.settings import ClickHouseConnection
from flows.analytics.rows import Row, event_rows
from flows.analytics.tables import apply_schema, client, create_database, insert_rows
from schemas.events import AnswerSubmitted, AudioConverted, Event, Rejected, Transcript
from stack import launcher
from stack.services import all_services
from stack.settings import Ports, StackSettings
from tests.pipeline import Pipeline, readmodels_database
from tests.schemas.samples import AT, SAMPLES

STAGES = {
    "answer_submitted": "",
    "audio_converted": "converted-",
    "transcript": "transcript-",
    "feedback": "feedback-",
    "progress": "progress-",
    "word_stats": "words-",
}


def graded(user: str, answer: str, question: str | None, minute: int = 0) -> list[Event]:
    """The events of an answer that went the whole way, as the flows name them; a later
    `minute` makes a newer answer, and the learner's vocabulary one lemma larger."""
    events = []
    for event_type, prefix in STAGES.items():
        update: dict[str, object] = {
            "event_id": prefix + answer, "user_id": user, "answer_id": answer,
            "occurred_at": AT + timedelta(minutes=minute),
        }  # fmt: skip
        if event_type in {"answer_submitted", "feedback"}:
            update["question_id"] = question
        if event_type == "word_stats":
            update["unique_total"] = 57 + minute
        events.append(SAMPLES[event_type].model_copy(update=update))
    return events


def submitted(user: str, answer: str) -> AnswerSubmitted:
    event = graded(user, answer, None)[0]
    assert isinstance(event, AnswerSubmitted)
    return event


def rejected(user: str, answer: str) -> Rejected:
    event = SAMPLES["rejected"].model_copy(
        update={"event_id": f"rejected-{answer}", "user_id": user, "answer_id": answer}
    )
    assert isinstance(event, Rejected)
    return event


def analytics_rows(events: list[Event]) -> list[Row]:
    """The rows the analytics flow writes for `events` (conversion and transcripts have none)."""
    return [
        row
        for event in events
        if not isinstance(event, (AudioConverted, Transcript))
        for row in event_rows(event)
    ]


def test_a_tally_tells_exact_missing_duplicated_and_misplaced_rows() -> None:
    counted = tally(
        "t", "answer", {"a": 1, "b": 1, "c": 2, "d": 1}, {"a": 1, "c": 3, "d": 0, "e": 1},
        {"a": 2, "c": 3, "e": 1},
    )  # fmt: skip
    assert counted == Tally("t", "answer", 4, exact=1, missing=2, duplicated=1, extra=1, surplus=1)
    assert not counted.ok
    assert tally("t", "answer", {"a": 1}, {"a": 1}, {"a": 3}).ok  # surplus alone is allowed


def test_kills_are_spread_over_the_answers_broker_midway_and_connect_last(tmp_path: Path) -> None:
    assert kills_due(40, 10) == (4, 8, 11, 15, 19, 22, 26, 30, 33, 37)
    settings = StackSettings(home=tmp_path, app_scale={"feedback": 2})
    order = kill_order(settings)
    assert order[-1] == "connect"
    assert order[len(order) // 2 - 1] == "kafka"
    assert {"flow-feedback", "flow-feedback-1", "flow-retention"} <= set(order)
    assert {"postgres", "clickhouse", "s3"}.isdisjoint(order)


def test_the_fault_stack_has_a_home_and_ports_of_its_own(tmp_path: Path) -> None:
    base = StackSettings(home=tmp_path / "dev", ports=Ports())
    moved = fault_stack(base, tmp_path / "faults", 500)
    assert moved.home == (tmp_path / "faults").resolve()
    assert moved.ports.kafka == Ports().kafka + 500
    assert set(moved.ports.model_dump().values()).isdisjoint(base.ports.model_dump().values())


def test_the_report_fails_on_a_lost_answer() -> None:
    lost = Assessment(Answers(2, 2, 0, 2, 1, 0, ("cli-b",), ()), (), ())
    kill = Kill("kafka", 3.0, "an answer was accepted", 1, 1.5, 17.2)
    result = FaultsResult(lost, (kill,), (1.0, 2.0), 10, 30, 5)
    assert not result.ok
    assert table(result).splitlines()[-1] == "FAIL: 1 answers lost"
    assert figures(result)["kills"] == [
        {
            "component": "kafka",
            "at_s": 3.0,
            "after": "an answer was accepted",
            "ungraded": 1,
            "back_s": 1.5,
            "ready_s": 17.2,
        }
    ]
    passed = FaultsResult(
        Assessment(Answers(1, 1, 0, 1, 1, 0, (), ()), (), ()), (), (1.0,), 1, 1, 1
    )
    assert passed.ok
    assert table(passed).splitlines()[-1] == "PASS"
    stuck = FaultsResult(passed.assessment, (Kill("connect", 9.0, "", 0, None, None),), (), 1, 1, 1)
    assert table(stuck).splitlines()[-1] == "FAIL: connect not ready again"


@pytest.fixture
def analytics_database(stack: StackSettings, unique: str) -> Iterator[ClickHouseConnection]:
    connection = ClickHouseConnection(
        host=stack.host, port=stack.ports.clickhouse_tcp, database=f"faults_{unique}"
    )
    create_database(connection)
    apply_schema(client(connection))
    yield connection
    server = client(ClickHouseConnection(host=stack.host, port=stack.ports.clickhouse_tcp))
    server.execute(f"DROP DATABASE IF EXISTS faults_{unique}")


@pytest.mark.stack
def test_planted_gaps_and_duplicates_are_counted_exactly(
    stack: StackSettings, unique: str, tmp_path: Path, analytics_database: ClickHouseConnection
) -> None:
    pipeline = Pipeline(stack, f"faults-{unique}-", tmp_path)
    u1, u2 = f"f1-{unique}", f"f2-{unique}"
    # a: all the way, its feedback sent twice and its ClickHouse rows inserted twice;
    # b: all the way a minute later, but its rm_scores row missing, its question counted once
    # too often and the learner's vocabulary row left at a's total;
    # c: submitted and then lost, its upload left behind; d: refused at conversion.
    a, b = graded(u1, "cli-a", "q-17"), graded(u1, "cli-b", "q-17", minute=1)
    c, d = submitted(u2, "cli-c"), [submitted(u2, "cli-d"), rejected(u2, "cli-d")]
    for event in [*a, a[3], *b, c, *d]:
        pipeline.send(event)
    server = client(analytics_database)
    insert_rows(server, analytics_rows(a + b + d))
    insert_rows(server, analytics_rows(a))  # a second part: rows a merge will collapse
    store = ObjectStore(pipeline.s3)
    store.put_bytes(answer_key(u2, "cli-c"), b"OggS", "audio/ogg")
    with readmodels_database(stack) as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO rm_scores (user_id, answer_id, answered_at) "
                "VALUES (%s, 'cli-a', now())",
                (u1,),
            )
            conn.execute("INSERT INTO rm_answered VALUES (%s, 'q-17', 3, now(), 2.0, now())", (u1,))
            conn.execute(
                "INSERT INTO rm_progress VALUES (%s, 'cli-b', 5, 2, 2, 2, 2, 2, 2, 2, 0, "
                "'delivery', 'language_use', NULL, now())",
                (u1,),
            )
            conn.execute("INSERT INTO rm_vocabulary VALUES (%s, 57, '', '', now())", (u1,))
        places = Places(pipeline.kafka, pipeline.namespace, dsn, analytics_database, pipeline.s3)
        observed = observe(places, {u1, u2})
    for prefix in learner_prefixes(u2):
        store.delete_prefix(prefix)

    assessment = assess(4, {"cli-a", "cli-b", "cli-c", "cli-d"}, 0, observed)

    assert assessment.answers == Answers(4, 4, 0, 4, 2, 1, lost=("cli-c",), conflicting=())
    topics = {t.place: t for t in assessment.topics}
    assert topics["answers-submitted"] == Tally("answers-submitted", "answer", 4, 4, 0, 0, 0)
    assert topics["audio-converted"] == Tally("audio-converted", "answer", 3, 2, 1, 0, 0)
    assert topics["feedback"] == Tally("feedback", "answer", 3, 2, 1, 0, 0, surplus=1)
    assert topics["answers-rejected"] == Tally("answers-rejected", "answer", 1, 1, 0, 0, 0)
    assert topics["progress"] == Tally("progress", "answer", 2, 2, 0, 0, 0)
    stores = {t.place: t for t in assessment.stores}
    lemmas = len(SAMPLES["word_stats"].lemma_counts)  # type: ignore[attr-defined]
    assert stores == {
        "postgres rm_scores": Tally("postgres rm_scores", "answer", 2, 1, 1, 0, 0),
        "postgres rm_answered": Tally("postgres rm_answered", "learner+question", 1, 0, 0, 1, 0),
        "postgres rm_progress": Tally(
            "postgres rm_progress", "learner (newest window)", 1, 1, 0, 0, 0
        ),
        "postgres rm_vocabulary": Tally(  # stale: the current row missing, an old one there
            "postgres rm_vocabulary", "learner (newest total)", 1, 0, 1, 0, 1
        ),
        "clickhouse submissions": Tally("clickhouse submissions", "answer", 4, 3, 1, 0, 0, 1),
        "clickhouse answers": Tally("clickhouse answers", "answer", 2, 2, 0, 0, 0, 1),
        "clickhouse rejections": Tally("clickhouse rejections", "answer", 1, 1, 0, 0, 0),
        "clickhouse progress": Tally("clickhouse progress", "answer", 2, 2, 0, 0, 0, 1),
        "clickhouse word_counts": Tally("clickhouse word_counts", "answer", 2, 2, 0, 0, 0, lemmas),
        "object store (recordings left)": Tally(
            "object store (recordings left)", "answer", 0, 0, 0, 0, 1
        ),
    }
    assert "1 answers lost" in assessment.problems


def test_an_answer_both_graded_and_rejected_is_a_failure() -> None:
    events = (*graded("u", "cli-x", None), rejected("u", "cli-x"))
    observed = Observed(
        events, {"cli-x": 1}, {}, {("u", "cli-x"): 1}, {("u", 57): 1},
        dict.fromkeys(CLICKHOUSE_TABLES, ({}, {})), {},
    )  # fmt: skip
    assessment = assess(1, {"cli-x"}, 0, observed)
    assert assessment.answers.conflicting == ("cli-x",)
    assert assessment.answers.lost == ()
    assert "1 answers both graded and rejected" in assessment.problems
    # A graded answer went through every stage: its transcript is no misplaced row.
    assert {t.place: t.extra for t in assessment.topics}["transcripts"] == 0


@pytest.mark.stack
@pytest.mark.slow
def test_a_flow_and_connect_killed_mid_load_lose_nothing(stack_settings: StackSettings) -> None:
    """The command's own path on a stack of its own (the session's ports + 500), with two of
    its kills, about 2 minutes: the full set takes about 9 (README, "Fault suite")."""
    home = stack_settings.home.with_name(f"{stack_settings.home.name}-faults")
    settings = fault_stack(stack_settings, home, 500)
    plan = FaultPlan(answers=6, every_s=4.0, components=("flow-conversion", "connect"))
    try:
        launcher.up(settings, print, [s.name for s in all_services(settings)])
        result = run(settings, plan, print)
    finally:
        launcher.down(settings, print)
    assert result.ok, table(result)
    assert result.assessment.answers.graded == 6
    assert [k.component for k in result.kills] == ["flow-conversion", "connect"]
