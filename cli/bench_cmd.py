"""`speech-coach bench [--part replay|latency|crowd ...] [--json]`: figures measured in one
run on the native stack (cli/bench.py says how)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.bench import Bench, BenchResult
from cli.bench_crowd import CrowdResult, ScaleResult
from stack import launcher
from stack.settings import StackSettings

PARTS = ("replay", "latency", "crowd")


def register(parser: argparse.ArgumentParser) -> None:
    bench = parser
    bench.add_argument(
        "--part", action="append", choices=PARTS, help="what to measure (default: all parts)"
    )
    bench.add_argument("--events", type=int, default=100_000, help="replay: events per flow")
    bench.add_argument("--latency-runs", type=int, default=10, help="latency: answers per length")
    bench.add_argument("--answers", type=int, default=40, help="crowd: answers")
    bench.add_argument("--learners", type=int, default=8, help="crowd: learners")
    bench.add_argument("--over", type=float, default=60.0, help="crowd: seconds to submit over")
    bench.add_argument(
        "--workers", default="1,2", help="crowd: transcription workers to compare (default 1,2)"
    )
    bench.add_argument(
        "--burst", type=int, default=40, help="crowd: converted answers transcribed at once"
    )
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.set_defaults(run=_run)


def figures(result: BenchResult) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if result.flows:
        found["replay"] = {
            "events": result.events,
            "flows": {
                r.flow: {
                    "framework": r.framework,
                    "events_per_s": {
                        "passthrough": round(r.passthrough.per_s),
                        "identity": round(r.identity.per_s),
                        "contract": round(r.contract.per_s),
                        "flow": round(r.flow_rate.per_s),
                    },
                    "ratio_to_passthrough": round(r.to_passthrough, 3),
                    "ratio_to_identity": round(r.to_identity, 3),
                    "ratio_to_contract": round(r.to_contract, 3),
                    "startup_s": round(r.flow_rate.startup_s, 1),
                }
                for r in result.flows
            },
            "word_stats_tokens_per_s": round(result.word_tokens_per_s),
        }
    if result.latencies:
        found["latency"] = {
            lat.name: {
                "audio_s": round(lat.audio_s, 1),
                "runs": lat.runs,
                "p50_ms": round(lat.p50_ms),
                "p99_ms": round(lat.p99_ms),
                "submit_p50_ms": round(lat.submit_p50_ms),
            }
            for lat in result.latencies
        }
    if result.crowd is not None:
        c = result.crowd
        found["crowd"] = {
            "answers": c.answers, "learners": c.learners, "over_s": c.over_s,
            "rejected": c.rejected, "p50_s": round(c.p50_s, 2), "p95_s": round(c.p95_s, 2),
            "max_s": round(c.max_s, 2), "total_s": round(c.total_s, 1),
            "scale_out": [
                {"workers": s.workers, "answers": s.answers, "drain_s": round(s.drain_s, 1),
                 "answers_per_minute": round(s.per_minute, 1)}
                for s in result.scale
            ],
        }  # fmt: skip
    return found


def table(result: BenchResult) -> str:
    lines: list[str] = []
    if result.flows:
        lines += [
            f"replay, events/s over {result.events:,} events per topic (first output to last)",
            f"{'flow':<9} {'framework':<9} {'passthrough':>12} {'identity':>10} {'contract':>9} "
            f"{'flow':>8} {'vs passthrough':>15} {'vs identity':>12} {'vs contract':>12}",
        ]
        lines += [
            f"{r.flow:<9} {r.framework:<9} {r.passthrough.per_s:>12,.0f} "
            f"{r.identity.per_s:>10,.0f} {r.contract.per_s:>9,.0f} {r.flow_rate.per_s:>8,.0f} "
            f"{r.to_passthrough:>15.3f} {r.to_identity:>12.3f} {r.to_contract:>12.3f}"
            for r in result.flows
        ]
        lines.append(f"lemma counting in-process: {result.word_tokens_per_s:,.0f} tokens/s")
    for lat in result.latencies:
        lines.append(
            f"latency, {lat.name} answer ({lat.audio_s:.1f} s of audio), submit to feedback over "
            f"{lat.runs} answers: p50 {lat.p50_ms:,.0f} ms, p99 {lat.p99_ms:,.0f} ms "
            f"(uploading and sending: p50 {lat.submit_p50_ms:,.0f} ms)"
        )
    if result.crowd is not None:
        c = result.crowd
        lines.append(
            f"crowd, {c.answers} answers from {c.learners} learners over {c.over_s:.0f} s: "
            f"feedback p50 {c.p50_s:.1f} s, p95 {c.p95_s:.1f} s, max {c.max_s:.1f} s; "
            f"all done in {c.total_s:.0f} s ({c.rejected} rejected)"
        )
        lines += [
            f"scale-out, transcription alone, {s.answers} converted answers at once: "
            f"{s.workers} worker(s) drained them in {s.drain_s:.1f} s "
            f"({s.per_minute:.0f} answers/min)"
            for s in result.scale
        ]
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    settings = StackSettings()
    parts = args.part or list(PARTS)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    launcher.up(settings, say)
    bench = Bench(settings, say)
    result = BenchResult()
    if "replay" in parts:
        flows, tokens = bench.replay_rates(args.events)
        result = BenchResult(args.events, flows, tokens)
    latencies = bench.latencies(args.latency_runs) if "latency" in parts else ()
    crowd_result: CrowdResult | None = None
    scale: tuple[ScaleResult, ...] = ()
    if "crowd" in parts:
        workers = tuple(int(w) for w in args.workers.split(","))
        crowd_result, scale = bench.crowd(
            answers=args.answers, learners=args.learners, over_s=args.over, workers=workers,
            burst_answers=args.burst,
        )  # fmt: skip
    result = BenchResult(
        result.events, result.flows, result.word_tokens_per_s, latencies, crowd_result, scale
    )
    print(json.dumps(figures(result)) if args.json else table(result))
    return 0
