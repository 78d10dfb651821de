"""The message catalogs: both languages say the same things, and markup cannot be injected."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.i18n import (
    LANGUAGES,
    CatalogError,
    Catalogs,
    MissingText,
    language_from_telegram,
    load_catalog,
    placeholders,
)
from bot.intake import INTAKE_CODES
from bot.routers.questions import CHOICES
from flows.conversion.errors import RejectionCode
from schemas.events.base import Language

REPO = Path(__file__).resolve().parents[2]
BOT_DIR = REPO / "bot"
FLOWS_DIR = REPO / "flows"


def test_every_language_has_the_same_keys_with_the_same_placeholders() -> None:
    catalogs = Catalogs.load()
    english = catalogs["en"].entries
    for language in LANGUAGES:
        entries = catalogs[language].entries
        assert set(entries) == set(english), language
        for key, text in entries.items():
            assert placeholders(text) == placeholders(english[key]), (language, key)


def _literal_keys() -> set[str]:
    """Catalog keys the bot's code names literally: t("key", ...) and catalogs[..]("key")."""
    keys: set[str] = set()
    for path in BOT_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and (
                    (isinstance(node.func, ast.Name) and node.func.id == "t")
                    or isinstance(node.func, ast.Subscript)
                )
            ):
                keys.add(node.args[0].value)
    return keys


def test_every_key_the_code_names_is_in_the_catalogs() -> None:
    keys = _literal_keys()
    assert {"answer.received", "feedback.transcript", "errors.try_again"} <= keys  # scan works
    keys |= {f"category.{choice}" for choice in CHOICES}
    keys |= {f"language.{language}" for language in LANGUAGES}
    for language in LANGUAGES:
        missing = sorted(k for k in keys if not Catalogs.load()[language].has(k))
        assert not missing, (language, missing)


def test_substituted_values_are_escaped_but_catalog_markup_is_kept() -> None:
    t = Catalogs.load()["en"]
    text = t("credits.balance", balance="<b>1</b> & more")
    assert "&lt;b&gt;1&lt;/b&gt; &amp; more" in text
    assert text.startswith("Your balance: <b>")


def test_an_unknown_key_is_a_typed_error() -> None:
    with pytest.raises(MissingText, match="no text 'nope'"):
        Catalogs.load()["ru"]("nope")


def test_a_catalog_entry_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xx.yaml"
    path.write_text("a:\n  b: 3\n")
    with pytest.raises(CatalogError, match=r"a\.b is a int"):
        load_catalog(path)
    # YAML 1.1 reads a bare `yes:` as the boolean true: a key the code could never name.
    path.write_text("forget:\n  yes: Erase\n")
    with pytest.raises(CatalogError, match=r"key True under forget\. is not text"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("code", "language"),
    [("ru", "ru"), ("ru-RU", "ru"), ("en-GB", "en"), ("de", "en"), (None, "en"), ("", "en")],
)
def test_the_first_language_follows_the_telegram_client(code: str | None, language: str) -> None:
    assert language_from_telegram(code) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_texts_are_html_telegram_accepts(language: Language) -> None:
    """Only <b> and <i>, balanced, and no bare '&': Telegram refuses anything else."""
    texts = Catalogs.load()[language]
    for key, template in texts.entries.items():
        text = template.format_map({name: "x" for name in placeholders(template)})
        tags = re.findall(r"</?([a-z]+)>", text)
        assert set(tags) <= {"b", "i"}, key
        for tag in ("b", "i"):
            assert text.count(f"<{tag}>") == text.count(f"</{tag}>"), key
        bare = re.sub(r"</?[bi]>", "", text)
        assert "<" not in bare, key
        assert ">" not in bare, key
        assert not re.search(r"&(?!(amp|lt|gt|quot|#x27);)", bare), key


def _codes_passed_to_rejection() -> set[str]:
    """Codes the flows name literally: rejection(cause, stage, "code", message)."""
    codes: set[str] = set()
    for path in FLOWS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "rejection"
            ):
                continue
            arguments = [*node.args[2:3], *(k.value for k in node.keywords if k.arg == "code")]
            codes |= {
                a.value
                for a in arguments
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            }
    return codes


def _emitted_codes() -> set[str]:
    return set(INTAKE_CODES) | {code.value for code in RejectionCode} | _codes_passed_to_rejection()


def test_the_scan_finds_the_codes_flows_name_literally() -> None:
    assert {"transcription_failed", "no_speech", "feedback_failed"} <= _codes_passed_to_rejection()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_rejection_code_any_stage_emits_has_a_text_without_fields(
    language: Language,
) -> None:
    texts = Catalogs.load()[language]
    missing = sorted(c for c in _emitted_codes() if not texts.has(f"rejected.codes.{c}"))
    assert not missing, missing
    for code in _emitted_codes():
        # The reply consumer has nothing to fill them with.
        assert placeholders(texts.entries[f"rejected.codes.{code}"]) == frozenset(), code


def test_every_rejection_text_is_for_a_code_something_emits() -> None:
    prefix = "rejected.codes."
    texts = {k.removeprefix(prefix) for k in Catalogs.load()["en"].entries if k.startswith(prefix)}
    assert sorted(texts - _emitted_codes()) == []
