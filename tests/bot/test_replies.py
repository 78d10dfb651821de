"""Feedback and rejections as the learner reads them, in their language, as safe HTML."""

# ruff: noqa: RUF001 - Russian expectations are written in Cyrillic on purpose

from __future__ import annotations

import re

from bot.i18n import Catalogs
from bot.replies import MESSAGE_LIMIT, format_feedback, format_rejected
from tests.bot.samples import feedback, rejected

CATALOGS = Catalogs.load()


def _plain(html_text: str) -> str:
    """Roughly what the learner sees: tags dropped, the entities we use decoded."""
    text = re.sub(r"</?[bi]>", "", html_text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_english_feedback_shows_transcript_figures_scores_advice_and_engines() -> None:
    text = _plain(format_feedback(feedback("tg-1", "u", 5), CATALOGS["en"]))
    for expected in [
        "I think that <teamwork> & planning matter most",
        "Duration: 42.2 s",  # 42.25 rounds half to even
        "Words: 96",
        "Words per minute: 136",
        "Pauses: 5 (mean 0.8 s)",
        "Long pauses: 2",
        "Fillers: 3",
        "Lexical diversity: 0.63",
        "Time to answer: 7.5 s",
        "Delivery: 3.0",
        "Language use: 2.5",
        "Topic development: 3.2",
        "Overall: 2.9",
        "• Pause less: 2 long pauses.",
        "• Use fewer fillers: 3 in 42 s.",
        "faster-whisper:tiny.en",
        "feedback local",
    ]:
        assert expected in text, expected
    assert "stood in" not in text


def test_russian_feedback_has_russian_labels_and_decimal_commas() -> None:
    text = _plain(format_feedback(feedback("tg-1", "u", 5, language="ru"), CATALOGS["ru"]))
    for expected in ["Расшифровка", "Длительность: 42,2 с", "Слов в минуту: 136", "Итог: 2,9"]:
        assert expected in text, expected
    assert "Transcript" not in text


def test_learner_text_cannot_inject_markup() -> None:
    sneaky = feedback(
        "tg-1",
        "u",
        5,
        transcript="<a href='x'>click</a>",
        recommendations=("<b>bold</b>",),
        fallback_reason="timeout <i>",
    )
    text = format_feedback(sneaky, CATALOGS["en"])
    assert "<a href" not in text
    assert "&lt;a href=&#x27;x&#x27;&gt;click&lt;/a&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "timeout &lt;i&gt;" in text
    # Only our own tags remain.
    assert set(re.findall(r"</?([a-z]+)", text)) <= {"b", "i"}


def test_unknown_time_to_answer_and_an_empty_transcript_are_said_so() -> None:
    event = feedback("tg-1", "u", 5, transcript="  ")
    event = event.model_copy(
        update={"metrics": event.metrics.model_copy(update={"time_to_answer_s": None})}
    )
    text = format_feedback(event, CATALOGS["en"])
    assert "Time to answer: unknown" in text
    assert "(nothing was recognised)" in text


def test_the_fallback_reason_is_shown() -> None:
    text = format_feedback(
        feedback("tg-1", "u", 5, fallback_reason="openai timeout"), CATALOGS["en"]
    )
    assert "The local engine stood in for the configured one: openai timeout" in text


def test_a_long_transcript_is_cut_to_fit_one_message_without_splitting_an_entity() -> None:
    long = "&" * 10_000  # each escapes to five characters
    text = format_feedback(feedback("tg-1", "u", 5, transcript=long), CATALOGS["en"])
    assert len(text) <= MESSAGE_LIMIT
    assert "&amp;…</i>" in text
    assert text.count("&amp;") > 500  # cut to fit, not dropped
    assert "Overall: <b>2.9</b>" in text  # the rest is intact
    assert re.sub(r"&amp;", "", text.split("<b>Transcript</b>")[1].split("</i>")[0]) == "\n<i>…"


def test_recommendations_that_cannot_fit_are_dropped_from_the_end() -> None:
    many = tuple(f"{i} " + "x" * 1900 for i in range(5))
    text = format_feedback(feedback("tg-1", "u", 5, recommendations=many), CATALOGS["en"])
    assert len(text) <= MESSAGE_LIMIT
    assert "• 0 " in text
    assert "• 4 " not in text


def test_known_rejection_codes_have_their_own_message() -> None:
    text = format_rejected(rejected("tg-1", "u", 5, "corrupt_audio"), CATALOGS["ru"])
    assert text.splitlines() == [
        "<b>Не удалось обработать ваш ответ</b>",
        "Запись не удалось декодировать: файл, похоже, повреждён."
        " Пожалуйста, запишите ответ ещё раз.",
    ]  # the code's text says what to do next; the English detail is not needed


def test_an_unknown_rejection_code_gets_the_generic_message_with_the_detail() -> None:
    text = format_rejected(rejected("tg-1", "u", 5, "cosmic_rays"), CATALOGS["en"])
    assert "conversion stage (cosmic_rays)" in text
    assert "The audio was refused &lt;cosmic_rays&gt;." in text
    assert text.endswith("Please record your answer again.")
