"""The languages kisanbot speaks, with their native names."""

from __future__ import annotations

#: ISO 639-1 code → the language's name in itself, for pickers and the CLI.
NATIVE_NAMES: dict[str, str] = {
    "en": "English",
    "hi": "हिन्दी",
    "mr": "मराठी",
    "bn": "বাংলা",
    "te": "తెలుగు",
    "ta": "தமிழ்",
    "kn": "ಕನ್ನಡ",
    "ml": "മലയാളം",
    "gu": "ગુજરાતી",
    "pa": "ਪੰਜਾਬੀ",
    "or": "ଓଡ଼ିଆ",
    "ur": "اردو",
    "sw": "Kiswahili",
    "es": "Español",
    "fr": "Français",
    "pt": "Português",
}

SUPPORTED: tuple[str, ...] = tuple(NATIVE_NAMES)

#: Romanized Hindi, as lexicons name it.
ROMANIZED_HINDI = "hi-Latn"


def normalize_code(code: str | None) -> str | None:
    """A supported code from an app's language tag (`pt-BR` → `pt`), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in NATIVE_NAMES else None
