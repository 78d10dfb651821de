"""Refusals at intake: the learner's text in their language, and the Rejected that records it."""

# ruff: noqa: RUF001 - Russian expectations are written in Cyrillic on purpose

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import LANGUAGES, Catalogs
from bot.intake import INTAKE_CODES, Detail, IntakeCode, intake_rejection, refusal_text
from bot.quotas import Limit, OverLimit, Window
from bot.routers.answers import limit_detail, quota_detail
from bot.voice_limits import VoiceRefused
from schemas.events.base import Language
from schemas.serde import deserialize, serialize

CATALOGS = Catalogs.load()
AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_a_refusal_says_why_then_which_limit_applied() -> None:
    en, ru = CATALOGS["en"], CATALOGS["ru"]
    too_large = limit_detail(VoiceRefused("too_large", 20.0))
    assert refusal_text("too_large", en, too_large).splitlines() == [
        "The recording is too large for me to process. Please record a shorter answer and send"
        " it again.",
        "The limit is 20 MB.",
    ]
    assert refusal_text("too_long", ru, limit_detail(VoiceRefused("too_long", 300.0))).endswith(
        "Предел — 300 с."
    )


def test_a_rate_limited_note_is_told_the_limit_and_when_to_send_it_again() -> None:
    over = quota_detail(OverLimit(Limit(4, Window.MINUTE), 34.2))
    english = refusal_text("rate_limited", CATALOGS["en"], over)
    assert english.endswith(
        "Voice messages per minute: at most 4. You can send this one again in 35 s."
    )
    russian = refusal_text("rate_limited", CATALOGS["ru"], over)
    assert russian.endswith(
        "Голосовых сообщений за минуту: не больше 4."
        " Это сообщение можно отправить снова через 35 с."
    )
    hourly = quota_detail(OverLimit(Limit(40, Window.HOUR), 1500.0))
    assert "per hour: at most 40" in refusal_text("rate_limited", CATALOGS["en"], hourly)
    assert "через 25 мин" in refusal_text("rate_limited", CATALOGS["ru"], hourly)


DETAILS: dict[IntakeCode, Detail] = {
    "too_large": limit_detail(VoiceRefused("too_large", 20.0)),
    "too_long": limit_detail(VoiceRefused("too_long", 300.0)),
    "rate_limited": quota_detail(OverLimit(Limit(4, Window.MINUTE), 10.0)),
}
NEXT_STEP: dict[Language, tuple[str, ...]] = {
    "en": ("Please", "Send /consent", "You can send this one again"),
    "ru": ("Пожалуйста", "Отправьте /consent", "можно отправить снова"),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", INTAKE_CODES)
def test_every_intake_refusal_says_what_to_do_next(code: IntakeCode, language: Language) -> None:
    text = refusal_text(code, CATALOGS[language], DETAILS.get(code))
    assert any(step in text for step in NEXT_STEP[language]), text


def test_the_rejection_derives_its_ids_from_the_update_and_names_the_chat() -> None:
    event = intake_rejection(
        "no_consent",
        answer_id="tg-42",
        user_id="7",
        chat_id=7,
        at=AT,
        message=refusal_text("no_consent", CATALOGS["en"]),
    )
    assert (event.event_id, event.answer_id, event.stage, event.code) == (
        "rejected-tg-42",
        "tg-42",
        "intake",
        "no_consent",
    )
    assert event.chat_id == 7
    assert "/consent" in event.message
    assert deserialize(type(event), serialize(event)) == event
