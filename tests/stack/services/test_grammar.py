"""The grammar service: LanguageTool's server of the running stack, with the project's rules
(`stack/languagetool/.../grammar_custom.xml`), answers as the feedback flow uses it."""

from __future__ import annotations

import ipaddress
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from stack.services import grammar
from stack.settings import StackSettings

pytestmark = pytest.mark.stack


@dataclass(frozen=True)
class Found:
    rule: str
    category: str
    quote: str
    replacements: tuple[str, ...]


def _found(stack: StackSettings, text: str) -> list[Found]:
    return [
        Found(m.rule, m.category, text[m.offset : m.offset + m.length], m.replacements)
        for m in grammar.client(stack).check(text)
    ]


def _ours(found: list[Found]) -> list[Found]:
    return [f for f in found if f.category == grammar.CATEGORY]


# ------------------------------------------------------------------------ the service


def test_the_server_checks_english_and_reports_matches(stack: StackSettings) -> None:
    [match] = grammar.client(stack).check("He go to school every day.")
    assert match.rule == "HE_VERB_AGR"
    assert "goes" in match.replacements


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            # Each 32-bit word of the address is in host (little-endian) byte order.
            raw = b"".join(
                bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, len(address), 8)
            )
            found.add(str(ipaddress.ip_address(raw)))
    return found


def test_the_server_listens_on_loopback_only(stack: StackSettings) -> None:
    addresses = _listening_addresses(stack.ports.grammar)
    assert addresses, f"nothing listens on port {stack.ports.grammar}"
    for address in addresses:
        ip = ipaddress.ip_address(address)
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        assert (mapped or ip).is_loopback, f"listening on {address}"


def test_only_a_host_other_than_loopback_opens_the_server_to_every_interface() -> None:
    assert "--public" not in grammar.service(StackSettings(host="127.0.0.1")).command
    assert "--public" not in grammar.service(StackSettings(host="localhost")).command
    assert "--public" in grammar.service(StackSettings(host="0.0.0.0")).command  # noqa: S104


# ------------------------------------------------------------------ the project's rules

TARGETS = [
    # (a) a singular subject with a base-form verb: the quote and the correction are phrases
    ("In my opinion, a team bring more ideas than one person.", "SC_SINGULAR_SUBJECT_BASE_VERB",
     "a team bring", "a team brings"),
    ("Every student want to get good grades.", "SC_SINGULAR_SUBJECT_BASE_VERB",
     "Every student want", "Every student wants"),
    ("I think the manager want my help.", "SC_SINGULAR_SUBJECT_BASE_VERB",
     "the manager want", "the manager wants"),
    ("Because my little brother live far away, I rarely see him.",
     "SC_SINGULAR_SUBJECT_BASE_VERB", "my little brother live", "my little brother lives"),
    ("This city have many problems.", "SC_SINGULAR_SUBJECT_BASE_VERB",
     "This city have", "This city has"),
    ("Each student need a quiet place to study.", "SC_SINGULAR_SUBJECT_BASE_VERB",
     "Each student need", "Each student needs"),
    # (b) a plural subject with an -s verb
    ("Many people think they could finish the work alone, but employers values cooperation.",
     "SC_PLURAL_SUBJECT_S_VERB", "employers values", "employers value"),
    ("In class, most students learns quickly.", "SC_PLURAL_SUBJECT_S_VERB",
     "students learns", "students learn"),
    ("I think my parents wants me to study.", "SC_PLURAL_SUBJECT_S_VERB",
     "parents wants", "parents want"),
    ("When I was young, our neighbours helps us a lot.", "SC_PLURAL_SUBJECT_S_VERB",
     "neighbours helps", "neighbours help"),
    # (c) "peoples" for "people"
    ("Many peoples think they could finish the work alone.", "SC_PEOPLES", "peoples", "people"),
    ("I think young peoples spend too much time online.", "SC_PEOPLES", "peoples", "people"),
    ("Peoples say that work is important.", "SC_PEOPLES", "Peoples", "People"),
    # (c) uncountable nouns made plural
    ("I need some advices about my career.", "SC_UNCOUNTABLE_PLURAL", "advices", "advice"),
    ("We have many homeworks every day.", "SC_UNCOUNTABLE_PLURAL",
     "many homeworks", "a lot of homework"),
    ("Teachers gave us useful informations.", "SC_UNCOUNTABLE_PLURAL",
     "informations", "information"),
    ("Thanks for your feedbacks.", "SC_UNCOUNTABLE_PLURAL", "feedbacks", "feedback"),
    ("A lot of researches show that sleep is important.", "SC_UNCOUNTABLE_PLURAL",
     "researches", "research"),
    ("Thank you for these advices.", "SC_UNCOUNTABLE_PLURAL", "these advices", "this advice"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "rule", "quote", "correction"), TARGETS)
