"""Transcription flow (Bytewax): audio-converted → transcripts (| answers-rejected)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import bytewax.operators as op
from bytewax.dataflow import Dataflow

from clients.keyring import Keyring
from clients.objectstore import ObjectStore
from clients.openai import OpenAISettings, openai_client
from flows.common.bytewax_io import RecordSink, read_events, run_flow
from flows.common.records import Record, event_record
from flows.common.settings import FlowSettings
from flows.transcription.engines.local import LocalWhisper, LocalWhisperSettings
from flows.transcription.engines.openai import OpenAIRecognizer
from flows.transcription.spending import Spending, charge
from flows.transcription.stage import Recognizers, transcribe_answer
from schemas.events import AudioConverted, CreditEvent, Event, UserEvent


class TranscriptionSettings(FlowSettings):
    # auto: OpenAI when an API key is configured, the local recogniser otherwise.
    stt_engine: Literal["auto", "local", "openai"] = "auto"
    local_stt: LocalWhisperSettings = LocalWhisperSettings()
    openai: OpenAISettings = OpenAISettings()


def recognizers(settings: TranscriptionSettings) -> Recognizers:
    # Each Bytewax worker thread may transcribe at once; the model releases the GIL.
    local = LocalWhisper(settings.local_stt, concurrency=settings.workers)
    use_openai = settings.stt_engine == "openai" or (
        settings.stt_engine == "auto" and settings.openai.api_key is not None
    )
    if not use_openai:
        return Recognizers(None, local)
    remote = OpenAIRecognizer(openai_client(settings.openai), settings.openai.transcription_model)
    return Recognizers(remote, local)


def transcriber(
    store: ObjectStore, engines: Recognizers, namespace: str, keyring: Keyring
) -> Callable[[Any, AudioConverted | CreditEvent | UserEvent], tuple[Spending, list[Record]]]:
    """A `stateful_flat_map` mapper over one learner's converted answers, credits and account
    events: each answer transcribed once (with the paid recogniser while they have a credit
    for it) and sealed with their key; erasure forgets them."""

    def step(
        state: Any, event: AudioConverted | CreditEvent | UserEvent
    ) -> tuple[Spending, list[Record]]:
        spending = Spending.resumed(state)
        if isinstance(event, UserEvent):
            return spending.account(event), []
        if isinstance(event, CreditEvent):
            return spending.credit(event), []
        fresh = spending.first_sight(event.answer_id)
        if fresh is None:
            return spending, []
        heard = transcribe_answer(event, store, engines, may_pay=fresh.may_pay)
        outputs: list[Event] = list(heard.events)
        if heard.paid and engines.paid is not None:
            at = heard.events[0].occurred_at
            paid = charge(event.user_id, event.answer_id, engines.paid.name, at)
            fresh = fresh.charged(paid)
            outputs.append(paid)
        return fresh, [event_record(output, namespace, keyring) for output in outputs]

    return step


def build(settings: TranscriptionSettings) -> Dataflow:
    flow = Dataflow(f"{settings.topic_namespace}transcription")
    store = ObjectStore(settings.s3, timeout_s=30)
    engines = recognizers(settings)  # loads the model once, before the first answer
    converted = read_events(flow, "converted", settings, AudioConverted)
    credits = read_events(flow, "credits", settings, CreditEvent)
    users = read_events(flow, "users", settings, UserEvent)
    events = op.merge("answers_credits_users", converted, credits, users)
    keyed = op.key_on("by_learner", events, lambda event: event.user_id)
    # The first to write what a learner said makes their key (clients/keyring.py).
    keyring = Keyring(settings.kafka, settings.topic_namespace, may_create=True)
    step = transcriber(store, engines, settings.topic_namespace, keyring)
    # The step keeps its id "once" (it used to only deduplicate): resumed snapshots fit it.
    transcribed = op.key_rm("records", op.stateful_flat_map("once", keyed, step))
    op.output("out", transcribed, RecordSink(settings.kafka))
    return flow


def main() -> None:
    """Entry point of `speech-coach flow transcription`: settings from the environment."""
    settings = TranscriptionSettings()
    run_flow(build(settings), settings)
