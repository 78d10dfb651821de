"""Message catalogs: every text the bot sends, per interface language, from bot/locales/*.yaml.

Catalog entries are HTML (the bot sends with parse mode HTML) with `{name}` placeholders;
values substituted into them are escaped, so learner-made text can never inject markup.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import yaml

from schemas.events.base import Language

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "en"


class CatalogError(ValueError):
    """A catalog file that is not a mapping of keys to texts."""


class MissingText(KeyError):
    """The code asked for a key that its catalog does not have."""


def _flatten(tree: Mapping[str, object], prefix: str, source: Path) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in tree.items():
        if not isinstance(name, str):  # YAML reads a bare yes/no/on/off key as a boolean
            raise CatalogError(f"{source}: key {name!r} under {prefix or 'the top'} is not text")
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{key}.", source))
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise CatalogError(f"{source}: {key} is a {type(value).__name__}, not a text")
    return flat


def placeholders(text: str) -> frozenset[str]:
    """The `{name}` fields a catalog text expects."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)


def load_catalog(path: Path) -> dict[str, str]:
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(tree, Mapping):
        raise CatalogError(f"{path}: expected a mapping at the top")
    return _flatten(tree, "", path)


@dataclass(frozen=True)
class Texts:
    """One language's catalog."""

    language: Language
    entries: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        try:
            template = self.entries[key]
        except KeyError:
            raise MissingText(f"{self.language}: no text {key!r}") from None
        return template.format_map({name: html.escape(str(v)) for name, v in values.items()})

    def has(self, key: str) -> bool:
        return key in self.entries


@dataclass(frozen=True)
class Catalogs:
    """The catalogs of every interface language."""

    by_language: Mapping[Language, Texts]

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR) -> Catalogs:
        return cls(
            {
                language: Texts(language, load_catalog(directory / f"{language}.yaml"))
                for language in LANGUAGES
            }
        )

    def __getitem__(self, language: Language) -> Texts:
        return self.by_language[language]


def language_from_telegram(language_code: str | None) -> Language:
    """The interface language to start with, from the Telegram client's IETF tag."""
    if language_code and language_code.split("-")[0].lower() == "ru":
        return "ru"
    return DEFAULT_LANGUAGE
