"""Word error rate on small cases whose alignments were worked out by hand."""

from __future__ import annotations

import pytest

from flows.transcription.wer import EmptyReference, normalize, word_errors


def test_normalize_lowercases_drops_punctuation_and_spells_numbers() -> None:
    assert normalize("Well -- it's 10%, OK? Twenty-five/30.") == [
        *("well", "its", "ten", "percent", "ok", "twenty", "five", "thirty"),
    ]


@pytest.mark.parametrize(
    ("reference", "hypothesis", "counts", "rate"),
    [
        # (substitutions, deletions, insertions)
        ("I would go to Japan.", "i would go to japan", (0, 0, 0), 0.0),
        ("the cat sat on the mat", "the cat sat on a mat", (1, 0, 0), 1 / 6),
        ("I think that is right", "I think is right", (0, 1, 0), 1 / 5),
        ("go home", "go to home", (0, 0, 1), 1 / 2),
        ("um I would go to Japan", "I would go to Japan", (0, 1, 0), 1 / 6),
        ("a b c", "", (0, 3, 0), 1.0),
        # More errors than reference words: the rate exceeds 1.
        ("yes", "no no no", (1, 0, 2), 3.0),
        ("I don't know, it's fine", "I dont know its fine", (0, 0, 0), 0.0),
        ("twenty-five students in nineteen ninety", "25 students in 1990", (0, 0, 1), 1 / 6),
        ("one hundred thousand passengers", "100,000 passengers", (0, 0, 0), 0.0),
    ],
)
def test_word_errors(
    reference: str, hypothesis: str, counts: tuple[int, int, int], rate: float
) -> None:
    errors = word_errors(reference, hypothesis)
    assert (errors.substitutions, errors.deletions, errors.insertions) == counts
    assert errors.rate == pytest.approx(rate)


@pytest.mark.parametrize("reference", ["", "  ", "... !"])
def test_empty_reference_is_refused(reference: str) -> None:
    with pytest.raises(EmptyReference):
        word_errors(reference, "anything")
