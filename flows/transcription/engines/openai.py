"""OpenAI recogniser: the transcriptions endpoint with word timestamps.

whisper-1 returns word timings only with `response_format="verbose_json"` and
`timestamp_granularities=["word"]`. The reply is validated here again (the client does not
check it) and every failure becomes `EngineUnavailable` with a short reason, so the flow
can fall back to the local recogniser.
"""

from __future__ import annotations

from pathlib import Path

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clients.openai import INVALID_RESPONSE, failure_reason
from flows.transcription.engines.base import EngineUnavailable, RecognizedSpeech
from schemas.events.transcript import Word

# whisper-1 reports the detected language by name; Transcript wants an ISO 639 code.
WHISPER_LANGUAGE_CODES = {
    "english": "en",
    "chinese": "zh",
    "german": "de",
    "spanish": "es",
    "russian": "ru",
    "korean": "ko",
    "french": "fr",
    "japanese": "ja",
    "portuguese": "pt",
    "turkish": "tr",
    "polish": "pl",
    "catalan": "ca",
    "dutch": "nl",
    "arabic": "ar",
    "swedish": "sv",
    "italian": "it",
    "indonesian": "id",
    "hindi": "hi",
    "finnish": "fi",
    "vietnamese": "vi",
    "hebrew": "he",
    "ukrainian": "uk",
    "greek": "el",
    "malay": "ms",
    "czech": "cs",
    "romanian": "ro",
    "danish": "da",
    "hungarian": "hu",
    "tamil": "ta",
    "norwegian": "no",
    "thai": "th",
    "urdu": "ur",
    "croatian": "hr",
    "bulgarian": "bg",
    "lithuanian": "lt",
    "latin": "la",
    "maori": "mi",
    "malayalam": "ml",
    "welsh": "cy",
    "slovak": "sk",
    "telugu": "te",
    "persian": "fa",
    "latvian": "lv",
    "bengali": "bn",
    "serbian": "sr",
    "azerbaijani": "az",
    "slovenian": "sl",
    "kannada": "kn",
    "estonian": "et",
    "macedonian": "mk",
    "breton": "br",
    "basque": "eu",
    "icelandic": "is",
    "armenian": "hy",
    "nepali": "ne",
    "mongolian": "mn",
    "bosnian": "bs",
    "kazakh": "kk",
    "albanian": "sq",
    "swahili": "sw",
    "galician": "gl",
    "marathi": "mr",
    "punjabi": "pa",
    "sinhala": "si",
    "khmer": "km",
    "shona": "sn",
    "yoruba": "yo",
    "somali": "so",
    "afrikaans": "af",
    "occitan": "oc",
    "georgian": "ka",
    "belarusian": "be",
    "tajik": "tg",
    "sindhi": "sd",
    "gujarati": "gu",
    "amharic": "am",
    "yiddish": "yi",
    "lao": "lo",
    "uzbek": "uz",
    "faroese": "fo",
    "haitian creole": "ht",
    "pashto": "ps",
    "turkmen": "tk",
    "nynorsk": "nn",
    "maltese": "mt",
    "sanskrit": "sa",
    "luxembourgish": "lb",
    "myanmar": "my",
    "tibetan": "bo",
    "tagalog": "tl",
    "malagasy": "mg",
    "assamese": "as",
    "tatar": "tt",
    "hawaiian": "haw",
    "lingala": "ln",
    "hausa": "ha",
    "bashkir": "ba",
    "javanese": "jw",
    "sundanese": "su",
    "cantonese": "yue",
}
# ISO 639-2 "undetermined", for a language name this table does not know.
UNDETERMINED = "und"


class _ReplyWord(BaseModel):
    model_config = ConfigDict(frozen=True)

    word: str
    start: float = Field(ge=0, allow_inf_nan=False)
    end: float = Field(ge=0, allow_inf_nan=False)


class _Reply(BaseModel):
    """The part of a verbose_json transcription this engine uses."""

    model_config = ConfigDict(frozen=True)

    text: str
    language: str
    duration: float = Field(ge=0, allow_inf_nan=False)
    words: list[_ReplyWord]


def language_code(reported: str) -> str:
    """ISO 639 code for whisper-1's language name (or code, as other models report it)."""
    name = reported.strip().lower()
    if name in WHISPER_LANGUAGE_CODES.values():
        return name
    return WHISPER_LANGUAGE_CODES.get(name, UNDETERMINED)


def _words(reply: _Reply) -> tuple[Word, ...]:
    words: list[Word] = []
    for word in reply.words:
        spelled = word.word.strip()
        if spelled:
            # Timestamps can overshoot the audio by a frame; keep them inside it and ordered.
            start = min(word.start, reply.duration)
            end = min(max(word.end, start), reply.duration)
            words.append(Word(word=spelled, start_s=start, end_s=end))
    return tuple(words)


class OpenAIRecognizer:
    """`SpeechRecognizer` calling OpenAI; `client` comes from `clients.openai.openai_client`."""

    def __init__(self, client: openai.OpenAI, model: str) -> None:
        self._client = client
        self._model = model
        self.name = f"openai:{model}"

    def transcribe(self, wav: Path) -> RecognizedSpeech:
        try:
            audio = wav.read_bytes()
        except OSError as exc:
            raise EngineUnavailable("wav_unreadable") from exc
        try:
            raw = self._client.audio.transcriptions.with_raw_response.create(
                file=(wav.name, audio, "audio/wav"),
                model=self._model,
                response_format="verbose_json",
                timestamp_granularities=["word"],
            )
            reply = _Reply.model_validate_json(raw.http_response.content)
            words = _words(reply)
        except openai.OpenAIError as exc:
            raise EngineUnavailable(failure_reason(exc)) from exc
        except ValidationError as exc:
            raise EngineUnavailable(INVALID_RESPONSE) from exc
        return RecognizedSpeech(
            text=reply.text.strip(),
            words=words,
            language=language_code(reply.language),
            duration_s=reply.duration,
        )
