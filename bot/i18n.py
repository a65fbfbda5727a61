"""UI text in the farmer's language, through gettext catalogs (`bot/translations`)."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.languages import SUPPORTED

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "kisanbot"


def load_catalog(
    language: str, translations_dir: Path = TRANSLATIONS_DIR, domain: str = DOMAIN
) -> gettext.NullTranslations:
    """The language's catalog, compiled in memory from its .po file (English needs none).
    Domains: `kisanbot` (what farmers read) and `console` (what officers read)."""
    po_path = translations_dir / language / "LC_MESSAGES" / f"{domain}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=None)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """`Translator().text("hi", ui_text.THANKS)` → the Hindi for "You are welcome..."."""

    def __init__(self, translations_dir: Path = TRANSLATIONS_DIR) -> None:
        self._catalogs = {lang: load_catalog(lang, translations_dir) for lang in SUPPORTED}

    def text(self, language: str, message: str, /, **params: str) -> str:
        catalog = self._catalogs.get(language) or self._catalogs["en"]
        translated = catalog.gettext(message)
        return translated % params if params else translated
