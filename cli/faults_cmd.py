"""`speech-coach faults [--answers N] [--json]`: kill each flow, the broker and Kafka Connect
while answers are in flight, on a stack of its own, and count what every topic and store
holds per answer (cli/faults.py says how). Exits 1 when an answer is lost or a store does
not hold exactly one logical row per answer."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cli.faults import FaultPlan, FaultRunError, FaultsResult, run
from cli.faults_count import Tally
from stack import launcher
from stack.services import all_services
from stack.settings import REPO_ROOT, Ports, StackSettings


def register(parser: argparse.ArgumentParser) -> None:
    faults = parser
    defaults = FaultPlan()
    faults.add_argument("--answers", type=int, default=defaults.answers, help="answers to submit")
    faults.add_argument("--learners", type=int, default=defaults.learners, help="learners")
    faults.add_argument(
        "--every", type=float, default=defaults.every_s, help="seconds between two answers"
    )
    faults.add_argument(
        "--pause", type=float, default=defaults.pause_s,
        help="seconds between a component being back and the next kill",
    )  # fmt: skip
    faults.add_argument(
        "--settle", type=float, default=defaults.settle_s,
        help="at most this long for the counts to become right after the last answer",
    )  # fmt: skip
    faults.add_argument(
        "--kill", action="append", metavar="COMPONENT",
        help="kill only these (flow-NAME, kafka, connect; default: all, in pipeline order)",
    )  # fmt: skip
    faults.add_argument(
        "--stack-home", type=Path, default=REPO_ROOT / ".stack-faults",
        help="the fault stack's own home (default .stack-faults)",
    )  # fmt: skip
    faults.add_argument(
        "--port-offset", type=int, default=500,
        help="its ports: the stack's (SPEECH_COACH_STACK_PORTS__*) plus this (default 500)",
    )  # fmt: skip
    faults.add_argument(
        "--keep-stack", action="store_true", help="leave the fault stack running afterwards"
    )
    faults.add_argument("--json", action="store_true", help="print the result as JSON")
    faults.set_defaults(run=_run)


def fault_stack(base: StackSettings, home: Path, port_offset: int) -> StackSettings:
    """The configured stack moved to a home and ports of its own: its processes are killed."""
    ports = Ports(**{name: port + port_offset for name, port in base.ports.model_dump().items()})
    return base.model_copy(update={"home": home.expanduser().resolve(), "ports": ports})


def figures(result: FaultsResult) -> dict[str, Any]:
    answers = result.assessment.answers
    return {
        "ok": result.ok,
        "problems": list(result.problems),
        "answers": asdict(answers),
        "latency_s": {"p50": round(result.latency_p50_s, 1), "max": round(result.latency_max_s, 1)},
        "submitting_s": round(result.submitting_s, 1),
        "killing_s": round(result.killing_s, 1),
        "settling_s": round(result.settling_s, 1),
        "kills": [
            {**asdict(kill), **{k: _round(v) for k, v in asdict(kill).items() if k.endswith("_s")}}
            for kill in result.kills
        ],
        "topics": [asdict(t) for t in result.assessment.topics],
        "stores": [asdict(t) for t in result.assessment.stores],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rows(tallies: tuple[Tally, ...], surplus: str) -> list[str]:
    lines = [
        f"  {'':<32} {'per':<23} {'expected':>8} {'exact':>6} {'missing':>8} {'dup':>4} "
        f"{'extra':>6} {surplus:>10}"
    ]
    lines += [
        f"  {t.place:<32} {t.unit:<23} {t.expected:>8} {t.exact:>6} {t.missing:>8} "
        f"{t.duplicated:>4} {t.extra:>6} {t.surplus:>10}"
        for t in tallies
    ]
    return lines


def table(result: FaultsResult) -> str:
    a = result.assessment.answers
    lines = [
        f"answers: {a.planned} submitted, {a.accepted} accepted by the broker, {a.refused} "
        f"given up by practice, {a.on_topic} on the topic; {a.graded} graded, "
        f"{a.rejected} rejected; lost {len(a.lost)}, both graded and rejected "
        f"{len(a.conflicting)}",
        f"outcome after acceptance: p50 {result.latency_p50_s:.1f} s, max "
        f"{result.latency_max_s:.1f} s; submitting took {result.submitting_s:.0f} s, the kills "
        f"{result.killing_s:.0f} s, settling afterwards {result.settling_s:.0f} s",
        "kills (SIGKILL to the process group; back: RUNNING again under supervisord; ready: "
        "health probe passes, Connect's connectors RUNNING, consumer group rebalanced):",
    ]
    for k in result.kills:
        back = f"{k.back_s:5.1f} s" if k.back_s is not None else "  never"
        ready = f"{k.ready_s:5.1f} s" if k.ready_s is not None else "  never"
        lines.append(
            f"  t+{k.at_s:6.1f}s  {k.component:<20} after {k.after:<22} ungraded "
            f"{k.ungraded:>3}  back {back}  ready {ready}"
        )
    lines.append("topics, per answer (dup records: redelivered, allowed; consumers dedupe):")
    lines += _rows(result.assessment.topics, "dup recs")
    lines.append("stores, logical rows (ClickHouse: FINAL; unmerged: rows awaiting a merge):")
    lines += _rows(result.assessment.stores, "unmerged")
    lines.append("PASS" if result.ok else "FAIL: " + "; ".join(result.problems))
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    if args.answers < 1 or args.learners < 1:
        print("faults: --answers and --learners must be at least 1", file=sys.stderr)
        return 2
    settings = fault_stack(StackSettings(), args.stack_home, args.port_offset)
    plan = FaultPlan(
        answers=args.answers, learners=args.learners, every_s=args.every, pause_s=args.pause,
        settle_s=args.settle, components=tuple(args.kill or ()),
    )  # fmt: skip

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    say(f"fault stack at {settings.home} (kafka {settings.bootstrap_servers})")
    try:
        launcher.up(settings, say, [s.name for s in all_services(settings)])
        result = run(settings, plan, say)
    except (launcher.StackError, FaultRunError) as exc:
        say(f"faults: {exc}")
        return 2
    finally:
        if not args.keep_stack:
            launcher.down(settings, say)
    print(json.dumps(figures(result)) if args.json else table(result))
    return 0 if result.ok else 1
