"""Hand-built answers with known word timings, so expected figures follow from the script."""

from __future__ import annotations

from collections.abc import Mapping

from flows.feedback.engines.base import GradingInput, QuestionInfo
from schemas.events.audio_converted import Pause
from schemas.events.base import Language
from schemas.events.transcript import Word

CITY_QUESTION = QuestionInfo(
    question_id="q-city",
    text="Some people prefer to live in a big city, while others prefer a small town. "
    "Which do you prefer? Use specific reasons and examples to support your answer.",
    category="independent",
    answer_time_s=45.0,
    preparation_s=15.0,
)

CITY_ANSWER = (
    "I would definitely prefer to live in a big city, for two main reasons. First, cities "
    "offer far more career opportunities. In my field, software engineering, most companies "
    "are based in large cities, so living there means I can change jobs without relocating "
    "my whole family. Second, a big city has a much richer cultural life. On any weekend I "
    "can visit a museum, see an independent film, or try a cuisine I have never tasted "
    "before. Of course, small towns are quieter and cheaper, but for me the energy and "
    "variety of a city outweigh those advantages."
)

PIZZA_ANSWER = (
    "My favourite food is pizza. I eat pizza every Friday with my brother. We usually order "
    "it from an Italian restaurant near our school. The cheese is very hot and the crust is "
    "thin and crispy. Sometimes we also order pasta or a salad, but pizza is always the best "
    "part of the week, and my brother agrees with me about that. We have done this for many "
    "years now and it has become a real family tradition."
)

# Share of a word's slot spent on the word; the rest is a gap below the 0.25 s pause floor.
WORD_SHARE = 0.8


def timed_answer(
    text: str,
    *,
    wpm: float = 140.0,
    lead_s: float = 0.5,
    tail_s: float = 0.5,
    pauses_after: Mapping[int, float] | None = None,
    question: QuestionInfo | None = CITY_QUESTION,
    language: Language = "en",
    leading_silence_known: bool = True,
) -> GradingInput:
    """The text spoken at `wpm`, with a silence of `pauses_after[i]` s after word i.

    Leading and trailing silences are recorded as pauses at the audio's edges, as
    conversion reports them; `leading_silence_known` also sets `leading_silence_s`.
    """
    slot = 60.0 / wpm
    gaps = pauses_after or {}
    words: list[Word] = []
    pauses: list[Pause] = [Pause(start_s=0.0, end_s=lead_s)] if lead_s else []
    t = lead_s
    tokens = text.split()
    for i, token in enumerate(tokens):
        words.append(Word(word=token, start_s=t, end_s=t + slot * WORD_SHARE))
        t += slot * WORD_SHARE
        if i in gaps and i < len(tokens) - 1:  # silence after the last word is the tail
            pauses.append(Pause(start_s=t, end_s=t + gaps[i]))
            t += gaps[i]
        else:
            t += slot * (1 - WORD_SHARE)
    end = words[-1].end_s if words else t
    if tail_s:
        pauses.append(Pause(start_s=end, end_s=end + tail_s))
    duration = end + tail_s
    return GradingInput(
        text=text,
        words=tuple(words),
        duration_s=duration,
        pauses=tuple(pauses),
        speech_duration_s=duration - sum(p.end_s - p.start_s for p in pauses),
        leading_silence_s=lead_s if leading_silence_known else None,
        question=question,
        language=language,
    )


def repeat_to(text: str, words: int) -> str:
    """The text repeated and cut to exactly `words` words."""
    tokens = text.split()
    return " ".join((tokens * (words // len(tokens) + 1))[:words])
