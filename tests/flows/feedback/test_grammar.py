"""Grammar errors from checker matches: fillers removed, noise filtered, quotes and scores."""

from __future__ import annotations

from collections.abc import Sequence

from clients.grammar import GrammarMatch, GrammarUnavailable
from flows.feedback.engines.base import GradingInput
from flows.feedback.grammar import GrammarCheck, check, checked_text, errors
from flows.feedback.metrics import measure
from flows.feedback.recommendations import recommend
from flows.feedback.rubric import Feature, score
from flows.language.lexicon import load_lexicon
from schemas.events.feedback import GrammarError


def _match(
    text: str, word: str, replacement: str, rule: str = "R", category: str = "GRAMMAR"
) -> GrammarMatch:
    offset = text.index(word)
    return GrammarMatch(rule, category, offset, len(word), "why", (replacement,))


def test_checked_text_drops_hesitations_and_notes_and_keeps_transcript_offsets() -> None:
    transcript = "Um, I think they could, uh, finished [BLANK_AUDIO] it."
    checked = checked_text(transcript)
    assert checked.text == "I think they could, finished  it."
    at = checked.text.index("finished")
    assert transcript[checked.transcript_offset(at) :].startswith("finished")


def test_a_one_word_match_is_quoted_with_the_words_before_it_in_its_clause() -> None:
    text = "At work, they could finished the job."
    [error] = errors(checked_text(text), [_match(text, "finished", "finish", "MD_BASEFORM")])
    assert (error.said, error.correction) == ("they could finished", "they could finish")
    assert (error.rule, error.category, error.offset) == ("MD_BASEFORM", "GRAMMAR", 9)


def test_a_phrase_match_is_quoted_as_it_is() -> None:
    text = "In my opinion, a team bring more ideas."
    match = _match(text, "a team bring", "a team brings", "SC_X", "SPEECH_COACH")
    [error] = errors(checked_text(text), [match])
    assert (error.said, error.correction) == ("a team bring", "a team brings")


def test_casing_punctuation_spelling_and_style_matches_are_noise() -> None:
    text = "um i think paris is nice"
    checked = checked_text(text)
    noise = [
        GrammarMatch("UPPERCASE_SENTENCE_START", "CASING", 0, 1, "m", ("I",)),
        GrammarMatch("MORFOLOGIK_RULE_EN_US", "TYPOS", 8, 5, "m", ("Paris",)),
        GrammarMatch("COMMA", "PUNCTUATION", 2, 5, "m", ("think,",)),
        GrammarMatch("NICE", "STYLE", 17, 4, "m", ("pleasant",)),
    ]
    assert errors(checked, noise) == ()


def test_overlapping_matches_count_once_and_a_no_op_suggestion_not_at_all() -> None:
    text = "He go to school."
    go = text.index("go")
    same = GrammarMatch("A", "GRAMMAR", go, 2, "m", ("go",))
    first = GrammarMatch("B", "GRAMMAR", go, 2, "m", ("goes",))
    second = GrammarMatch("C", "GRAMMAR", go, 5, "m", ("goes to",))
    found = errors(checked_text(text), [same, first, second])
    assert [e.rule for e in found] == ["B"]


def test_check_records_why_there_is_no_figure() -> None:
    def down(_: str) -> Sequence[GrammarMatch]:
        raise GrammarUnavailable("connection refused")

    assert check(None, "text") == GrammarCheck(None, "not_configured")
    result = check(down, "text")
    assert result.errors is None
    assert result.unavailable == "checker_unavailable: connection refused"
    assert check(down, "um, uh") == GrammarCheck(())  # nothing spoken to check


def test_the_checker_sees_the_text_without_fillers() -> None:
    seen: list[str] = []

    def checker(text: str) -> Sequence[GrammarMatch]:
        seen.append(text)
        return ()

    check(checker, "I um think so.")
    assert seen == ["I think so."]


CLEAN = (
    "In my opinion, a team brings more ideas than one person, because every member "
    "notices different problems. When my classmates and I prepared a presentation last "
    "year, each of us researched one part, and the final result was much stronger than "
    "anything I could have finished alone. Employers value this kind of cooperation."
)


def _answer(grammar: GrammarCheck | None) -> GradingInput:
    return GradingInput(
        text=CLEAN, words=(), duration_s=30.0, pauses=(), speech_duration_s=28.0,
        leading_silence_s=0.5, grammar=grammar,
    )  # fmt: skip


def test_grammar_errors_lower_language_use_alone_and_are_quoted_back() -> None:
    lexicon = load_lexicon()
    five = tuple(GrammarError(said=f"w{i} bring", correction=f"w{i} brings") for i in range(5))
    clean = score(measure(_answer(GrammarCheck(())), lexicon))
    faulty_features = measure(_answer(GrammarCheck(five)), lexicon)
    faulty = score(faulty_features)
    assert faulty.scores.language_use <= clean.scores.language_use - 0.5
    assert faulty.scores.delivery == clean.scores.delivery
    assert faulty.scores.topic_development == clean.scores.topic_development
    advice = recommend(faulty_features, faulty, "en")
    assert any('you said "w0 bring", say "w0 brings"' in line for line in advice)
    russian = recommend(faulty_features, faulty, "ru")
    assert any("вы сказали «w0 bring», правильно «w0 brings»" in line for line in russian)


def test_one_error_is_quoted_though_it_costs_little() -> None:
    lexicon = load_lexicon()
    one = (GrammarError(said="peoples think", correction="people think"),)
    features = measure(_answer(GrammarCheck(one)), lexicon)
    scoring = score(features)
    assert scoring.features[Feature.GRAMMAR] is not None
    assert any('"peoples think"' in line for line in recommend(features, scoring, "en"))


def test_without_a_checker_language_use_is_vocabulary_alone() -> None:
    lexicon = load_lexicon()
    unchecked = score(measure(_answer(GrammarCheck(None, "not_configured")), lexicon))
    assert unchecked.features[Feature.GRAMMAR] is None
    assert (
        unchecked.scores.language_use == score(measure(_answer(None), lexicon)).scores.language_use
    )
