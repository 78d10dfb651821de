from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from schemas.events import (
    AnswerSubmitted,
    AudioConverted,
    Event,
    Metrics,
    Pause,
    Progress,
    UserEvent,
    Word,
)
from schemas.registry import EVENT_TYPES, load_schema
from tests.schemas.samples import AT, SAMPLES


def fields(event_type: str, **changes: Any) -> dict[str, Any]:
    return SAMPLES[event_type].model_dump() | changes


def refused_at(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[int | str, ...]:
    return exc.value.errors()[0]["loc"]


def test_every_event_module_is_registered() -> None:
    defined = {cls for cls in Event.__subclasses__() if cls.__module__.startswith("schemas.")}

    assert set(EVENT_TYPES.values()) == defined
    assert set(SAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_cls", EVENT_TYPES.values(), ids=list(EVENT_TYPES))
def test_version_literal_matches_class_version(event_cls: type[Event]) -> None:
    field = event_cls.model_fields["schema_version"]

    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", event_cls.EVENT_TYPE)
    assert get_args(field.annotation) == (event_cls.SCHEMA_VERSION,)
    assert field.default == event_cls.SCHEMA_VERSION


def test_naive_datetime_is_refused() -> None:
    for name in ("occurred_at", "answered_at"):
        with pytest.raises(ValidationError) as caught:
            AnswerSubmitted(**fields("answer_submitted", **{name: datetime(2025, 3, 14, 9, 26)}))
        assert refused_at(caught) == (name,)


def test_offsets_are_normalised_to_utc() -> None:
    moscow = timezone(timedelta(hours=3))
    event = AnswerSubmitted(
        **fields("answer_submitted", occurred_at=AT.astimezone(moscow), answered_at=AT)
    )

    assert event.occurred_at == AT
    assert event.occurred_at.tzinfo is UTC
    assert event.model_dump(mode="json")["occurred_at"] == "2025-03-14T09:26:53.589793Z"


def test_events_are_immutable() -> None:
    event = SAMPLES["audio_converted"]
    assert isinstance(event, AudioConverted)

    with pytest.raises(ValidationError):
        event.duration_s = 1.0  # type: ignore[misc]
    assert isinstance(event.pauses, tuple)


def test_unknown_keyword_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        UserEvent(**fields("user_event", nickname="x"))

    assert refused_at(caught) == ("nickname",)


def test_nan_is_refused() -> None:
    values = SAMPLES["feedback"].model_dump()["metrics"] | {"words_per_minute": float("nan")}

    with pytest.raises(ValidationError) as caught:
        Metrics(**values)

    assert refused_at(caught) == ("words_per_minute",)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: AnswerSubmitted(**fields("answer_submitted", update_id=None)),
            "needs update_id",
        ),
        (
            lambda: AnswerSubmitted(**fields("answer_submitted", source="cli")),
            "a cli answer has no update_id",
        ),
        (lambda: UserEvent(**fields("user_event", language=None)), "needs a language"),
        (lambda: Pause(start_s=2.0, end_s=1.0), "end_s must not precede"),
        (lambda: Word(word="a", start_s=2.0, end_s=1.0), "end_s must not precede"),
        (
            lambda: Progress(**fields("progress", window_size=2, answers_in_window=3)),
            "exceeds window_size",
        ),
    ],
    ids=["telegram-no-update", "cli-update", "language-set", "pause", "word", "window"],
)
def test_cross_field_rules(build: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build()


def test_cli_answer_needs_no_telegram_ids() -> None:
    event = AnswerSubmitted(
        **fields("answer_submitted", source="cli", update_id=None, chat_id=None)
    )

    assert event.update_id is None


def test_load_schema_hands_out_copies() -> None:
    load_schema("feedback", 1)["properties"].clear()

    assert "metrics" in load_schema("feedback", 1)["properties"]