def test_a_learner_error_is_flagged_with_its_correction(
    stack: StackSettings, text: str, rule: str, quote: str, correction: str
) -> None:
    found = _ours(_found(stack, text))
    assert [(f.rule, f.quote) for f in found] == [(rule, quote)], found
    assert found[0].replacements[0] == correction


# Typical of spoken answers, and close to the errors above: nothing to correct.
CORRECT = [
    "In my opinion, a team brings more ideas than one person.",
    "The sales figures show growth.",
    "Indigenous peoples have rights.",
    "That work matters to me.",
    "Each student needs a quiet place to study.",
    "Many people think they could finish the work alone, but employers value cooperation.",
    "I think my parents want me to study medicine.",
    "When I was a child, my family lived in a small village.",
    "I believe the government should spend more money on education.",
    "Because the city is crowded, many people prefer to live in the suburbs.",
    "The members of the team bring different skills.",
    "I saw the team win the final match.",
    "The team set a new record last year.",
    "The quality of our products matters.",
    "Each of the students has a laptop.",
    "I suggest that each student bring a notebook.",
    "My teacher gave me some useful advice and a lot of information.",
    "We need more research on this topic.",
    "The office work is boring, but the people are friendly.",
    "Most students prefer online classes because they can study at home.",
]


@pytest.mark.parametrize("text", CORRECT)
def test_a_correct_sentence_gets_no_grammar_match(stack: StackSettings, text: str) -> None:
    found = [f for f in _found(stack, text) if f.category in {grammar.CATEGORY, "GRAMMAR"}]
    assert found == []


@dataclass(frozen=True)
class Example:
    rule: str
    text: str
    quote: str | None  # None: a correct example
    corrections: tuple[str, ...]


def _examples() -> list[Example]:
    """The rules file's own <example>s: each incorrect one names what it marks and the
    corrections, in order."""
    found = []
    root = ET.parse(grammar.RULES_FILE).getroot()  # noqa: S314 - the project's own file
    for rule in root.iter():
        if rule.tag not in {"rule", "rulegroup"} or rule.get("id") is None:
            continue
        for example in rule.iter("example"):
            marker = example.find("marker")
            correction = example.get("correction")
            found.append(
                Example(
                    rule.get("id", ""),
                    "".join(example.itertext()),
                    marker.text if marker is not None else None,
                    tuple(correction.split("|")) if correction else (),
                )
            )
    return found


EXAMPLES = _examples()


def test_every_rule_has_correct_and_incorrect_examples() -> None:
    rules = {e.rule for e in EXAMPLES}
    assert rules == {
        "SC_SINGULAR_SUBJECT_BASE_VERB",
        "SC_PLURAL_SUBJECT_S_VERB",
        "SC_PEOPLES",
        "SC_UNCOUNTABLE_PLURAL",
    }
    for rule in rules:
        kinds = {e.quote is None for e in EXAMPLES if e.rule == rule}
        assert kinds == {True, False}, rule


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.rule}: {e.text}")
def test_the_rules_file_examples_hold_on_the_server(stack: StackSettings, example: Example) -> None:
    found = _ours(_found(stack, example.text))
    if example.quote is None:
        assert found == []
    else:
        assert [(f.rule, f.quote, f.replacements) for f in found] == [
            (example.rule, example.quote, example.corrections)
        ]
