"""`speech-coach bench [--json] [--events N] [--latency-runs K]`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.bench import BenchResult, run_bench
from stack import launcher
from stack.settings import StackSettings


def register(parser: argparse.ArgumentParser) -> None:
    bench = parser
    bench.add_argument(
        "--events", type=int, default=100_000, help="events per flow (default 100000)"
    )
    bench.add_argument(
        "--latency-runs", type=int, default=20, help="short answers timed end to end"
    )
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.set_defaults(run=_run)


def figures(result: BenchResult) -> dict[str, Any]:
    base = result.passthrough.per_s
    return {
        "events": result.events,
        "passthrough_events_per_s": round(base),
        "scoring_events_per_s": round(result.scoring.per_s),
        "scoring_ratio_to_passthrough": round(result.scoring.per_s / base, 3),
        "scoring_startup_s": round(result.scoring.startup_s, 1),
        "words_events_per_s": round(result.words.per_s),
        "words_ratio_to_passthrough": round(result.words.per_s / base, 3),
        "words_startup_s": round(result.words.startup_s, 1),
        "word_stats_tokens_per_s": round(result.word_tokens_per_s),
        "practice_runs": result.latency_runs,
        "practice_latency_p50_ms": round(result.latency_p50_ms),
        "practice_latency_p99_ms": round(result.latency_p99_ms),
    }


def table(result: BenchResult) -> str:
    f = figures(result)
    events, tokens, ms = "events/s", "tokens/s", "ms"
    rows = [
        ("(a) raw passthrough (confluent-kafka)", f["passthrough_events_per_s"], events, 1.0),
        ("(b) scoring flow (Bytewax)", f["scoring_events_per_s"], events,
         f["scoring_ratio_to_passthrough"]),
        ("(b) word-statistics flow (Quix Streams)", f["words_events_per_s"], events,
         f["words_ratio_to_passthrough"]),
        ("(c) word statistics (lemma counting)", f["word_stats_tokens_per_s"], tokens, None),
        ("(d) practice latency p50", f["practice_latency_p50_ms"], ms, None),
        ("(d) practice latency p99", f["practice_latency_p99_ms"], ms, None),
    ]  # fmt: skip
    lines = [f"{'measure':<42} {'figure':>18} {'vs (a)':>8}", "-" * 70]
    lines += [
        f"{name:<42} {f'{value:,} {unit}':>18} {'' if ratio is None else f'{ratio:.3f}':>8}"
        for name, value, unit, ratio in rows
    ]
    lines.append(
        f"{result.events:,} events per flow; flow start-up (excluded above): scoring "
        f"{f['scoring_startup_s']} s, words {f['words_startup_s']} s; "
        f"latency over {result.latency_runs} answers"
    )
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    settings = StackSettings()

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    launcher.up(settings, say)
    result = run_bench(settings, args.events, args.latency_runs, say)
    print(json.dumps(figures(result)) if args.json else table(result))
    return 0
