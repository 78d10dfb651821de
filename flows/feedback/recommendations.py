# ruff: noqa: RUF001 - Russian text is Cyrillic and uses en dashes for ranges, by design.
"""Advice in English or Russian that quotes the learner's own figures.

Every feature scoring below `WEAK_BELOW` is a weakness, and so are grammar errors at all
(the learner's words and their correction are quoted); weaknesses are ranked by the
overall points the learner would gain by fixing them (`Scoring.gain`), and at most
`MAX_WEAKNESSES` are given, followed by the strongest feature as encouragement, so the
learner always gets 2 to 5 items. An answer too short to judge (fewer than
`MIN_WORDS` words) gets advice to speak more instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flows.feedback.metrics import Features
from flows.feedback.rubric import (
    CRITERIA,
    DEFAULT_ANSWER_TIME_S,
    FULL_SHARE,
    Feature,
    Scoring,
    expected_words,
)
from schemas.events.base import Language

WEAK_BELOW = 3.5
MAX_WEAKNESSES = 4
MIN_WORDS = 10
SHOWN_EXAMPLES = 3


def recommend(features: Features, scoring: Scoring, language: Language) -> tuple[str, ...]:
    """Two to five recommendations, most valuable first."""
    text = _Text(features, language)
    if features.words < MIN_WORDS:
        return (text.too_little(), text.full_answer())
    known = [c.feature for c in CRITERIA if scoring.features[c.feature] is not None]
    weak = sorted(
        # A grammar error is worth quoting back even when it barely costs a point.
        (
            f
            for f in known
            if _score(scoring, f) < WEAK_BELOW or (f is Feature.GRAMMAR and features.grammar_errors)
        ),
        key=lambda f: -scoring.gain(f),  # sorted() is stable: ties keep the rubric's order
    )
    # Length and word count say the same thing in two units: advise on one.
    if Feature.LENGTH in weak and Feature.WORD_COUNT in weak:
        weak.remove(Feature.WORD_COUNT)
    strong = sorted(
        (f for f in _STRENGTHS if f in known and _score(scoring, f) >= WEAK_BELOW),
        key=lambda f: -_score(scoring, f),
    )
    chosen = weak[:MAX_WEAKNESSES]
    advice = [_WEAKNESSES[f](text) for f in chosen]
    praise = [_STRENGTHS[f](text) for f in strong[: max(1, 2 - len(advice))]]
    return tuple(advice + praise)


def _score(scoring: Scoring, feature: Feature) -> float:
    value = scoring.features[feature]
    return 0.0 if value is None else value


def _en_plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _ru_plural(count: int, one: str, few: str, many: str) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


@dataclass(frozen=True, slots=True)
class _Text:
    """The learner's figures, formatted for one language, and the messages citing them."""

    f: Features
    language: Language

    def num(self, value: float, decimals: int = 1) -> str:
        """A number as the language writes it (Russian uses a decimal comma)."""
        text = f"{value:.{decimals}f}"
        return text.replace(".", ",") if self.language == "ru" else text

    def pick(self, en: str, ru: str) -> str:
        return ru if self.language == "ru" else en

    def quoted(self, items: tuple[str, ...]) -> str:
        left, right = ("«", "»") if self.language == "ru" else ('"', '"')
        return ", ".join(f"{left}{item}{right}" for item in items[:SHOWN_EXAMPLES])

    @property
    def answer_time(self) -> str:
        return self.num(self.task_time_s, 0)

    @property
    def task_time_s(self) -> float:
        return self.f.answer_time_s or DEFAULT_ANSWER_TIME_S

    # --- too short to judge ---------------------------------------------------------

    def too_little(self) -> str:
        words, duration = self.f.words, self.num(self.f.duration_s)
        if not words:
            return self.pick(
                f"We heard no words in {duration} s of recording. Speak for most of the "
                f"{self.answer_time} s: give your opinion, one reason and one example.",
                f"Мы не услышали ни одного слова за {duration} с записи. Говорите почти все "
                f"{self.answer_time} с: выскажите мнение, приведите причину и пример.",
            )
        return self.pick(
            f"We heard only {words} {_en_plural(words, 'word', 'words')} in {duration} s of "
            "recording. Speak for most of "
            f"the {self.answer_time} s: give your opinion, one reason and one example.",
            f"Мы услышали только {words} {_ru_plural(words, 'слово', 'слова', 'слов')} "
            f"за {duration} с записи. Говорите почти все {self.answer_time} с: "
            "выскажите мнение, приведите причину и пример.",
        )

    def full_answer(self) -> str:
        expected = self.num(expected_words(self.f), 0)
        return self.pick(
            f"A full {self.answer_time}-second answer at 130 words per minute has about "
            f"{expected} words. If you did speak, record in a quiet place close to the "
            "microphone.",
            f"Полный ответ на {self.answer_time} с в темпе 130 слов в минуту — это около "
            f"{expected} слов. Если вы говорили, запишите ответ в тихом месте ближе к микрофону.",
        )

    # --- weaknesses -----------------------------------------------------------------

    @property
    def wpm_ru(self) -> str:
        """The rate with its noun: "141 слово", "64 слова", "230 слов"."""
        wpm = round(self.f.words_per_minute)
        return f"{wpm} {_ru_plural(wpm, 'слово', 'слова', 'слов')}"

    def rate(self) -> str:
        wpm = self.num(self.f.words_per_minute, 0)
        if self.f.words_per_minute > 160:
            return self.pick(
                f"You spoke at {wpm} words per minute, faster than the 120-160 listeners "
                "follow easily. Slow down at the end of each idea and stress the key words.",
                f"Ваш темп — {self.wpm_ru} в минуту, быстрее удобных слушателю 120–160. "
                "Замедляйтесь в конце каждой мысли и выделяйте голосом ключевые слова.",
            )
        return self.pick(
            f"You spoke at {wpm} words per minute; aim for 120-160. Plan your first sentence "
            'while you prepare and link ideas with "for example" or "another reason is", '
            "so you do not stop to search for words.",
            f"Ваш темп — {self.wpm_ru} в минуту; цель — 120–160. Продумайте первое предложение "
            "во время подготовки и связывайте мысли фразами «for example», «another reason "
            "is», чтобы не останавливаться в поисках слов.",
        )

    def pause_frequency(self) -> str:
        count, span = self.f.pause_count, self.num(self.f.speech_span_s)
        per_minute = self.num(self.f.pauses_per_minute)
        return self.pick(
            f"You paused {count} {_en_plural(count, 'time', 'times')} in {span} s of "
            f"speaking, {per_minute} times a minute; fluent speakers pause about 20 times "
            "a minute or less. Say whole phrases of five to eight words before pausing, "
            'e.g. "the main reason is that".',
            f"Вы сделали {count} {_ru_plural(count, 'паузу', 'паузы', 'пауз')} за {span} с "
            f"речи — {per_minute} в минуту; в беглой речи их около 20 в минуту или меньше. "
            "Произносите фразу из 5–8 слов целиком, например «the main reason is that», "
            "и только потом делайте паузу.",
        )

    def pause_length(self) -> str:
        mean, longest = self.num(self.f.mean_pause_s), self.num(self.f.longest_pause_s)
        return self.pick(
            f"Your pauses lasted {mean} s on average (the longest {longest} s); aim for "
            "under 0.7 s. When you need time to think, keep talking with a linking phrase "
            'such as "let me give an example".',
            f"Средняя пауза — {mean} с (самая длинная — {longest} с); цель — меньше 0,7 с. "
            "Когда нужно подумать, продолжайте связующей фразой, например «let me give an "
            "example».",
        )

    def long_pauses(self) -> str:
        count, per_minute = self.f.long_pause_count, self.num(self.f.long_pauses_per_minute)
        longest = self.num(self.f.longest_pause_s)
        return self.pick(
            f"You made {count} {_en_plural(count, 'pause', 'pauses')} of a second or longer "
            f"({per_minute} a minute; the longest was {longest} s). While you prepare, note "
            "two reasons and an example in a few words each, so you always know what comes "
            "next.",
            f"Пауз длиной от секунды: {count} ({per_minute} в минуту; самая длинная — "
            f"{longest} с). Во время подготовки запишите в двух-трёх словах две причины и "
            "пример, чтобы всегда знать, что сказать дальше.",
        )

    def fillers(self) -> str:
        count, per_100 = self.f.filler_count, self.num(self.f.fillers_per_100_words)
        listed = ", ".join(f"{word}: {n}" for word, n in self.f.fillers[:SHOWN_EXAMPLES])
        top = self.quoted((self.f.fillers[0][0],)) if self.f.fillers else ""
        return self.pick(
            f"You used {count} {_en_plural(count, 'filler', 'fillers')} ({listed}), "
            f"{per_100} per 100 words; aim for fewer "
            f"than 1. A short silent pause sounds more confident than {top}.",
            f"Слов-паразитов: {count} ({listed}), {per_100} на 100 слов; цель — меньше 1. "
            f"Короткая пауза звучит увереннее, чем {top}.",
        )

    def repetitions(self) -> str:
        count, per_100 = self.f.repetition_count, self.num(self.f.repetitions_per_100_words)
        examples = self.quoted(tuple(f"{w} {w}" for w in self.f.repeated_words))
        times = _en_plural(count, "time", "times")
        return self.pick(
            f"You repeated a word straight after itself {count} {times} ({examples}), "
            f"{per_100} per 100 words. If you lose your thread, pause briefly and go on "
            "instead of restarting the phrase.",
            f"Повторов слова подряд: {count} ({examples}), {per_100} на 100 слов. Если "
            "сбились, сделайте короткую паузу и продолжайте, не начиная фразу заново.",
        )

    def diversity(self) -> str:
        mattr = self.num(self.f.mattr, 2)
        advice = self.pick(
            f"Your vocabulary variety (moving type-token ratio) was {mattr}; aim for "
            f"{self.num(0.7, 2)} or more.",
            f"Разнообразие словаря (доля разных слов в окне из 50) — {mattr}; цель — "
            f"{self.num(0.7, 2)} и выше.",
        )
        if self.f.overused is None:
            return advice + self.pick(
                " Use synonyms instead of repeating the same words.",
                " Заменяйте повторяющиеся слова синонимами.",
            )
        word, n = self.f.overused
        return advice + self.pick(
            f' You said "{word}" {n} times: vary it with synonyms.',
            f" Слово «{word}» прозвучало {n} {_ru_plural(n, 'раз', 'раза', 'раз')}: "
            "чередуйте его с синонимами.",
        )

    def sophistication(self) -> str:
        rare, content = self.f.rare_words, self.f.content_words
        share = self.num((self.f.rare_word_ratio or 0.0) * 100, 0)
        return self.pick(
            f"{rare} of your {content} content words ({share}%) were less common words; "
            'aim for 10% or more. Replace general words such as "good", "thing" or "nice" '
            'with precise ones: "convenient", "affordable", "inspiring".',
            f"Менее употребительных слов — {rare} из {content} значимых ({share}%); цель — "
            "от 10%. Заменяйте общие слова вроде «good», «thing», «nice» точными: "
            "«convenient», «affordable», «inspiring».",
        )

    def length(self) -> str:
        span = self.num(self.f.speech_span_s)
        share = self.num((self.f.length_ratio or 0.0) * 100, 0)
        target = self.num(self.task_time_s * FULL_SHARE, 0)
        return self.pick(
            f"You spoke for {span} s of the {self.answer_time} s available ({share}%). Use "
            f"at least {target} s: state your opinion, then give two reasons with an "
            "example for each.",
            f"Вы говорили {span} с из {self.answer_time} с ({share}%). Используйте не "
            f"меньше {target} с: выскажите мнение, затем две причины и пример к каждой.",
        )

    def word_count(self) -> str:
        words, expected = self.f.words, self.num(expected_words(self.f), 0)
        return self.pick(
            f"You said {words} words; a full {self.answer_time}-second answer has about "
            f"{expected}. Add an example from your own experience to each reason.",
            f"Вы сказали {words} {_ru_plural(words, 'слово', 'слова', 'слов')}; в полном "
            f"ответе на {self.answer_time} с их около {expected}. Добавьте к каждой причине "
            "пример из собственного опыта.",
        )

    def relevance(self) -> str:
        matched, total = len(self.f.matched_keywords), len(self.f.question_keywords)
        missing = tuple(k for k in self.f.question_keywords if k not in self.f.matched_keywords)
        return self.pick(
            f"Your answer used {matched} of the question's {total} key words (missing: "
            f"{self.quoted(missing)}). Echo the question in your first sentence so the "
            "listener knows you are on topic.",
            f"В ответе {matched} из {total} ключевых слов вопроса (нет: "
            f"{self.quoted(missing)}). Повторите формулировку вопроса в первом предложении, "
            "чтобы было ясно, что вы отвечаете по теме.",
        )

    def grammar(self) -> str:
        errors = self.f.grammar_errors or ()
        count, per_100 = len(errors), self.num(self.f.grammar_errors_per_100_words or 0.0)
        corrected = [e for e in errors if e.correction][:SHOWN_EXAMPLES]
        left, right = ("«", "»") if self.language == "ru" else ('"', '"')
        said = "; ".join(
            self.pick(
                f"you said {left}{e.said}{right}, say {left}{e.correction}{right}",
                f"вы сказали {left}{e.said}{right}, правильно {left}{e.correction}{right}",
            )
            for e in corrected
        )
        examples = f" ({said})" if said else ""
        return self.pick(
            f"{count} grammar {_en_plural(count, 'error', 'errors')}, {per_100} per 100 "
            f"words{examples}. Check that each verb agrees with its subject and that a modal "
            '("can", "could", "should") is followed by the base form.',
            f"Грамматических ошибок: {count}, {per_100} на 100 слов{examples}. Проверяйте, "
            "что глагол согласован с подлежащим, а после модального глагола («can», "
            "«could», «should») стоит начальная форма.",
        )

    # --- strengths ------------------------------------------------------------------

    def rate_ok(self) -> str:
        wpm = self.num(self.f.words_per_minute, 0)
        return self.pick(
            f"Your pace of {wpm} words per minute suits the task (target 120-160): keep it.",
            f"Ваш темп — {self.wpm_ru} в минуту, как и нужно (цель — 120–160): так держать.",
        )

    def fillers_ok(self) -> str:
        count, words = self.f.filler_count, self.f.words
        if not count:
            return self.pick(
                f"Not a single filler in {words} words: your speech sounds confident.",
                f"Ни одного слова-паразита на {words} "
                f"{_ru_plural(words, 'слово', 'слова', 'слов')}: речь звучит уверенно.",
            )
        fillers_ru = _ru_plural(count, "слово-паразит", "слова-паразита", "слов-паразитов")
        words_ru = _ru_plural(words, "слово", "слова", "слов")
        return self.pick(
            f"Only {count} {_en_plural(count, 'filler', 'fillers')} in {words} words: "
            "your speech sounds confident.",
            f"Всего {count} {fillers_ru} на {words} {words_ru}: речь звучит уверенно.",
        )

    def diversity_ok(self) -> str:
        mattr = self.num(self.f.mattr, 2)
        return self.pick(
            f"Varied vocabulary: a moving type-token ratio of {mattr}.",
            f"Разнообразный словарь: доля разных слов — {mattr}.",
        )

    def relevance_ok(self) -> str:
        matched, total = len(self.f.matched_keywords), len(self.f.question_keywords)
        return self.pick(
            f"On topic: you used {matched} of the question's {total} key words.",
            f"По теме: в ответе {matched} из {total} ключевых слов вопроса.",
        )


_WEAKNESSES: Mapping[Feature, Callable[[_Text], str]] = {
    Feature.RATE: _Text.rate,
    Feature.PAUSE_FREQUENCY: _Text.pause_frequency,
    Feature.PAUSE_LENGTH: _Text.pause_length,
    Feature.LONG_PAUSES: _Text.long_pauses,
    Feature.FILLERS: _Text.fillers,
    Feature.REPETITIONS: _Text.repetitions,
    Feature.GRAMMAR: _Text.grammar,
    Feature.DIVERSITY: _Text.diversity,
    Feature.SOPHISTICATION: _Text.sophistication,
    Feature.LENGTH: _Text.length,
    Feature.WORD_COUNT: _Text.word_count,
    Feature.RELEVANCE: _Text.relevance,
}
# In order of preference among equally strong features.
_STRENGTHS: Mapping[Feature, Callable[[_Text], str]] = {
    Feature.RATE: _Text.rate_ok,
    Feature.RELEVANCE: _Text.relevance_ok,
    Feature.DIVERSITY: _Text.diversity_ok,
    Feature.FILLERS: _Text.fillers_ok,
}
