"""Words flow (Quix Streams): transcripts → per-learner vocabulary → word-stats.

One WordStats per answer (`words-<answer_id>`); a redelivered transcript emits nothing.
The state is per learner only (vocabulary.py); frequencies across learners are summed in
ClickHouse from the WordStats' lemma counts.
"""

from __future__ import annotations

from functools import partial

from quixstreams import Application

from clients.keyring import Keyring
from flows.common.quix_io import application, fold, read_events, run_app, write_records
from flows.common.records import DEAD_LETTERS, event_record
from flows.common.settings import FlowSettings
from flows.language.lexicon import load_english
from flows.words.step import LOGIC, OUTPUTS
from flows.words.vocabulary import VocabularyState
from schemas.topics import topic_for

NAME = "words"


class WordsSettings(FlowSettings):
    pass


def build(settings: WordsSettings) -> Application:
    app = application(settings, NAME)
    load_english()  # before the first transcript, not while it waits
    ns = settings.topic_namespace
    keyring = Keyring(settings.kafka, ns)
    transcripts = read_events(app, settings, *LOGIC.inputs, keyring=keyring)
    step = fold(
        LOGIC, "VocabularyState", VocabularyState.to_json, VocabularyState.from_json,
        partial(event_record, namespace=ns, keyring=keyring), keyring=keyring,
    )  # fmt: skip
    records = transcripts.apply(step, stateful=True, expand=True)
    outputs = [topic_for(o.EVENT_TYPE, ns) for o in OUTPUTS]
    write_records(app, records, [*outputs, ns + DEAD_LETTERS])
    return app


def main() -> None:
    """Entry point of `speech-coach flow words`: settings from the environment."""
    run_app(build(WordsSettings()))
