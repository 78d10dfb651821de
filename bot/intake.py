"""Voice notes refused at intake: the codes, what the learner is told, the Rejected event.

The bot tells the learner itself, in the handler, the moment it refuses a note: only there
are the limit that applied and the time to try again known, and the reply follows the note
at once. The Rejected (stage "intake") it emits first records the refusal for the flows and
analytics; the reply consumer sends nothing for intake rejections, so the learner hears of
each refusal once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal, get_args

from bot.i18n import Texts
from schemas.events import Rejected

IntakeCode = Literal["no_consent", "too_large", "too_long", "download_failed", "rate_limited"]
INTAKE_CODES: tuple[IntakeCode, ...] = get_args(IntakeCode)

# The line after the code's text that says which limit applied, in the Texts' language.
Detail = Callable[[Texts], str]


def refusal_text(code: IntakeCode, t: Texts, detail: Detail | None = None) -> str:
    """The code's text (the same the reply consumer sends for later stages), then the detail."""
    lines = [t(f"rejected.codes.{code}")]
    if detail is not None:
        lines.append(detail(t))
    return "\n".join(lines)


def intake_rejection(
    code: IntakeCode, *, answer_id: str, user_id: str, chat_id: int, at: datetime, message: str
) -> Rejected:
    """The refusal as an event: ids derive from the update, like an accepted answer's."""
    return Rejected(
        event_id=f"rejected-{answer_id}",
        occurred_at=at,
        user_id=user_id,
        answer_id=answer_id,
        stage="intake",
        code=code,
        message=message,
        chat_id=chat_id,
    )
