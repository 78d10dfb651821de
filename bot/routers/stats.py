"""/stats: the learner's scores over time as a chart, captioned with the scoring window's
figures and the newest words they used."""

from __future__ import annotations

import asyncio
import threading

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from bot.i18n import Texts
from bot.learners import Learner
from bot.readmodels import ReadModels
from bot.replies import number
from reports.chart import Chart, ChartLabels, render_chart
from reports.history import LearnerReport, Vocabulary, Window

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


async def stats(message: Message, learner: Learner, t: Texts, read_models: ReadModels) -> None:
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
