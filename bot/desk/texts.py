"""The desk's own texts, one YAML catalogue per language (bot/desk/texts/*.yaml); the staff
member reads the desk in the language of their account."""

from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale

from dialogs.render import render

LANGUAGES = ("pt", "it", "en", "es", "fr")
REFERENCE = "en"
TEXTS_DIR = Path(__file__).parent / "texts"


@lru_cache
def catalogues() -> dict[str, dict[str, str]]:
    return {
        lang: {
            key: str(value).strip()
            for key, value in yaml.safe_load(
                (TEXTS_DIR / f"{lang}.yaml").read_text(encoding="utf-8")
            )["texts"].items()
        }
        for lang in LANGUAGES
    }


def missing_texts() -> list[str]:
    """`lang: key` for every text that one catalogue has and another lacks."""
    every = catalogues()
    keys = set().union(*(texts.keys() for texts in every.values()))
    return sorted(f"{lang}: {key}" for lang, texts in every.items() for key in keys - texts.keys())


class Texts:
    """The texts of one language: `texts("record.rating", rating=4)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else REFERENCE
        self._texts = catalogues()[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        return render(self._texts[key], values)

    def has(self, key: str) -> bool:
        return key in self._texts


def language_name(code: str | None, lang: str) -> str:
    """The name of the language `code` in the language `lang` ("Portuguese", "portoghese")."""
    if not code:
        return "-"
    return Locale.parse(lang).languages.get(code, code)
