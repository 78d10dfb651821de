"""/stats: a chart of the learner's scores sent as a photo, captioned with their progress.

The stack tests run the real bot in webhook mode against the fake Bot API, with read-model
rows written to the test's Postgres database as the JDBC sink writes them.
"""

# ruff: noqa: RUF001 - Russian expectations are written in Cyrillic on purpose

from __future__ import annotations

import io
import itertools
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import fmean
from typing import get_args

import matplotlib.image
import psycopg
import pytest

from bot.i18n import LANGUAGES, Catalogs
from bot.routers.stats import caption, chart_labels
from bot.settings import BotSettings
from reports.chart import render_chart
from reports.history import LearnerReport, ScorePoint, Vocabulary, Window, load_report
from schemas.events import RequestThrottled
from schemas.events.progress import Dimension
from tests.bot import telegram_updates as updates
from tests.bot.harness import execute, post_update, read_topic, run, serving
from tests.bot.questions import MemoryCatalog
from tests.fakes.telegram_api import Call, FakeTelegram

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WINDOW_SIZE = 5
NO_QUESTIONS = MemoryCatalog([])
CATALOGS = Catalogs.load()


@dataclass(frozen=True)
class Answer:
    delivery: float
    language_use: float
    topic_development: float

    @property
    def overall(self) -> float:
        return round(fmean([self.delivery, self.language_use, self.topic_development]), 3)


ANSWERS = [
    Answer(1.5, 2.0, 1.0),
    Answer(2.0, 2.5, 1.5),
    Answer(2.5, 2.5, 2.0),
    Answer(2.0, 3.0, 2.5),
    Answer(3.0, 3.0, 2.5),
    Answer(3.5, 3.0, 3.0),
    Answer(3.5, 3.5, 2.5),
]
NEWEST_WORDS = ("harbour", "itinerary", "museum")


def _learner() -> int:
    return 10**8 + secrets.randbelow(9 * 10**8)


def _update_ids() -> itertools.count[int]:
    return itertools.count(1 + secrets.randbelow(10**9))


def _window_means() -> list[float]:
    """The window average at each answer, as the scoring flow publishes it."""
    return [
        round(fmean(a.overall for a in ANSWERS[max(0, i + 1 - WINDOW_SIZE) : i + 1]), 3)
        for i in range(len(ANSWERS))
    ]


def _mean(dimension: Dimension, answers: list[Answer]) -> float:
    return round(fmean(getattr(a, dimension) for a in answers), 3)


def _insert_history(dsn: str, user: int, language: str) -> float:
    """A learner's graded answers, their window and vocabulary; returns the window mean."""
    user_id = str(user)
    execute(
        dsn,
        "INSERT INTO rm_learners (user_id, chat_id, language, consent, updated_at)"
        " VALUES (%s, %s, %s, true, now() - interval '1 hour')",
        (user_id, user, language),
    )
    start = datetime.now(UTC) - timedelta(days=len(ANSWERS))
    for index, (answer, window) in enumerate(zip(ANSWERS, _window_means(), strict=True)):
        execute(
            dsn,
            "INSERT INTO rm_scores (user_id, answer_id, answered_at, delivery, language_use,"
            " topic_development, overall, window_overall) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                user_id,
                f"tg-{user}-{index}",
                start + timedelta(days=index),
                answer.delivery,
                answer.language_use,
                answer.topic_development,
                answer.overall,
                window,
            ),
        )
    last_n = ANSWERS[-WINDOW_SIZE:]
    dimensions: tuple[Dimension, ...] = get_args(Dimension)
    means = {d: _mean(d, last_n) for d in dimensions}
    overall = _window_means()[-1]
    execute(
        dsn,
        "INSERT INTO rm_progress VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
        " %s, now())",
        (
            user_id,
            f"tg-{user}-{len(ANSWERS) - 1}",
            WINDOW_SIZE,
            len(last_n),
            means["delivery"],
            means["language_use"],
            means["topic_development"],
            overall,
            round(fmean(a.overall for a in ANSWERS[-6:]), 3),
            6,
            0.35,
            max(dimensions, key=means.__getitem__),
            min(dimensions, key=means.__getitem__),
            14.5,
        ),
    )
    execute(
        dsn,
        "INSERT INTO rm_vocabulary VALUES (%s, 57, 'city:5,job:3', %s, now())",
        (user_id, ",".join(NEWEST_WORDS)),
    )
    return overall


