"""`speech-coach`: the one command for operators, researchers and developers.

Only the chosen command's module is imported: the bot alone pulls in aiogram (seconds of
imports), which `speech-coach stack status` should not wait for.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Command → (module in cli/, one-line help), in the order `--help` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "stack": ("stack_cmd", "the native development stack (no Docker needed)"),
    "preflight": ("preflight_cmd", "refuse missing or well-known compose passwords"),
    "init": ("init_cmd", "topics, bucket, tables, question bank and connectors (idempotent)"),
    "topics": ("topics_cmd", "topics declared in redpanda/topics.yaml"),
    "connectors": ("connectors_cmd", "sinks and sources through Kafka Connect"),
    "questions": ("questions_cmd", "the question bank (Postgres + Debezium)"),
    "demo": ("demo_cmd", "the learner loop offline, with synthetic answers"),
    "bot": ("bot_cmd", "run the Telegram bot (settings from SPEECH_COACH_*)"),
    "flow": ("flow_cmd", "run a dataflow (settings from SPEECH_COACH_*)"),
    "practice": ("practice_cmd", "submit a recording like the bot does and print the feedback"),
    "credits": ("credits_cmd", "grant credits for GPT-graded answers (operators)"),
    "stats": ("stats_cmd", "a learner's progress, as the bot's /stats shows it"),
    "forget": ("forget_cmd", "erase a learner from every topic and store (operators)"),
    "replay": ("replay_cmd", "recompute a flow's output from topic history"),
    "rebuild": ("rebuild_cmd", "rebuild the read models from the topics (operators)"),
    "export": ("export_cmd", "write the ClickHouse analytics tables to Parquet or CSV files"),
    "bench": ("bench_cmd", "throughput and latency on the native stack"),
    "faults": ("faults_cmd", "kill flows, broker and Connect mid-load; count every answer's rows"),
    "validate": ("validate_cmd", "perturbed synthetic answers: does each rubric score move alone?"),
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="speech-coach", description="Speech Coach: spoken English practice over Kafka topics."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    for name, (module, help_text) in COMMANDS.items():
        command = commands.add_parser(name, help=help_text)
        if name == chosen:
            importlib.import_module(f"cli.{module}").register(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
