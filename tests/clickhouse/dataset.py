"""A small learner history touching every analytics table and every research query: three
learners over three days, both graders (with fallbacks), questions inside and outside the
bank, repeated lemmas, and one regenerated Feedback that must replace the first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from flows.analytics.queries import Param
from flows.analytics.rows import Row, event_rows, question_row
from questionbank.model import Question
from schemas.events import (
    AnswerSubmitted,
    Engines,
    Event,
    Feedback,
    LemmaCount,
    Metrics,
    Progress,
    QuestionAsked,
    Rejected,
    RubricScores,
    WindowScores,
    WordStats,
)

T0 = datetime(2026, 3, 2, 8, 15, 30, 250_000, tzinfo=UTC)
OPENAI = "openai:gpt-4o-mini"

QUESTIONS = (
    Question(question_id="work-001", category="workplace", text="Describe your desk.",
             answer_time_s=45, preparation_s=15),
    Question(question_id="work-002", category="workplace", text="How do you plan a day?",
             answer_time_s=60, preparation_s=15),
    Question(question_id="job-001", category="job_interview", text="Why this job?",
             answer_time_s=60, preparation_s=0),
    Question(question_id="ind-001", category="independent", text="City or village?",
             answer_time_s=45, preparation_s=15, active=False),
)  # fmt: skip


class Answer(NamedTuple):
    user: str
    answer: str
    question: str  # '' for free practice
    hours: float  # after T0
    overall: float
    time_to_answer_s: float | None
    grader: str
    fallback: str | None
    lemmas: dict[str, int]


ANSWERS = tuple(Answer(*fields) for fields in (
    ("u1", "a01", "work-001", 0.0, 1.7, 12.4, "local", None,
     {"desk": 2, "be": 3, "small": 1}),
    ("u1", "a02", "work-002", 1.5, 2.2, 4.25, OPENAI, None,
     {"plan": 2, "be": 1, "day": 2, "morning": 1}),
    ("u1", "a03", "job-001", 25.0, 2.9, 31.0, "local", "no_credits",
     {"job": 3, "be": 2, "team": 1, "plan": 1}),
    ("u1", "a04", "", 26.25, 3.1, None, "local", None,
     {"music": 2, "be": 1, "weekend": 1}),
    ("u1", "a05", "work-001", 49.0, 3.35, 7.75, OPENAI, None,
     {"desk": 1, "window": 1, "light": 2}),
    ("u2", "b01", "work-001", 2.0, 1.2, 55.5, "local", None,
     {"desk": 1, "be": 2}),
    ("u2", "b02", "ind-001", 3.0, 1.45, 18.0, "local", "timeout",
     {"city": 2, "village": 1, "be": 1}),
    ("u2", "b03", "job-001", 27.5, 2.05, 9.5, OPENAI, None,
     {"job": 1, "salary": 1, "be": 1}),
    ("u3", "c01", "gone-404", 4.0, 2.6, 21.0, "local", None,
     {"garden": 2, "be": 1}),
    ("u3", "c02", "job-001", 50.0, 3.8, 2.5, OPENAI, None,
     {"job": 2, "career": 1, "growth": 1}),
))  # fmt: skip

# A replay through a changed grader: same answer, later event, different score.
REGRADED = ("u2", "b01", 1.95)


def _scores(overall: float) -> RubricScores:
    return RubricScores(
        delivery=min(4.0, overall + 0.3),
        language_use=overall,
        topic_development=max(0.0, overall - 0.4),
        overall=overall,
    )


def _feedback(a: Answer, at: datetime) -> Feedback:
    words = 60 + len(a.answer) * 7
    return Feedback(
        event_id=f"feedback-{a.answer}",
        occurred_at=at + timedelta(seconds=9),
        user_id=a.user,
        answer_id=a.answer,
        question_id=a.question or None,
        transcript="...",
        metrics=Metrics(
            duration_s=words / 2.1,
            words=words,
            words_per_minute=126.0 + a.overall * 7,
            pause_count=3,
            mean_pause_s=0.6,
            long_pause_count=1,
            filler_count=2,
            type_token_ratio=0.55,
            time_to_answer_s=a.time_to_answer_s,
            relevance=0.4,
        ),
        scores=_scores(a.overall),
        recommendations=("Keep going.",),
        engines=Engines(stt="faster-whisper:tiny.en", feedback=a.grader),
        answered_at=at,
        fallback_reason=a.fallback,
    )


def events() -> list[Event]:
    """Every distinct event of the history, in the order the flows would emit them."""
    history: list[Event] = []
    for a in ANSWERS:
        history.extend(_answer_events(a))
    for user, code, stage in (
        ("u1", "duration_mismatch", "conversion"),
        ("u2", "duration_mismatch", "conversion"),
        ("u3", "too_large", "intake"),
    ):
        history.append(
            Rejected(
                event_id=f"rejected-{user}",
                occurred_at=T0,
                user_id=user,
                answer_id=f"{user}-refused",
                stage=stage,
                code=code,
                message="Refused.",
            )
        )
    user, answer, overall = REGRADED
    [first] = [e for e in history if isinstance(e, Feedback) and e.answer_id == answer]
    later = first.occurred_at + timedelta(hours=1)
    history.append(first.model_copy(update={"occurred_at": later, "scores": _scores(overall)}))
    return history


def _answer_events(a: Answer) -> list[Event]:
    at = T0 + timedelta(hours=a.hours)
    found: list[Event] = []
    if a.question:
        asked = at - timedelta(seconds=a.time_to_answer_s or 30)
        found.append(
            QuestionAsked(
                event_id=f"ask-{a.answer}",
                occurred_at=asked,
                user_id=a.user,
                question_id=a.question,
                category=a.question.split("-")[0],
                chat_id=100 + int(a.user[1:]),
                asked_at=asked,
                repetition=a.answer == "a05",
            )
        )
    found.append(
        AnswerSubmitted(
            event_id=a.answer,
            occurred_at=at,
            user_id=a.user,
            answer_id=a.answer,
            question_id=a.question or None,
            audio_bucket="voice",
            audio_key=f"raw/{a.answer}.ogg",
            mime_type="audio/ogg",
            declared_duration_s=30.5 if a.user != "u3" else None,
            size_bytes=40_000 + int(a.hours * 100),
            answered_at=at,
            source="cli",
        )
    )
    found.append(_feedback(a, at))
    found.append(
        WordStats(
            event_id=f"words-{a.answer}",
            occurred_at=at + timedelta(seconds=5),
            user_id=a.user,
            answer_id=a.answer,
            lemma_counts=tuple(LemmaCount(lemma=k, count=v) for k, v in a.lemmas.items()),
            new_lemmas=(),
            unique_total=0,
            top_lemmas=(),
        )
    )
    if a.user != "u3":  # u3's scoring never ran: days without progress
        scores = _scores(a.overall)
        found.append(
            Progress(
                event_id=f"progress-{a.answer}",
                occurred_at=at + timedelta(seconds=10),
                user_id=a.user,
                answer_id=a.answer,
                window_size=5,
                answers_in_window=1,
                last_n=scores,
                last_7_days=WindowScores(**scores.model_dump(), count=1),
                trend=round(a.overall - 2, 2),
                strongest="delivery",
                weakest="topic_development",
                time_to_answer_median_s=a.time_to_answer_s,
            )
        )
    return found


def question_rows() -> list[Row]:
    # The bank's change records are 1 ms apart, in the order Debezium captured them.
    return [question_row(q, 1_772_000_000_000 + i) for i, q in enumerate(QUESTIONS)]


def rows() -> list[Row]:
    return question_rows() + [row for event in events() for row in event_rows(event)]


def latest_feedback() -> list[Feedback]:
    """One Feedback per answer: the newest, as FINAL keeps it."""
    newest: dict[str, Feedback] = {}
    for event in events():
        if isinstance(event, Feedback):
            kept = newest.get(event.answer_id)
            if kept is None or kept.occurred_at <= event.occurred_at:
                newest[event.answer_id] = event
    return list(newest.values())


def expected_counts() -> dict[str, int]:
    """Rows each table holds once duplicates collapse, counted from the history itself."""
    return {
        "answers": len(ANSWERS),
        "submissions": len(ANSWERS),
        "questions_asked": sum(1 for a in ANSWERS if a.question),
        "word_counts": sum(len(a.lemmas) for a in ANSWERS),
        "progress": sum(1 for a in ANSWERS if a.user != "u3"),
        "rejections": 3,
        "questions": len(QUESTIONS),
    }


# Every research query with parameters that find rows in this history.
QUERY_CASES: list[tuple[str, Mapping[str, Param]]] = [
    *(("progress_over_time", {"user_id": user}) for user in ("u1", "u2", "u3")),
    *(("vocabulary_growth", {"user_id": user}) for user in ("u1", "u2", "u3")),
    ("time_to_answer_quantiles", {}),
    ("time_to_answer_histogram", {"bucket_s": 10}),
    ("time_to_answer_histogram", {"bucket_s": 25}),
    ("difficulty_per_question", {}),
    ("difficulty_per_category", {}),
    ("engine_comparison", {}),
    ("lemma_frequencies", {"limit": 5}),
    ("lemma_frequencies", {"limit": 1000}),
    ("rejections_by_code", {}),
]
