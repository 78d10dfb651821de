"""Identity flows for `speech-coach bench`: each framework reading a topic with the same
input and output code as our flows, with no logic. A flow's rate over theirs is what its
per-event code costs on that framework.

- `identity` copies the bytes: no decoding.
- `contract` does what every flow must do to each event and nothing else: opens the sealed
  value with the learner's key, validates it into its event, builds it again as a new
  event (validated, as a flow's outputs are), serializes and seals it.

    python -m cli.bench_identity {bytewax,quix} {identity,contract} SOURCE TARGET --run ID
    (settings from SPEECH_COACH_*; SOURCE is the namespace's topic of its event type; the
    run id names the flow, so that each run reads SOURCE from its start)
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence

import bytewax.operators as op
from bytewax.connectors.kafka import operators as kop
from bytewax.dataflow import Dataflow
from quixstreams import Application

from clients.keyring import Keyring
from flows.common.bytewax_io import RecordSink, read_events, run_flow
from flows.common.quix_io import application, write_records
from flows.common.quix_io import read_events as quix_read_events
from flows.common.records import Record, event_record
from flows.common.settings import FlowSettings
from schemas.events import Event
from schemas.registry import EVENT_TYPES
from schemas.topics import topic_for

KINDS = ("identity", "contract")


def _event_class(settings: FlowSettings, source: str) -> type[Event]:
    """The event type whose topic `source` is."""
    by_topic = {topic_for(t, settings.topic_namespace): c for t, c in EVENT_TYPES.items()}
    return by_topic[source]


def _contract_record(event: Event, target: str, keyring: Keyring) -> Record:
    again = event.model_copy()  # validated as a new event
    return dataclasses.replace(event_record(again, "", keyring), topic=target)


def bytewax_flow(settings: FlowSettings, kind: str, source: str, target: str, run: str) -> Dataflow:
    flow = Dataflow(f"{settings.topic_namespace}{run}")
    if kind == "identity":
        brokers = [settings.kafka.bootstrap_servers]
        messages = kop.input("in", flow, brokers=brokers, topics=[source])
        copies = op.map("copy", messages.oks, lambda m: Record(target, m.key, m.value))
    else:
        keyring = Keyring(settings.kafka, settings.topic_namespace)
        events = read_events(flow, "in", settings, _event_class(settings, source), keyring)
        copies = op.map("copy", events, lambda e: _contract_record(e, target, keyring))
    op.output("out", copies, RecordSink(settings.kafka))
    return flow


def quix_app(settings: FlowSettings, kind: str, source: str, target: str, run: str) -> Application:
    app = application(settings, run)
    if kind == "identity":
        raw = app.topic(source, value_deserializer="bytes", key_deserializer="bytes")
        out = app.topic(target, value_serializer="bytes", key_serializer="bytes")
        app.dataframe(raw).to_topic(out)
    else:
        keyring = Keyring(settings.kafka, settings.topic_namespace)
        events = quix_read_events(app, settings, _event_class(settings, source), keyring=keyring)
        records = events.apply(lambda e: _contract_record(e, target, keyring))
        write_records(app, records, [target])
    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.bench_identity")
    parser.add_argument("framework", choices=("bytewax", "quix"))
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--run", default="identity", help="names the flow or group")
    args = parser.parse_args(argv)
    settings = FlowSettings()
    if args.framework == "bytewax":
        run_flow(bytewax_flow(settings, args.kind, args.source, args.target, args.run), settings)
    else:
        quix_app(settings, args.kind, args.source, args.target, args.run).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