def _report(dsn: str, user: int) -> LearnerReport:
    with psycopg.connect(dsn, connect_timeout=10) as connection:
        return load_report(connection, str(user))


async def _ask_stats(settings: BotSettings, telegram: FakeTelegram, user: int) -> Call:
    async with serving(settings, NO_QUESTIONS, wait_for_replies=False):
        update = updates.command(next(_update_ids()), user, "/stats")
        assert await post_update(settings, update) == 200
        [photo] = await telegram.wait_for("sendPhoto", chat_id=user, timeout_s=20)
        return photo


@pytest.mark.stack
def test_stats_sends_one_chart_of_the_learners_answers_with_their_window_and_words(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    window_mean = _insert_history(readmodels_dsn, user, "en")

    sent = run(_ask_stats(settings, telegram, user))

    assert len(telegram.calls("sendPhoto")) == 1
    assert telegram.sent_texts(user) == []
    png = sent.upload("photo")
    assert png.startswith(PNG_SIGNATURE)
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[0] > 100
    assert pixels.shape[1] > 100

    report = _report(readmodels_dsn, user)
    chart = render_chart(report, chart_labels(CATALOGS["en"]))
    assert png == chart.png  # the chart sent is the chart of these rows
    numbers = list(range(1, len(ANSWERS) + 1))
    assert chart.overall == tuple(zip(numbers, [a.overall for a in ANSWERS], strict=True))
    assert chart.window == tuple(zip(numbers, _window_means(), strict=True))

    text = sent.params["caption"]
    assert sent.params["parse_mode"] == "HTML"
    assert f"<b>{window_mean:.2f}</b>" in text
    assert "harbour, itinerary, museum" in text
    assert "Trend: +0.35 per answer" in text
    assert "Median time to answer: 14.5 s" in text
    assert "graded answers: 7" in text


@pytest.mark.stack
def test_a_russian_learner_gets_a_russian_caption_and_chart(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    window_mean = _insert_history(readmodels_dsn, user, "ru")

    sent = run(_ask_stats(settings, telegram, user))

    text = sent.params["caption"]
    assert f"<b>{window_mean:.2f}</b>".replace(".", ",") in text
    assert "Новые слова: <i>harbour, itinerary, museum</i>" in text
    assert "Тренд: +0,35 за ответ" in text
    report = _report(readmodels_dsn, user)
    png = sent.upload("photo")
    assert png == render_chart(report, chart_labels(CATALOGS["ru"])).png
    assert png != render_chart(report, chart_labels(CATALOGS["en"])).png


@pytest.mark.stack
def test_a_learner_without_graded_answers_gets_a_friendly_message_and_no_chart(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    execute(
        readmodels_dsn,
        "INSERT INTO rm_vocabulary VALUES (%s, 3, 'city:1', 'city', now())",
        (str(user),),
    )

    async def scenario() -> None:
        async with serving(settings, NO_QUESTIONS, wait_for_replies=False):
            update = updates.command(next(_update_ids()), user, "/stats")
            # The webhook answers once the handler has finished: nothing else is coming.
            assert await post_update(settings, update) == 200
            await telegram.wait_for("sendMessage", chat_id=user, timeout_s=20)

    run(scenario())
    [text] = telegram.sent_texts(user)
    assert "no graded answers yet" in text
    assert "/question" in text
    assert telegram.calls("sendPhoto") == []


@pytest.mark.stack
def test_stats_beyond_the_learners_allowance_is_refused_with_when_to_ask_again(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _insert_history(readmodels_dsn, user, "ru")
    once_a_minute = settings.model_copy(update={"stats_per_minute": 1})
    ids = _update_ids()
    first, second = next(ids), next(ids)

    async def scenario() -> None:
        async with serving(once_a_minute, NO_QUESTIONS, wait_for_replies=False):
            for update_id in (first, second):
                update = updates.command(update_id, user, "/stats")
                assert await post_update(once_a_minute, update) == 200

    run(scenario())
    assert len(telegram.calls("sendPhoto")) == 1  # the second chart was never rendered
    [text] = telegram.sent_texts(user)
    wait = re.fullmatch(
        r"Графиков прогресса за минуту: не больше 1\. Пожалуйста, запросите снова через (.+)\.",
        text,
    )
    assert wait is not None, text
    # Just under a minute after the first request: rounded up, that may read "1 мин".
    assert wait[1] in {*(f"{n} с" for n in range(1, 60)), "1 мин"}, wait[1]
    [event] = read_topic(settings.kafka, settings.topic_namespace, RequestThrottled)
    assert (event.event_id, event.user_id, event.chat_id, event.request) == (
        f"throttled-tg-{second}",
        str(user),
        user,
        "stats",
    )
    assert (event.limit, event.window_s) == (1, 60)
    assert 0 < event.retry_after_s <= 60


def _report_with(words: tuple[str, ...], time_to_answer_s: float | None = None) -> LearnerReport:
    at = datetime(2026, 4, 1, tzinfo=UTC)
    return LearnerReport(
        user_id="u1",
        points=(ScorePoint("a1", at, 2.5, 2.5, 2.0, 3.0, 2.5),),
        window=Window(
            5, 1, 2.0, 3.0, 2.5, 2.5, 2.5, 1, 0.0, "language_use", "delivery", time_to_answer_s
        ),
        vocabulary=Vocabulary(unique_total=len(words), newest=words, top=()),
    )


def test_the_caption_keeps_the_newest_words_that_fit_and_escapes_them() -> None:
    t = CATALOGS["en"]
    words = tuple(f"<w{index:02d}>" + "x" * 40 for index in range(20))
    full = caption(_report_with(words), t, limit=100_000)
    limited = caption(_report_with(words), t, limit=len(full) // 2)
    assert len(limited) <= len(full) // 2
    assert "&lt;w00&gt;" in limited  # the newest word stays, escaped
    assert "<w00>" not in limited
    assert "&lt;w19&gt;" in full
    assert "&lt;w19&gt;" not in limited  # the oldest of them went first
    assert "Median time to answer" not in full  # unknown: left out
    assert "Trend: 0.00 per answer" in full
    assert "Strongest: language use; weakest: delivery" in full


def test_a_known_median_time_to_answer_is_shown_with_what_it_measures() -> None:
    english = caption(_report_with(("city",), 8.4), CATALOGS["en"])
    assert "Median time to answer: 8.4 s" in english
    assert "from the moment the question reached you to the moment you started speaking" in (
        english
    )
    russian = caption(_report_with(("city",), 8.4), CATALOGS["ru"])
    assert "Медианное время до начала ответа: 8,4 с" in russian
    assert "до момента, когда вы начали говорить" in russian
    unknown = caption(_report_with(("city",)), CATALOGS["en"])
    assert "Time to answer" not in unknown  # no median, no explanation


def test_every_dimension_and_chart_label_has_a_text_in_every_language() -> None:
    for language in LANGUAGES:
        t = CATALOGS[language]
        for dimension in get_args(Dimension):
            assert t.has(f"stats.dimension.{dimension}"), (language, dimension)
        labels = chart_labels(t)
        assert "7" in labels.window.format(n=7)  # the field is left for the chart
