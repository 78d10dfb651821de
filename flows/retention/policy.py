"""What happens to a learner's recordings, as their events arrive (pure).

- An answer's 16 kHz WAV (`wav/<user>/<answer>.wav`, written by conversion) is deleted once
  the answer is finished: graded (Feedback) or refused at any stage (Rejected). A learner
  who chose to keep their recordings (consent given with `keep_recordings`) has it moved to
  `kept/<user>/<answer>.wav` instead. The original upload is deleted by conversion itself.
- Withdrawing consent, or asking for erasure, deletes everything stored for the learner
  (`answers/`, `wav/` and `kept/` under their id); giving consent again without keeping
  recordings deletes the kept ones.
- What a crash leaves behind under `answers/` and `wav/` is removed by the expiry sweep
  (sweep.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from clients.objectstore import kept_key, learner_prefixes, wav_key
from schemas.events import Event, Feedback, Rejected, UserEvent


@dataclass(frozen=True)
class Recordings:
    """A learner's choice about their recordings."""

    keep: bool = False

    def to_json(self) -> str:
        return json.dumps({"keep": self.keep})

    @classmethod
    def from_json(cls, value: str) -> Recordings:
        return cls(keep=bool(json.loads(value)["keep"]))


@dataclass(frozen=True)
class Delete:
    key: str


@dataclass(frozen=True)
class DeletePrefix:
    prefix: str


@dataclass(frozen=True)
class Move:
    key: str
    to: str


Action = Delete | DeletePrefix | Move


def step(state: Recordings, event: Event) -> tuple[Recordings, list[Action]]:
    match event:
        case UserEvent(kind="consent_given"):
            keep = bool(event.keep_recordings)
            dropped = state.keep and not keep
            prefix = f"kept/{event.user_id}/"
            return Recordings(keep), [DeletePrefix(prefix)] if dropped else []
        case UserEvent(kind="consent_withdrawn" | "erasure_requested"):
            return Recordings(), [DeletePrefix(p) for p in learner_prefixes(event.user_id)]
        case UserEvent():
            return state, []
        case Feedback() | Rejected():
            wav = wav_key(event.user_id, event.answer_id)
            if state.keep:
                return state, [Move(wav, kept_key(event.user_id, event.answer_id))]
            return state, [Delete(wav)]
    raise TypeError(f"the retention flow does not read {type(event).__name__}")
