"""/stats: the learner's scores over time as a chart, captioned with the scoring window's
figures and the newest words they used; within the learner's allowance (`stats_per_minute`),
beyond it refused politely and recorded as RequestThrottled."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from bot.i18n import Texts
from bot.learners import Learner
from bot.quotas import OverLimit, Quota, wait_text, window_text
from bot.readmodels import ReadModels
from bot.replies import number
from bot.sink import EventSink
from reports.chart import Chart, ChartLabels, render_chart
from reports.history import LearnerReport, Vocabulary, Window
from schemas.events import RequestThrottled

# Telegram allows 1024 caption characters after entity parsing; the HTML measured here is
# longer than what Telegram counts, and the margin covers characters it counts twice (UTF-16).
CAPTION_LIMIT = 1000

# pyplot keeps global figure state and is not thread-safe: one chart at a time.
_RENDERING = threading.Lock()


def chart_labels(t: Texts) -> ChartLabels:
    return ChartLabels(
        title=t("stats.chart.title"),
        answer=t("stats.chart.answer"),
        score=t("stats.chart.score"),
        overall=t("stats.chart.overall"),
        # Left as a field: the chart fills in the window size.
        window=t("stats.chart.window", n="{n}"),
    )


def _window_lines(w: Window, t: Texts) -> list[str]:
    trend = number(w.trend, t, 2)
    lines = [
        t("stats.last_n", count=w.answers, overall=number(w.overall, t, 2)),
        t(
            "stats.dimensions",
            delivery=number(w.delivery, t, 2),
            language_use=number(w.language_use, t, 2),
            topic_development=number(w.topic_development, t, 2),
        ),
        t(
            "stats.last_7_days",
            overall=number(w.last_7_days_overall, t, 2),
            count=w.last_7_days_count,
        ),
        t("stats.trend", value=f"+{trend}" if w.trend > 0 else trend),
        t(
            "stats.strongest_weakest",
            strongest=t(f"stats.dimension.{w.strongest}"),
            weakest=t(f"stats.dimension.{w.weakest}"),
        ),
    ]
    if w.time_to_answer_median_s is not None:
        lines.append(t("stats.time_to_answer", value=number(w.time_to_answer_median_s, t)))
        lines.append(t("time_to_answer.explained"))
    return lines


def _with_words(lines: list[str], vocabulary: Vocabulary, t: Texts, limit: int) -> str:
    """The lines and as many of the newest words as the limit leaves room for."""
    words = list(vocabulary.newest)
    while words:
        text = "\n".join([*lines, t("stats.newest_words", words=", ".join(words))])
        if len(text) <= limit:
            return text
        words.pop()  # the oldest of the newest goes first
    return "\n".join(lines)


def caption(report: LearnerReport, t: Texts, limit: int = CAPTION_LIMIT) -> str:
    """The chart's caption (HTML): the window's figures, then the newest words."""
    lines = [t("stats.title", answers=len(report.points))]
    if report.window is not None:
        lines.extend(_window_lines(report.window, t))
    if report.vocabulary is None:
        return "\n".join(lines)
    lines.append(t("stats.vocabulary", total=report.vocabulary.unique_total))
    return _with_words(lines, report.vocabulary, t, limit)


def _render(report: LearnerReport, labels: ChartLabels) -> Chart:
    with _RENDERING:
        return render_chart(report, labels)


def throttled(
    over: OverLimit, *, event_id: str, user_id: str, chat_id: int, at: datetime
) -> RequestThrottled:
    return RequestThrottled(
        event_id=f"throttled-{event_id}",
        occurred_at=at,
        user_id=user_id,
        request="stats",
        limit=over.limit.count,
        window_s=over.limit.window,
        retry_after_s=round(over.retry_after_s, 3),
        chat_id=chat_id,
    )


async def stats(
    message: Message,
    *,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    read_models: ReadModels,
    sink: EventSink,
    stats_quota: Quota,
) -> None:
    over = stats_quota.take(learner.user_id, event_id)
    if over is not None:
        # Recorded before the reply, as every refusal: acknowledged only once the broker has it.
        await sink.emit(
            throttled(
                over, event_id=event_id, user_id=learner.user_id, chat_id=message.chat.id, at=now
            )
        )
        await message.answer(
            t(
                "limits.stats",
                limit=over.limit.count,
                window=window_text(over.limit.window, t),
                wait=wait_text(over.retry_after_s, t),
            )
        )
        return
    report = await read_models.report(learner.user_id)
    if not report.points:
        await message.answer(t("stats.empty"))
        return
    # Rendering takes a few hundred milliseconds of CPU: off the event loop.
    chart = await asyncio.to_thread(_render, report, chart_labels(t))
    await message.answer_photo(
        BufferedInputFile(chart.png, filename="stats.png"), caption=caption(report, t)
    )


def build() -> Router:
    router = Router(name="stats")
    router.message.register(stats, Command("stats"))
    return router
