"""What every topic and store holds for each answer of a fault run, against what it should.

`observe` reads it all (the learner-loop topics from their beginning, the Postgres read
models, the ClickHouse analytics tables, the object store), keeping only the run's learners;
`assess` (pure) derives from the answers' outcomes what each place should hold and counts,
per answer (or per learner, or per learner and question), the places holding exactly that,
less, more, or something where they should hold nothing.

Duplicate records on a topic are at-least-once delivery, which the consumers dedupe: they
are counted apart and are no failure. So are ClickHouse's physical rows beyond the logical
ones (a ReplacingMergeTree collapses them when it merges; FINAL gives the logical rows).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TypeVar

import psycopg

from cli.replay import history, spans
from clients.keyring import Keyring, read_event
from clients.objectstore import ObjectStore, learner_prefixes
from clients.settings import ClickHouseConnection, KafkaConnection, S3Connection
from flows.analytics.tables import client
from schemas.events import (
    AnswerSubmitted,
    AudioConverted,
    Event,
    Feedback,
    Progress,
    Rejected,
    Transcript,
    WordStats,
)
from schemas.topics import topic_for

K = TypeVar("K", bound=Hashable)

# The topics an answer passes or produces, in the order it passes them.
STAGES: tuple[type[Event], ...] = (
    AnswerSubmitted,
    AudioConverted,
    Transcript,
    Feedback,
    Rejected,
    Progress,
    WordStats,
)
# The analytics tables holding rows per answer (clickhouse/schema/).
CLICKHOUSE_TABLES = ("submissions", "answers", "rejections", "progress", "word_counts")


@dataclass(frozen=True)
class Tally:
    """One topic or store against what it should hold, counted per unit (an answer, a
    learner, ...): `expected` units should hold rows; each is `exact`, `missing` (fewer
    rows than it should) or `duplicated` (more); `extra` units hold rows but should hold
    none. `surplus` counts physical records beyond the logical ones (duplicate records on
    a topic, unmerged rows in ClickHouse): allowed, reported apart."""

    place: str
    unit: str
    expected: int
    exact: int
    missing: int
    duplicated: int
    extra: int
    surplus: int = 0

    @property
    def ok(self) -> bool:
        return self.missing == self.duplicated == self.extra == 0


def tally(
    place: str,
    unit: str,
    expected: Mapping[K, int],
    found: Mapping[K, int],
    physical: Mapping[K, int] | None = None,
) -> Tally:
    """`expected` and `found`: logical rows per unit; `physical`: rows before deduplication."""
    held = {key: count for key, count in found.items() if count}
    return Tally(
        place=place,
        unit=unit,
        expected=len(expected),
        exact=sum(1 for key, n in expected.items() if held.get(key, 0) == n),
        missing=sum(1 for key, n in expected.items() if held.get(key, 0) < n),
        duplicated=sum(1 for key, n in expected.items() if held.get(key, 0) > n),
        extra=sum(1 for key in held if key not in expected),
        surplus=sum(physical.values()) - sum(held.values()) if physical is not None else 0,
    )


@dataclass(frozen=True)
class Observed:
    """What the topics and stores hold for the run's learners."""

    events: tuple[Event, ...]  # every record of the learner-loop topics, duplicates included
    rm_scores: Mapping[str, int]  # answer id → rows
    rm_answered: Mapping[tuple[str, str], int]  # (learner, question) → times_answered
    rm_progress: Mapping[tuple[str, str], int]  # (learner, answer id of the window) → rows
    rm_vocabulary: Mapping[tuple[str, int], int]  # (learner, unique_total) → rows
    clickhouse: Mapping[str, tuple[Mapping[str, int], Mapping[str, int]]]
    # ↑ table → (logical rows per answer (FINAL), physical rows per answer)
    objects: Mapping[str, int]  # answer id → recordings still stored


@dataclass(frozen=True)
class Answers:
    planned: int
    accepted: int  # the broker confirmed them to `practice`
    refused: int  # `practice` gave up and told the learner they were not submitted
    on_topic: int  # on answers-submitted: the accepted ones, and any refused one that landed
    graded: int
    rejected: int
    lost: tuple[str, ...]  # neither feedback nor a rejection
    conflicting: tuple[str, ...]  # both feedback and a rejection


