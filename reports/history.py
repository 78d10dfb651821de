"""A learner's progress as the read models hold it: the answers' scores over time with the
scoring flow's window average, the newest window, and the vocabulary figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg


@dataclass(frozen=True)
class ScorePoint:
    answer_id: str
    answered_at: datetime
    overall: float | None
    window_overall: float | None
    delivery: float | None
    language_use: float | None
    topic_development: float | None


@dataclass(frozen=True)
class Window:
    size: int
    answers: int
    delivery: float
    language_use: float
    topic_development: float
    overall: float
    last_7_days_overall: float
    last_7_days_count: int
    trend: float
    strongest: str
    weakest: str
    time_to_answer_median_s: float | None


@dataclass(frozen=True)
class Vocabulary:
    unique_total: int
    newest: tuple[str, ...]
    top: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class LearnerReport:
    user_id: str
    points: tuple[ScorePoint, ...]  # oldest first
    window: Window | None
    vocabulary: Vocabulary | None


def _vocabulary(row: tuple[Any, ...] | None) -> Vocabulary | None:
    if row is None:
        return None
    unique_total, top, newest = row
    pairs = [entry.rsplit(":", 1) for entry in top.split(",") if entry]
    return Vocabulary(
        unique_total=unique_total,
        newest=tuple(word for word in newest.split(",") if word),
        top=tuple((lemma, int(count)) for lemma, count in pairs),
    )


def load_report(conn: psycopg.Connection[tuple[Any, ...]], user_id: str) -> LearnerReport:
    points = conn.execute(
        "SELECT answer_id, answered_at, overall, window_overall, delivery, language_use,"
        " topic_development FROM rm_scores WHERE user_id = %s ORDER BY answered_at, answer_id",
        (user_id,),
    ).fetchall()
    window = conn.execute(
        "SELECT window_size, answers_in_window, last_n_delivery, last_n_language_use,"
        " last_n_topic_development, last_n_overall, last_7_days_overall, last_7_days_count,"
        " trend, strongest, weakest, time_to_answer_median_s FROM rm_progress WHERE user_id = %s",
        (user_id,),
    ).fetchone()
    vocabulary = conn.execute(
        "SELECT unique_total, top_lemmas, newest FROM rm_vocabulary WHERE user_id = %s",
        (user_id,),
    ).fetchone()
    return LearnerReport(
        user_id=user_id,
        points=tuple(ScorePoint(*row) for row in points),
        window=Window(*window) if window else None,
        vocabulary=_vocabulary(vocabulary),
    )
