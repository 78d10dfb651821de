"""Numbers in words, as checked by ear and by `espeak-ng -v en-us -q -x <token>` (1.51)."""

from __future__ import annotations

import pytest

from flows.transcription.numbers import cardinal, spoken


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("0", "zero"),
        ("7", "seven"),
        ("15", "fifteen"),
        ("21", "twenty one"),
        ("105", "one hundred five"),
        ("125", "one hundred twenty five"),
        ("1000", "one thousand"),
        ("1001", "one thousand one"),
        ("1066", "one thousand sixty six"),
        ("1500", "one thousand five hundred"),
        ("1,500", "one thousand five hundred"),
        ("1850", "one thousand eight hundred fifty"),
        ("1900", "nineteen hundred"),
        ("1905", "nineteen hundred five"),
        ("1990", "nineteen hundred ninety"),
        ("2024", "two thousand twenty four"),
        ("12000", "twelve thousand"),
        ("1000000", "one million"),
        ("1,234,567", "one million two hundred thirty four thousand five hundred sixty seven"),
        ("2000000000", "two billion"),
        ("3.14", "three point one four"),
        ("0.5", "zero point five"),
        ("1950.5", "nineteen hundred fifty point five"),
        ("10%", "ten percent"),
        ("10.25%", "ten point two five percent"),
        ("07", "zero seven"),
        ("007", "zero zero seven"),
        ("1st", "first"),
        ("2nd", "second"),
        ("3rd", "third"),
        ("11th", "eleventh"),
        ("12th", "twelfth"),
        ("20th", "twentieth"),
        ("21st", "twenty first"),
        ("40th", "fortieth"),
        ("100th", "one hundredth"),
        ("1950th", "nineteen hundred fiftieth"),
    ],
)
def test_numbers_are_spelled_as_espeak_speaks_them(token: str, words: str) -> None:
    assert spoken(token) == words.split()


@pytest.mark.parametrize("token", ["", "abc", "1990s", "3.", "1,50", "12,3456", "1" * 16, "-5"])
def test_other_tokens_are_not_numbers(token: str) -> None:
    assert spoken(token) is None


def test_cardinal_beyond_trillions_keeps_counting_trillions() -> None:
    assert cardinal(2_000_000_000_000_000) == ["two", "thousand", "trillion"]
