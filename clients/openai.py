"""OpenAI connection settings, the client factory, and the failure reasons engines report.

The engines that call OpenAI (transcription, feedback) fall back to local engines when it
cannot answer; `failure_reason` names why in a short, machine-friendly string that ends up
in `Feedback.fallback_reason` and in logs.
"""

from __future__ import annotations

import openai
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

# Reasons of failures found in a reply rather than raised by the client.
INVALID_RESPONSE = "openai_invalid_response"
REFUSED = "openai_refused"


class OpenAISettings(BaseModel):
    """Nested in a service's settings as `openai` (`SPEECH_COACH_OPENAI__API_KEY`, ...).

    Without an API key the OpenAI engines are not configured and the local ones run.
    """

    model_config = ConfigDict(frozen=True)

    api_key: SecretStr | None = None

    @field_validator("api_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Compose passes `${OPENAI_API_KEY:-}`: an empty key means "not configured".
        return None if value == "" else value

    base_url: str = "https://api.openai.com/v1"
    # whisper-1 is the model that returns word timestamps (verbose_json + word granularity).
    transcription_model: str = Field(default="whisper-1", min_length=1)
    feedback_model: str = Field(default="gpt-4o-mini", min_length=1)
    # Bounds each phase (connect, write, every read) of each attempt, not a whole call.
    timeout_s: float = Field(default=60.0, gt=0)
    # The client retries timeouts, 408/409/429 and 5xx itself, honouring Retry-After.
    max_retries: int = Field(default=2, ge=0, le=10)


class OpenAINotConfigured(ValueError):
    """No API key: the caller should use a local engine instead."""


def openai_client(settings: OpenAISettings) -> openai.OpenAI:
    """A client with the settings' explicit timeout and retry budget."""
    if settings.api_key is None:
        raise OpenAINotConfigured("OpenAI API key is not set")
    return openai.OpenAI(
        api_key=settings.api_key.get_secret_value(),
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        max_retries=settings.max_retries,
    )


def failure_reason(error: openai.OpenAIError) -> str:
    """'openai_timeout', 'openai_rate_limited', 'openai_error_<status>', ... for an error
    the client raised once its retries were spent."""
    # Order matters: a timeout is a connection error, a rate limit a status error.
    if isinstance(error, openai.APITimeoutError):
        return "openai_timeout"
    if isinstance(error, openai.APIConnectionError):
        return "openai_unreachable"
    if isinstance(error, openai.RateLimitError):
        return "openai_rate_limited"
    if isinstance(error, openai.APIStatusError):
        return f"openai_error_{error.status_code}"
    return "openai_error"
