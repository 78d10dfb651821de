"""The bot's settings come from the environment at the edge."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import BotSettings


def test_the_token_is_read_from_botfathers_variable_and_the_rest_from_ours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:from-env")
    monkeypatch.setenv("SPEECH_COACH_KAFKA__BOOTSTRAP_SERVERS", "broker:9092")
    monkeypatch.setenv("SPEECH_COACH_MAX_ANSWER_S", "120")
    monkeypatch.setenv("SPEECH_COACH_TOPIC_NAMESPACE", "staging.")
    monkeypatch.setenv("SPEECH_COACH_VOICE_PER_MINUTE", "2")
    settings = BotSettings()
    assert settings.telegram_bot_token.get_secret_value() == "42:from-env"
    assert "42:from-env" not in repr(settings)
    assert settings.kafka.bootstrap_servers == "broker:9092"
    assert settings.max_answer_s == 120
    assert settings.topic_namespace == "staging."
    assert (settings.voice_per_minute, settings.voice_per_hour, settings.stats_per_minute) == (
        2,
        40,
        3,
    )
    assert settings.telegram_api_base is None  # Telegram's own server
    assert settings.webhook_secret is None


def test_without_a_token_the_bot_does_not_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="TELEGRAM_BOT_TOKEN"):
        BotSettings()
