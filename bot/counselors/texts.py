"""What a counselor reads from the bot, from the text catalogues (`counselor.*` keys), in the
first of the counselor's languages that the catalogues speak."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.model import Catalogue
from dialogs.render import render
from storage.models import Counselor

FALLBACK_LANG = "en"


@dataclass(frozen=True)
class CounselorTexts:
    catalogues: Mapping[str, Catalogue]

    def lang_of(self, counselor: Counselor) -> str:
        return next(
            (lang for lang in counselor.languages if lang in self.catalogues), FALLBACK_LANG
        )

    def text(self, lang: str, key: str, **values: Any) -> str:
        return render(self.catalogues[lang].texts[f"counselor.{key}"], values)
