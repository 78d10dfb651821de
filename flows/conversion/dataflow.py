"""Conversion flow (Bytewax): answers-submitted → audio-converted | answers-rejected."""

from __future__ import annotations

import bytewax.operators as op
from bytewax.dataflow import Dataflow

from clients.objectstore import ObjectStore
from flows.common.bytewax_io import read_events, run_flow, write_records
from flows.common.dedupe import first_sighting
from flows.common.records import event_record
from flows.common.settings import FlowSettings
from flows.conversion.limits import ConversionLimits
from flows.conversion.stage import convert_answer
from schemas.events import AnswerSubmitted


class ConversionSettings(FlowSettings):
    limits: ConversionLimits = ConversionLimits()


def build(settings: ConversionSettings) -> Dataflow:
    flow = Dataflow(f"{settings.topic_namespace}conversion")
    store = ObjectStore(settings.s3, timeout_s=30)
    answers = read_events(flow, "answers", settings, AnswerSubmitted)
    keyed = op.key_on("by_learner", answers, lambda answer: answer.user_id)
    fresh = op.stateful_flat_map("once", keyed, first_sighting(lambda a: a.answer_id))
    ns = settings.topic_namespace
    records = op.map(
        "convert",
        fresh,
        lambda item: [event_record(e, ns) for e in convert_answer(item[1], store, settings.limits)],
    )
    write_records("out", records, settings)
    return flow


def main() -> None:
    """Entry point of `speech-coach flow conversion`: settings from the environment."""
    settings = ConversionSettings()
    run_flow(build(settings), settings)
