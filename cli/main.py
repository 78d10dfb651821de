"""`speech-coach`: the one command for operators, researchers and developers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import (
    bench_cmd,
    bot_cmd,
    connectors_cmd,
    demo_cmd,
    export_cmd,
    flow_cmd,
    init_cmd,
    practice_cmd,
    questions_cmd,
    replay_cmd,
    stack_cmd,
    stats_cmd,
    topics_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="speech-coach", description="Speech Coach: spoken English practice over Kafka topics."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    stack_cmd.register(commands)
    init_cmd.register(commands)
    topics_cmd.register(commands)
    connectors_cmd.register(commands)
    demo_cmd.register(commands)
    questions_cmd.register(commands)
    flow_cmd.register(commands)
    practice_cmd.register(commands)
    stats_cmd.register(commands)
    replay_cmd.register(commands)
    bench_cmd.register(commands)
    bot_cmd.register(commands)
    export_cmd.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
