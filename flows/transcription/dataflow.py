"""Transcription flow (Bytewax): audio-converted → transcripts (| answers-rejected)."""

from __future__ import annotations

from typing import Literal

import bytewax.operators as op
from bytewax.dataflow import Dataflow

from clients.objectstore import ObjectStore
from clients.openai import OpenAISettings, openai_client
from flows.common.bytewax_io import read_events, run_flow, write_records
from flows.common.dedupe import first_sighting
from flows.common.records import event_record
from flows.common.settings import FlowSettings
from flows.transcription.engines.local import LocalWhisper, LocalWhisperSettings
from flows.transcription.engines.openai import OpenAIRecognizer
from flows.transcription.stage import Recognizers, transcribe_answer
from schemas.events import AudioConverted


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
        return Recognizers(local, local)
    remote = OpenAIRecognizer(openai_client(settings.openai), settings.openai.transcription_model)
    return Recognizers(remote, local)


def build(settings: TranscriptionSettings) -> Dataflow:
    flow = Dataflow(f"{settings.topic_namespace}transcription")
    store = ObjectStore(settings.s3, timeout_s=30)
    engines = recognizers(settings)  # loads the model once, before the first answer
    converted = read_events(flow, "converted", settings, AudioConverted)
    keyed = op.key_on("by_learner", converted, lambda event: event.user_id)
    fresh = op.stateful_flat_map("once", keyed, first_sighting(lambda e: e.answer_id))
    ns = settings.topic_namespace
    records = op.map(
        "transcribe",
        fresh,
        lambda item: [event_record(e, ns) for e in transcribe_answer(item[1], store, engines)],
    )
    write_records("out", records, settings)
    return flow


def main() -> None:
    """Entry point of `speech-coach flow transcription`: settings from the environment."""
    settings = TranscriptionSettings()
    run_flow(build(settings), settings)
