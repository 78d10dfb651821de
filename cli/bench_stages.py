"""Where a replayed flow's time goes: each stage of the scoring and words flows timed in
process over the bench's own events, in microseconds per event (no broker, no framework).

    python -m cli.bench_stages [--events 20000] [--json]

The replay bench (`speech-coach bench --part replay`) measures the flows end to end; this
splits their per-event Python cost into reading (opening the sealed value, validating the
JSON into the event), the step, and writing (serializing and sealing each output).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from cli.bench import make_feedback, make_transcript
from flows.common.heap import settle_heap
from flows.common.logic import Logic
from flows.scoring.step import logic as scoring_logic
from flows.words.step import LOGIC as WORDS_LOGIC
from schemas.events import Event, Feedback, Transcript
from schemas.sealing import LearnerKey, new_key
from schemas.serde import deserialize, serialize

WINDOW = 5


def _per_event_us(run: Callable[[], Any], events: int) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) / events * 1e6


def stages(
    event_cls: type[Event], events: Sequence[Event], logic: Logic[Any, Any]
) -> dict[str, float]:
    """Microseconds per input event of each stage of one flow over `events`."""
    key = LearnerKey(new_key())  # one key for all: the per-learner lookup is not timed
    sealed = [key.seal(serialize(e), e.user_id, e.EVENT_TYPE) for e in events]
    count = len(events)
    opened: list[bytes] = []
    read: list[Event] = []
    outputs: list[Event] = []
    states: dict[str, Any] = {}

    def step() -> None:
        for event in read:
            states[event.user_id], emitted = logic.fold(states.get(event.user_id), event)
            outputs.extend(emitted)

    return {
        "open": _per_event_us(
            lambda: opened.extend(
                key.unseal(v, e.user_id, e.EVENT_TYPE) for v, e in zip(sealed, events, strict=True)
            ),
            count,
        ),
        "validate": _per_event_us(
            lambda: read.extend(deserialize(event_cls, value) for value in opened), count
        ),
        "step": _per_event_us(step, count),
        "write": _per_event_us(
            lambda: [key.seal(serialize(o), o.user_id, o.EVENT_TYPE) for o in outputs], count
        ),
    }


def measure(events: int) -> dict[str, dict[str, float]]:
    rng = random.Random(2026)  # noqa: S311 - benchmark data, not secrets
    feedback = [make_feedback(rng, i) for i in range(events)]
    transcripts = [make_transcript(rng, i) for i in range(events)]
    # As a flow does before its first event; the inputs held here, which no flow holds,
    # would otherwise be walked by every collection and counted against the stages.
    settle_heap()
    return {
        "scoring": stages(Feedback, feedback, scoring_logic(WINDOW)),
        "words": stages(Transcript, transcripts, WORDS_LOGIC),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.bench_stages")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    found = measure(args.events)
    if args.json:
        print(json.dumps({f: {s: round(us, 1) for s, us in t.items()} for f, t in found.items()}))
        return 0
    print(f"µs per event over {args.events:,} bench events, in process")
    print(f"{'flow':8} {'open':>7} {'validate':>9} {'step':>7} {'write':>7} {'total':>7}")
    for flow, timed in found.items():
        cells = " ".join(
            f"{us:>{w}.1f}" for us, w in zip(timed.values(), (7, 9, 7, 7), strict=True)
        )
        print(f"{flow:8} {cells} {sum(timed.values()):>7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