@dataclass(frozen=True)
class Assessment:
    answers: Answers
    topics: tuple[Tally, ...]
    stores: tuple[Tally, ...]

    @property
    def problems(self) -> tuple[str, ...]:
        """Why the run failed; empty when it passed."""
        found = []
        if self.answers.lost:
            found.append(f"{len(self.answers.lost)} answers lost")
        if self.answers.conflicting:
            found.append(f"{len(self.answers.conflicting)} answers both graded and rejected")
        for t in (*self.topics, *self.stores):
            if not t.ok:
                found.append(
                    f"{t.place}: {t.missing} missing, {t.duplicated} duplicated, "
                    f"{t.extra} where none belong (per {t.unit})"
                )
        return tuple(found)


def _by_answer(events: Iterable[Event], kind: type[Event]) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        answer_id = getattr(event, "answer_id", None)
        if isinstance(event, kind) and answer_id is not None:
            found[answer_id].append(event)
    return found


def _distinct_ids(events: Mapping[str, list[Event]]) -> dict[str, int]:
    return {answer: len({e.event_id for e in found}) for answer, found in events.items()}


def _ones(keys: Iterable[K]) -> dict[K, int]:
    return dict.fromkeys(keys, 1)


def _total(event: Event) -> int:
    return event.unique_total if isinstance(event, WordStats) else 0


def _window(event: Event) -> str:
    return event.answer_id if isinstance(event, Progress) else ""


def _newest(
    events: Mapping[str, list[Event]], order: Callable[[Event], tuple[datetime, int]]
) -> dict[str, Event]:
    """Each learner's newest event, as the read-models flow keeps it."""
    newest: dict[str, Event] = {}
    for found in events.values():
        for event in found:
            held = newest.get(event.user_id)
            if held is None or order(event) > order(held):
                newest[event.user_id] = event
    return newest


def assess(planned: int, accepted: set[str], refused: int, observed: Observed) -> Assessment:
    """Counts, per answer, what each topic and store holds against what its outcome implies."""
    by_stage = {stage: _by_answer(observed.events, stage) for stage in STAGES}
    submitted = by_stage[AnswerSubmitted]
    answers = accepted | set(submitted)
    graded = set(by_stage[Feedback])
    rejections = by_stage[Rejected]
    # A graded answer went through every stage, even if it was also refused somewhere
    # (that conflict is reported once, under the answers).
    refused_at = {
        answer: {e.stage for e in found if isinstance(e, Rejected)}
        for answer, found in rejections.items()
        if answer not in graded
    }
    converted = {a for a in answers if "conversion" not in refused_at.get(a, set())}
    transcribed = {a for a in converted if "transcription" not in refused_at.get(a, set())}
    learner = {a: found[0].user_id for a, found in submitted.items()}
    question = {
        a: e.question_id
        for a, found in submitted.items()
        if isinstance(e := found[0], AnswerSubmitted) and e.question_id
    }
    lemmas = {
        a: len(e.lemma_counts)
        for a, found in by_stage[WordStats].items()
        if isinstance(e := found[0], WordStats)
    }

    expected_on = {
        AnswerSubmitted: answers,
        AudioConverted: converted,
        Transcript: transcribed,
        Feedback: answers - set(refused_at),
        Rejected: set(rejections),
        Progress: graded,
        WordStats: transcribed,
    }
    topics = tuple(
        tally(
            topic_for(stage.EVENT_TYPE),
            "answer",
            _ones(expected_on[stage]),
            _distinct_ids(by_stage[stage]),
            {a: len(found) for a, found in by_stage[stage].items()},
        )
        for stage in STAGES
    )

    # A learner's row shows their newest window and vocabulary; an older one is stale
    # (counted missing, and extra where it stands).
    newest_window = _newest(by_stage[Progress], lambda e: (e.occurred_at, 0))
    newest_total = _newest(by_stage[WordStats], lambda e: (e.occurred_at, _total(e)))
    answered = Counter((learner[a], question[a]) for a in graded if a in learner and a in question)
    ch_expected: dict[str, Mapping[str, int]] = {
        "submissions": _ones(answers),
        "answers": _ones(graded),
        "rejections": _ones(rejections),
        "progress": _ones(graded),
        "word_counts": lemmas,  # one row per lemma of the answer
    }
    stores = (
        tally("postgres rm_scores", "answer", _ones(graded), observed.rm_scores),
        tally("postgres rm_answered", "learner+question", answered, observed.rm_answered),
        tally(
            "postgres rm_progress",
            "learner (newest window)",
            _ones((user, _window(e)) for user, e in newest_window.items()),
            observed.rm_progress,
        ),
        tally(
            "postgres rm_vocabulary",
            "learner (newest total)",
            _ones((user, _total(e)) for user, e in newest_total.items()),
            observed.rm_vocabulary,
        ),
        *(
            tally(f"clickhouse {table}", "answer", ch_expected[table], *observed.clickhouse[table])
            for table in CLICKHOUSE_TABLES
        ),
        # Conversion deletes the upload and retention the WAV once the answer is finished.
        tally("object store (recordings left)", "answer", {}, observed.objects),
    )
    return Assessment(
        Answers(
            planned=planned,
            accepted=len(accepted),
            refused=refused,
            on_topic=len(submitted),
            graded=len(graded),
            rejected=len(rejections),
            lost=tuple(sorted(answers - graded - set(rejections))),
            conflicting=tuple(sorted(graded & set(rejections))),
        ),
        topics,
        stores,
    )


