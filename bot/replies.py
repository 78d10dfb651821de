"""The learner-facing text of a Feedback or Rejected event, in the learner's language (HTML)."""

from __future__ import annotations

import html

from bot.i18n import Texts
from schemas.events import ErasureCompleted, Feedback, Rejected

# Telegram's limit is 4096 characters after entity parsing; the HTML we measure is longer
# than what Telegram counts, and the margin covers characters it counts twice (UTF-16).
MESSAGE_LIMIT = 4000


def number(value: float, texts: Texts, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if texts.language == "ru" else text


def _figures(feedback: Feedback, t: Texts) -> list[str]:
    m = feedback.metrics
    time_to_answer = (
        t("feedback.time_to_answer_unknown")
        if m.time_to_answer_s is None
        else t("feedback.time_to_answer", value=number(m.time_to_answer_s, t))
    )
    return [
        t("feedback.figures"),
        t("feedback.duration", value=number(m.duration_s, t)),
        t("feedback.words", value=m.words),
        t("feedback.words_per_minute", value=number(m.words_per_minute, t, 0)),
        t("feedback.pauses", count=m.pause_count, mean=number(m.mean_pause_s, t)),
        t("feedback.long_pauses", count=m.long_pause_count),
        t("feedback.fillers", count=m.filler_count),
        t("feedback.lexical_diversity", value=number(m.type_token_ratio, t, 2)),
        time_to_answer,
    ]


def _scores(feedback: Feedback, t: Texts) -> list[str]:
    s = feedback.scores
    return [
        t("feedback.scores"),
        t("feedback.delivery", score=number(s.delivery, t)),
        t("feedback.language_use", score=number(s.language_use, t)),
        t("feedback.topic_development", score=number(s.topic_development, t)),
        t("feedback.overall", score=number(s.overall, t)),
    ]


def _transcript(text: str, t: Texts, budget: int) -> str:
    """The transcript, escaped and cut to `budget` characters of HTML."""
    if not text.strip():
        return t("feedback.nothing_heard")
    if len(html.escape(text)) <= budget:
        return f"<i>{html.escape(text)}</i>"
    # Cut the raw text, not the HTML, so no entity is split: the longest prefix whose escape
    # fits (escaping never shortens text, so at most `room` raw characters can).
    ellipsis = t("feedback.truncated")
    room = budget - len(ellipsis)
    low, high = 0, max(0, min(len(text), room))
    while low < high:
        middle = (low + high + 1) // 2
        if len(html.escape(text[:middle])) <= room:
            low = middle
        else:
            high = middle - 1
    return f"<i>{html.escape(text[:low])}{ellipsis}</i>"


def format_feedback(feedback: Feedback, t: Texts, limit: int = MESSAGE_LIMIT) -> str:
    engines = [t("feedback.engines", stt=feedback.engines.stt, grader=feedback.engines.feedback)]
    if feedback.fallback_reason is not None:
        engines.append(t("feedback.fallback", reason=feedback.fallback_reason))
    advice = [t("feedback.recommendation", text=r) for r in feedback.recommendations]
    before = [t("feedback.title"), "", t("feedback.transcript")]
    after = ["", *_figures(feedback, t), "", *_scores(feedback, t)]
    tail = ["", *engines]

    def assemble(transcript: str, recommendations: list[str]) -> str:
        section = ["", t("feedback.recommendations"), *recommendations] if recommendations else []
        return "\n".join([*before, transcript, *after, *section, *tail])

    # Recommendations that cannot fit even beside an empty transcript are dropped from the end.
    while advice and len(assemble("", advice)) > limit:
        advice.pop()
    budget = limit - len(assemble("", advice)) - len("<i></i>")
    return assemble(_transcript(feedback.transcript, t, budget), advice)


def format_rejected(rejected: Rejected, t: Texts) -> str:
    """The code's own text says why and what to do next; an unknown code (a newer flow than
    this bot) gets the generic text with the stage's English message."""
    code_key = f"rejected.codes.{rejected.code}"
    if t.has(code_key):
        return "\n".join([t("rejected.title"), t(code_key)])
    generic = t(
        "rejected.generic", stage=rejected.stage, code=rejected.code, detail=rejected.message
    )
    return "\n".join([t("rejected.title"), generic, t("rejected.retry")])


def format_erasure(report: ErasureCompleted, t: Texts) -> str:
    """Done, or not within the deadline: then the stores still holding something are named
    (an operator finishes it, docs/privacy.md)."""
    if report.complete:
        return t("forget.done")
    left = ", ".join(s.store for s in report.stores if not s.clean)
    return t("forget.incomplete", stores=left)
