"""Crop names in the farmer's language (from the crops lexicon), and the crops offered as buttons."""

from __future__ import annotations

from pathlib import Path

from bot.lexicon import load_term_lexicon

#: Buttons offered first; a farmer can type any other crop the lexicon knows.
COMMON_CROPS = (
    "rice",
    "wheat",
    "maize",
    "cotton",
    "sugarcane",
    "soybean",
    "chickpea",
    "groundnut",
    "mustard",
)
#: Where the first guess differs: East Africa, Latin America, West Africa and Brazil.
COMMON_CROPS_BY_LANGUAGE = {
    "sw": ("maize", "beans", "cassava", "sorghum", "banana", "coffee", "tea", "tomato", "sweet-potato"),
    "es": ("maize", "beans", "coffee", "potato", "tomato", "rice", "banana", "sugarcane", "chilli"),
    "pt": ("soybean", "maize", "coffee", "sugarcane", "beans", "cassava", "rice", "banana", "cotton"),
    "fr": ("maize", "cassava", "rice", "sorghum", "groundnut", "cotton", "cowpea", "tomato", "onion"),
}


class CropNames:
    def __init__(self, lexicon_dir: Path) -> None:
        self._terms = load_term_lexicon(lexicon_dir / "crops.yaml")

    def name(self, crop: str, language: str) -> str:
        terms = self._terms.get(crop, {})
        for lang in (language, "en"):
            if terms.get(lang):
                name = terms[lang][0].rstrip("*")
                return name[:1].upper() + name[1:]
        return crop

    def offered(self, language: str) -> list[str]:
        crops = COMMON_CROPS_BY_LANGUAGE.get(language, COMMON_CROPS)
        return [crop for crop in crops if crop in self._terms]

    def __contains__(self, crop: str) -> bool:
        return crop in self._terms
