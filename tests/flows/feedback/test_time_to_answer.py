"""Time to answer: from the question's Telegram date to the start of speech, which is the
voice message's Telegram date minus the decoded recording's length plus its leading silence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.feedback.join import speech_started_at, time_to_answer
from schemas.events import AnswerSubmitted, AudioConverted, Event, QuestionAsked, Transcript
from tests.flows.feedback.joining import joined

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
USER = "7"
QUESTION = "independent-004"


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _asked(seconds: float, question_id: str = QUESTION) -> QuestionAsked:
    return QuestionAsked(
        event_id=f"tg-ask-{seconds}", occurred_at=_at(seconds), user_id=USER,
        question_id=question_id, category="independent", chat_id=7, asked_at=_at(seconds),
        repetition=False,
    )  # fmt: skip


def _answer(
    sent_s: float,
    *,
    duration_s: float,
    leading_silence_s: float | None,
    declared_s: int | None = None,
    question_id: str | None = QUESTION,
) -> list[Event]:
    """The three parts of an answer whose voice message Telegram dated `sent_s`."""
    at = _at(sent_s)
    return [
        AnswerSubmitted(
            event_id="tg-9", occurred_at=at, user_id=USER, answer_id="tg-9",
            question_id=question_id, chat_id=7, audio_bucket="voice",
            audio_key=f"answers/{USER}/tg-9.ogg", mime_type="audio/ogg",
            declared_duration_s=round(duration_s) if declared_s is None else declared_s,
            size_bytes=1000, answered_at=at, update_id=9, source="telegram",
        ),
        AudioConverted(
            event_id="converted-tg-9", occurred_at=at, user_id=USER, answer_id="tg-9",
            wav_bucket="voice", wav_key="wav/tg-9.wav", duration_s=duration_s,
            sample_rate=16000, pauses=(), speech_duration_s=duration_s / 2,
            leading_silence_s=leading_silence_s,
        ),
        Transcript(
            event_id="transcript-tg-9", occurred_at=at, user_id=USER, answer_id="tg-9",
            text="I would rather live in a small town", language="en", engine="test",
            words=(), duration_s=duration_s,
        ),
    ]  # fmt: skip


def test_a_voice_note_with_leading_silence_is_timed_to_the_start_of_speech() -> None:
    # Sent 45 s after the question, 12.4 s long, silent for its first 3.1 s: the learner
    # started recording 32.6 s after the question and speaking 3.1 s later.
    ready = joined([_asked(0), *_answer(45, duration_s=12.4, leading_silence_s=3.1)])
    assert ready.time_to_answer_s == pytest.approx(35.7)


def test_the_decoded_duration_counts_not_the_declared_whole_seconds() -> None:
    [submitted, audio, _] = _answer(30, duration_s=9.6, leading_silence_s=0.25, declared_s=9)
    assert isinstance(submitted, AnswerSubmitted)
    assert isinstance(audio, AudioConverted)
    assert speech_started_at(submitted, audio) == _at(30 - 9.6 + 0.25)


def test_without_a_measured_leading_silence_it_is_unknown() -> None:
    ready = joined([_asked(0), *_answer(45, duration_s=12.4, leading_silence_s=None)])
    assert ready.time_to_answer_s is None


def test_free_practice_and_a_question_never_asked_are_unknown() -> None:
    free = _answer(45, duration_s=10, leading_silence_s=1, question_id=None)
    assert joined([_asked(0), *free]).time_to_answer_s is None
    other = _answer(45, duration_s=10, leading_silence_s=1)
    assert joined([_asked(0, "independent-005"), *other]).time_to_answer_s is None


def test_speech_within_a_second_before_the_question_is_an_immediate_start() -> None:
    # Speech "began" 0.6 s before the question's date: both dates are whole seconds,
    # truncated, so this is an immediate answer, not a negative time.
    ready = joined([_asked(10), *_answer(19.4, duration_s=10.0, leading_silence_s=0.0)])
    assert ready.time_to_answer_s == 0.0


def test_speech_starting_a_second_or_more_before_a_delivery_answers_an_earlier_one() -> None:
    # Asked at 0 and again at 60; speech began at 58.5, before the second delivery arrived.
    events = [_asked(0), _asked(60), *_answer(70, duration_s=12.0, leading_silence_s=0.5)]
    assert joined(events).time_to_answer_s == pytest.approx(58.5)
    # With no earlier delivery the answer did not answer this question's delivery: unknown.
    alone = [_asked(60), *_answer(70, duration_s=12.0, leading_silence_s=0.5)]
    assert joined(alone).time_to_answer_s is None


def test_a_later_delivery_does_not_count_and_a_late_answer_keeps_its_whole_wait() -> None:
    # Asked yesterday, re-asked (a repetition) after the answer was sent.
    day = 24 * 3600
    events = [
        _asked(-day),
        *_answer(20, duration_s=15.0, leading_silence_s=1.0),
        _asked(25),
    ]
    assert joined(events).time_to_answer_s == pytest.approx(day + 6.0)


@given(
    asks=st.lists(st.floats(-600, 600), max_size=5),
    started=st.floats(-600, 600),
)
def test_it_is_never_negative_and_known_exactly_when_a_delivery_came_before(
    asks: list[float], started: float
) -> None:
    seconds = time_to_answer([_at(a) for a in asks], _at(started))
    earlier = [a for a in asks if _at(a) < _at(started) + timedelta(seconds=1)]
    if not earlier:
        assert seconds is None
    else:
        assert seconds is not None
        assert seconds >= 0
        assert seconds == pytest.approx(max(0.0, started - max(earlier)), abs=1e-3)
