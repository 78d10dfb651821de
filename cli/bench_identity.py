"""Identity flows for `speech-coach bench`: each framework reading a topic with the same
input and output code as our flows and copying the bytes, with no decoding and no logic.
A flow's rate over this one's is what our per-event code costs on that framework.

    python -m cli.bench_identity {bytewax,quix} SOURCE TARGET   (settings from SPEECH_COACH_*)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import bytewax.operators as op
from bytewax.connectors.kafka import operators as kop
from bytewax.dataflow import Dataflow
from quixstreams import Application

from flows.common.bytewax_io import RecordSink, run_flow
from flows.common.quix_io import application
from flows.common.records import Record
from flows.common.settings import FlowSettings


def bytewax_identity(settings: FlowSettings, source: str, target: str) -> Dataflow:
    flow = Dataflow(f"{settings.topic_namespace}identity")
    messages = kop.input("in", flow, brokers=[settings.kafka.bootstrap_servers], topics=[source])
    copies = op.map("copy", messages.oks, lambda m: Record(target, m.key, m.value))
    op.output("out", copies, RecordSink(settings.kafka))
    return flow


def quix_identity(settings: FlowSettings, source: str, target: str) -> Application:
    app = application(settings, "identity")
    raw = app.topic(source, value_deserializer="bytes", key_deserializer="bytes")
    out = app.topic(target, value_serializer="bytes", key_serializer="bytes")
    app.dataframe(raw).to_topic(out)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.bench_identity")
    parser.add_argument("framework", choices=("bytewax", "quix"))
    parser.add_argument("source")
    parser.add_argument("target")
    args = parser.parse_args(argv)
    settings = FlowSettings()
    if args.framework == "bytewax":
        run_flow(bytewax_identity(settings, args.source, args.target), settings)
    else:
        quix_identity(settings, args.source, args.target).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
