"""Scoring flow: per-learner progress (last-N and 7-day windows, trend) after every answer.

`windows.absorb` is the pure core; `dataflow.py` wires it to the topics.
"""

from flows.scoring.windows import ScoredAnswer, ScoringState, absorb, event_time

__all__ = ["ScoredAnswer", "ScoringState", "absorb", "event_time"]
