"""The OpenAI client factory and the failure reasons, against the local fake API."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from pydantic import SecretStr, ValidationError

from clients.openai import OpenAINotConfigured, OpenAISettings, failure_reason, openai_client
from tests.fakes.openai_api import CHAT_COMPLETIONS, FakeOpenAI, chat_reply, server_error

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def test_defaults_name_the_models_with_word_timestamps_and_structured_output() -> None:
    settings = OpenAISettings()
    assert settings.api_key is None
    assert settings.transcription_model == "whisper-1"
    assert settings.feedback_model == "gpt-4o-mini"


def test_without_a_key_there_is_no_client() -> None:
    with pytest.raises(OpenAINotConfigured):
        openai_client(OpenAISettings())


@pytest.mark.parametrize("field", [{"timeout_s": 0}, {"max_retries": -1}])
def test_settings_refuse_unbounded_values(field: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        OpenAISettings.model_validate(field)


def test_client_uses_the_settings_key_url_timeout_and_retries(fake: FakeOpenAI) -> None:
    settings = OpenAISettings(
        api_key=SecretStr("sk-test-factory"), base_url=fake.base_url, timeout_s=0.7, max_retries=1
    )
    client = openai_client(settings)
    fake.script(CHAT_COMPLETIONS, server_error(), server_error())

    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])

    first, retry = fake.requests(CHAT_COMPLETIONS)
    assert first.headers["authorization"] == "Bearer sk-test-factory"
    assert first.headers["x-stainless-read-timeout"] == "0.7"
    assert retry.headers["x-stainless-retry-count"] == "1"
    assert failure_reason(caught.value) == "openai_error_500"


def test_repr_of_settings_hides_the_key() -> None:
    settings = OpenAISettings(api_key=SecretStr("sk-very-secret"))
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" not in settings.model_dump_json()


def test_success_needs_no_reason(fake: FakeOpenAI) -> None:
    client = openai_client(OpenAISettings(api_key=SecretStr("k"), base_url=fake.base_url))
    fake.script(CHAT_COMPLETIONS, chat_reply("hello"))

    completion = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )

    assert completion.choices[0].message.content == "hello"
