"""Words flow (Quix Streams): transcripts → per-learner vocabulary → word-stats.

One WordStats per answer (`words-<answer_id>`); a redelivered transcript emits nothing.
The state is per learner only (vocabulary.py); frequencies across learners are summed in
ClickHouse from the WordStats' lemma counts.
"""

from __future__ import annotations

from collections.abc import Callable

from quixstreams import Application

from flows.common.quix_io import application, fold, read_events, write_records
from flows.common.records import DEAD_LETTERS, Record, event_record
from flows.common.settings import FlowSettings
from flows.feedback.lexicon import load_english
from flows.words.vocabulary import VocabularyState, absorb
from schemas.events import Transcript, WordStats
from schemas.topics import topic_for

NAME = "words"


class WordsSettings(FlowSettings):
    pass


def _step(
    namespace: str,
) -> Callable[[VocabularyState, Transcript], tuple[VocabularyState, list[Record]]]:
    output = topic_for(WordStats.EVENT_TYPE, namespace)

    def step(
        vocabulary: VocabularyState, transcript: Transcript
    ) -> tuple[VocabularyState, list[Record]]:
        vocabulary, stats = absorb(vocabulary, transcript)
        return vocabulary, [] if stats is None else [event_record(output, stats)]

    return step


def build(settings: WordsSettings) -> Application:
    app = application(settings, NAME)
    load_english()  # before the first transcript, not while it waits
    transcripts = read_events(app, settings, Transcript)
    records = transcripts.apply(
        fold(VocabularyState, _step(settings.topic_namespace)), stateful=True, expand=True
    )
    ns = settings.topic_namespace
    write_records(app, records, [topic_for(WordStats.EVENT_TYPE, ns), ns + DEAD_LETTERS])
    return app


def main() -> None:
    """Entry point of `speech-coach flow words`: settings from the environment."""
    build(WordsSettings()).run()
