"""Words flow (Quix Streams): transcripts → per-learner vocabulary → word-stats.

One WordStats per answer (`words-<answer_id>`); a redelivered transcript emits nothing.
The state is per learner only (vocabulary.py); frequencies across learners are summed in
ClickHouse from the WordStats' lemma counts.
"""

from __future__ import annotations

from typing import Any

from quixstreams import Application
from quixstreams.state import State

from flows.common.quix_io import application, read_events, write_records
from flows.common.records import DEAD_LETTERS, Record, event_record
from flows.common.settings import FlowSettings
from flows.feedback.lexicon import load_english
from flows.words.vocabulary import VocabularyState, absorb
from schemas.events import Transcript, WordStats
from schemas.topics import topic_for

NAME = "words"


class WordsSettings(FlowSettings):
    pass


def _step(namespace: str) -> Any:
    output = topic_for(WordStats.EVENT_TYPE, namespace)

    def step(item: Transcript | Record, state: State[str, str]) -> list[Record]:
        if isinstance(item, Record):
            return [item]  # a dead letter passes through
        raw = state.get("vocabulary")
        vocabulary = VocabularyState.model_validate_json(raw) if raw else VocabularyState()
        vocabulary, stats = absorb(vocabulary, item)
        if stats is None:
            return []
        state.set("vocabulary", vocabulary.model_dump_json())
        return [event_record(output, stats)]

    return step


def build(settings: WordsSettings) -> Application:
    app = application(settings, NAME)
    load_english()  # before the first transcript, not while it waits
    transcripts = read_events(app, settings, Transcript)
    records = transcripts.apply(_step(settings.topic_namespace), stateful=True, expand=True)
    ns = settings.topic_namespace
    write_records(app, records, [topic_for(WordStats.EVENT_TYPE, ns), ns + DEAD_LETTERS])
    return app


def main() -> None:
    """Entry point of `speech-coach flow words`: settings from the environment."""
    build(WordsSettings()).run()
