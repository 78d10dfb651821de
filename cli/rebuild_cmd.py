"""`speech-coach rebuild readmodels [--json]`: the read models rebuilt from the topics, for
history written before every producer partitioned keys the same way (docs/scaling.md)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from cli.rebuild import FlowRunning, rebuild_readmodels
from cli.replay_cmd import progress_bar
from flows.common.settings import FlowSettings


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=["readmodels"], help="what to rebuild")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    settings = FlowSettings()
    try:
        report = rebuild_readmodels(
            settings.kafka, settings.topic_namespace, settings.state_dir, progress_bar
        )
    except FlowRunning as refused:
        print(f"rebuild refused: {refused}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    if args.json:
        print(json.dumps(dataclasses.asdict(report)))
        return 0
    print(
        f"rebuilt the read models of {report.learners} learners from {report.read} events "
        f"({report.invalid} invalid, {report.erased} of erased learners) in "
        f"{report.seconds:.1f} s: {report.rows} rows written, {report.stale} stale rows deleted"
    )
    print(
        f"the flow's old state deleted: {', '.join(report.changelogs) or 'no changelog'}; "
        f"{report.state_dir or 'no local state here'}; start the readmodels flow again"
    )
    return 0
