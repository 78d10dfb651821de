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
    flows = {
        rates.flow: {
            "framework": rates.framework,
            "topic_events_per_s": {
                "passthrough": round(rates.passthrough.per_s),
                "identity": round(rates.identity.per_s),
                "flow": round(rates.flow_rate.per_s),
            },
            "ratio_to_passthrough": round(rates.to_passthrough, 3),
            "ratio_to_identity": round(rates.to_identity, 3),
            "startup_s": round(rates.flow_rate.startup_s, 1),
        }
        for rates in result.flows
    }
    return {
        "events": result.events,
        "flows": flows,
        "word_stats_tokens_per_s": round(result.word_tokens_per_s),
        "practice_runs": result.latency_runs,
        "practice_latency_p50_ms": round(result.latency_p50_ms),
        "practice_latency_p99_ms": round(result.latency_p99_ms),
    }


def table(result: BenchResult) -> str:
    lines = [
        f"{'flow':<9} {'framework':<9} {'passthrough':>12} {'identity':>10} {'flow':>8} "
        f"{'vs passthrough':>15} {'vs identity':>12}",
        "-" * 82,
    ]
    for r in result.flows:
        lines.append(
            f"{r.flow:<9} {r.framework:<9} {r.passthrough.per_s:>12,.0f} "
            f"{r.identity.per_s:>10,.0f} {r.flow_rate.per_s:>8,.0f} "
            f"{r.to_passthrough:>15.3f} {r.to_identity:>12.3f}"
        )
    f = figures(result)
    lines += [
        f"events/s over {result.events:,} events per topic, first output to last "
        "(start-up excluded: "
        + ", ".join(f"{r.flow} {r.flow_rate.startup_s:.1f} s" for r in result.flows)
        + ")",
        f"word statistics, lemma counting: {f['word_stats_tokens_per_s']:,} tokens/s",
        f"practice end to end over {result.latency_runs} short answers: "
        f"p50 {f['practice_latency_p50_ms']:,} ms, p99 {f['practice_latency_p99_ms']:,} ms",
    ]
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    settings = StackSettings()

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    launcher.up(settings, say)
    result = run_bench(settings, args.events, args.latency_runs, say)
    print(json.dumps(figures(result)) if args.json else table(result))
    return 0