@dataclass(frozen=True)
class Places:
    """Where a stack keeps what the counts read."""

    kafka: KafkaConnection
    namespace: str
    postgres_dsn: str
    clickhouse: ClickHouseConnection
    s3: S3Connection


def observe(places: Places, learners: set[str]) -> Observed:
    return Observed(
        _events(places, learners),
        *_read_models(places.postgres_dsn, learners),
        _analytics(places.clickhouse, learners),
        _recordings(places.s3, learners),
    )


def _events(places: Places, learners: set[str]) -> tuple[Event, ...]:
    topics = [(topic_for(stage.EVENT_TYPE, places.namespace), stage) for stage in STAGES]
    found = []
    with Keyring(places.kafka, places.namespace, live=False) as keyring:
        for _, key, value, event_cls in history(places.kafka, spans(places.kafka, topics, None)):
            event = read_event(event_cls, key, value, keyring)
            if event is not None and event.user_id in learners:
                found.append(event)
    return tuple(found)


def _read_models(dsn: str, learners: set[str]) -> tuple[
    dict[str, int], dict[tuple[str, str], int], dict[tuple[str, str], int],
    dict[tuple[str, int], int],
]:  # fmt: skip
    users = sorted(learners)
    with psycopg.connect(dsn, connect_timeout=10) as conn:
        scores = conn.execute(
            "SELECT answer_id, count(*) FROM rm_scores WHERE user_id = ANY(%s) GROUP BY answer_id",
            (users,),
        ).fetchall()
        answered = conn.execute(
            "SELECT user_id, question_id, times_answered FROM rm_answered WHERE user_id = ANY(%s)",
            (users,),
        ).fetchall()
        progress = conn.execute(
            "SELECT user_id, answer_id, count(*) FROM rm_progress WHERE user_id = ANY(%s) "
            "GROUP BY user_id, answer_id",
            (users,),
        ).fetchall()
        vocabulary = conn.execute(
            "SELECT user_id, unique_total, count(*) FROM rm_vocabulary WHERE user_id = ANY(%s) "
            "GROUP BY user_id, unique_total",
            (users,),
        ).fetchall()
    return (
        dict(scores),
        {(user, question): times for user, question, times in answered},
        {(user, answer): rows for user, answer, rows in progress},
        {(user, total): rows for user, total, rows in vocabulary},
    )


def _analytics(
    connection: ClickHouseConnection, learners: set[str]
) -> dict[str, tuple[Mapping[str, int], Mapping[str, int]]]:
    server = client(connection)
    users = {"users": tuple(sorted(learners))}
    found: dict[str, tuple[Mapping[str, int], Mapping[str, int]]] = {}
    try:
        for table in CLICKHOUSE_TABLES:
            query = (
                f"SELECT answer_id, count() FROM {table} {{final}} "  # noqa: S608 - our own table names
                "WHERE user_id IN %(users)s GROUP BY answer_id"
            )
            logical = dict(server.execute(query.format(final="FINAL"), users))
            physical = dict(server.execute(query.format(final=""), users))
            found[table] = (logical, physical)
    finally:
        server.disconnect()
    return found


def _recordings(s3: S3Connection, learners: set[str]) -> dict[str, int]:
    store = ObjectStore(s3)
    keys = [key for user in learners for p in learner_prefixes(user) for key, _ in store.listing(p)]
    # answers/<user>/<answer>.ogg, wav/<user>/<answer>.wav, kept/<user>/<answer>.wav
    return dict(Counter(PurePosixPath(key).stem for key in keys))
