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
from bot.routers.questions import CHOICES
from schemas.events.base import Language

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


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
    keys |= {"answer.too_large", "answer.too_long"}
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
