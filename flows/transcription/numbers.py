"""Numbers spelled out as espeak-ng (voice en-us) speaks them.

A recogniser writes "125" where espeak-ng said "one hundred twenty five"; scoring a
transcript of synthetic speech needs both in words. Rules checked against
`espeak-ng -v en-us -q -x` (1.51): no "and" after hundreds; 19xx is read as a year
("nineteen hundred ninety"), also before a fraction, "%" or an ordinal suffix; decimals
are read digit by digit after "point"; a leading zero makes the whole number digit by
digit ("07": "zero seven").
"""

from __future__ import annotations

import re

_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
# At most 15 digits: longer tokens are left alone (and int() of huge strings is slow).
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.(\d{1,15}))?(%?)")
_ORDINAL = re.compile(r"(\d{1,15})(?:st|nd|rd|th)")


def _digits(digits: str) -> list[str]:
    return [_ONES[int(d)] for d in digits]


def _below_thousand(n: int) -> list[str]:
    words = [_ONES[n // 100], "hundred"] if n >= 100 else []
    rest = n % 100
    if rest >= 20:
        words.append(_TENS[rest // 10])
        if rest % 10:
            words.append(_ONES[rest % 10])
    elif rest or not words:
        words.append(_ONES[rest])
    return words


def cardinal(n: int) -> list[str]:
    """Words of a non-negative integer, e.g. 1500: one thousand five hundred."""
    for scale, name in _SCALES:
        if n >= scale:
            rest = n % scale
            return [*cardinal(n // scale), name, *(cardinal(rest) if rest else [])]
    return _below_thousand(n)


def _integer(digits: str) -> list[str]:
    if len(digits) > 1 and digits.startswith("0"):
        return _digits(digits)
    n = int(digits.replace(",", ""))
    if len(digits) == 4 and 1900 <= n <= 1999:
        return ["nineteen", "hundred", *(_below_thousand(n % 100) if n % 100 else [])]
    return cardinal(n)


def _ordinal(digits: str) -> list[str]:
    *words, last = _integer(digits)
    if last in _ORDINALS:
        return [*words, _ORDINALS[last]]
    if last.endswith("y"):
        return [*words, last[:-1] + "ieth"]
    return [*words, last + "th"]


def spoken(token: str) -> list[str] | None:
    """The words for a numeric token ("125", "1,500", "3.5", "10%", "21st"), else None."""
    if match := _NUMBER.fullmatch(token):
        whole, fraction, percent = match.groups()
        words = _integer(whole)
        if fraction is not None:
            words += ["point", *_digits(fraction)]
        return [*words, "percent"] if percent else words
    if match := _ORDINAL.fullmatch(token):
        return _ordinal(match.group(1))
    return None
