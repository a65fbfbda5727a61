"""Which language a farmer wrote in: scripts decide where they can, lexicons and langdetect elsewhere.

`detect(text, prior)` keeps the farmer's known language when a message is too short or too unsure to
justify a switch ("ok", "👍", "urea?"), because answering in the wrong language loses the farmer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import langdetect
from langdetect import DetectorFactory, LangDetectException

from bot.languages import ROMANIZED_HINDI, SUPPORTED
from bot.lexicon import TermIndex, fold_word, is_latin, load_term_lexicon, load_yaml, words

# Scripts used by exactly one supported language decide outright.
_SCRIPT_RANGES: tuple[tuple[str, int, int], ...] = (
    ("Devanagari", 0x0900, 0x097F),
    ("Bengali", 0x0980, 0x09FF),
    ("Gurmukhi", 0x0A00, 0x0A7F),
    ("Gujarati", 0x0A80, 0x0AFF),
    ("Oriya", 0x0B00, 0x0B7F),
    ("Tamil", 0x0B80, 0x0BFF),
    ("Telugu", 0x0C00, 0x0C7F),
    ("Kannada", 0x0C80, 0x0CFF),
    ("Malayalam", 0x0D00, 0x0D7F),
    ("Arabic", 0x0600, 0x06FF),
    ("Arabic", 0x0750, 0x077F),
    ("Arabic", 0xFB50, 0xFDFF),
    ("Arabic", 0xFE70, 0xFEFF),
)
_SCRIPT_LANGUAGE = {
    "Bengali": "bn",
    "Gurmukhi": "pa",
    "Gujarati": "gu",
    "Oriya": "or",
    "Tamil": "ta",
    "Telugu": "te",
    "Kannada": "kn",
    "Malayalam": "ml",
    "Arabic": "ur",  # the only supported language written in Arabic script
}
_LATIN_LANGUAGES = ("en", "es", "fr", "pt", "sw")
_DEVANAGARI_LANGUAGES = ("hi", "mr")

#: Below this confidence a message does not switch a farmer's known language.
SWITCH_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float  # 0..1
    romanized: bool  # an Indic language typed in Latin letters
    kept_prior: bool = False  # the message was too unsure; the farmer's language was kept


def script_of(word: str) -> str:
    """The script of a word's first letter: Latin, Devanagari, ..., or Other."""
    for char in word:
        code = ord(char)
        for name, low, high in _SCRIPT_RANGES:
            if low <= code <= high:
                return name
        if char.isalpha():
            return "Latin" if is_latin(char) else "Other"
    return "Other"


class LanguageDetector:
    """Detects a message's language; built once from the lexicons, then cheap to call."""

    def __init__(self, lexicon_dir: Path) -> None:
        function_words = load_yaml(lexicon_dir / "function_words.yaml") or {}
        self._function_words = {lang: {fold_word(str(w)) for w in ws} for lang, ws in function_words.items()}
        hindi_path = lexicon_dir / "romanized_hindi.yaml"
        hindi = (load_yaml(hindi_path) or {}) if hindi_path.exists() else {}
        self._hindi_words = {fold_word(str(w)) for w in hindi.get("words", [])}
        self._hindi_ambiguous = {fold_word(str(w)) for w in hindi.get("ambiguous", [])}
        self._domain = TermIndex(_domain_terms_by_language(lexicon_dir))
        self._langdetect = _seeded_factory()

    def detect(self, text: str, prior: str | None = None) -> Detection:
        """`detect("kal barish hogi kya")` → Detection(language="hi", ..., romanized=True)."""
        text_words = words(text)
        guess = self._guess(text, text_words)
        if prior in SUPPORTED and guess.language != prior and guess.confidence < SWITCH_CONFIDENCE:
            assert prior is not None
            romanized = guess.romanized or (prior == "hi" and _mostly_latin(text_words))
            return Detection(prior, guess.confidence, romanized, kept_prior=True)
        return guess

    def _guess(self, text: str, text_words: list[str]) -> Detection:
        scripts = Counter(script_of(w) for w in text_words)
        scripts.pop("Other", None)
        if not scripts:
            return Detection("en", 0.0, False)
        native = [(n, c) for n, c in scripts.most_common() if n != "Latin"]
        if native and native[0][1] * 3 >= scripts.get("Latin", 0):
            script = native[0][0]
            if script == "Devanagari":
                return self._devanagari(text, text_words)
            return Detection(_SCRIPT_LANGUAGE[script], 0.99, False)
        return self._latin(text, text_words)

    def _devanagari(self, text: str, text_words: list[str]) -> Detection:
        scores = {lang: self._function_hits(text_words, lang) for lang in _DEVANAGARI_LANGUAGES}
        if not _decisive(scores):
            for lang, prob in self._langdetect_probs(text, _DEVANAGARI_LANGUAGES).items():
                scores[lang] += prob * 1.5
        best = max(scores, key=lambda lang: scores[lang])
        total = sum(scores.values())
        if total == 0:
            return Detection("hi", 0.5, False)
        # Both share the script, so even an unsure split is a confident "Indic, Devanagari" answer.
        return Detection(best, max(0.5, scores[best] / total), False)

    def _latin(self, text: str, text_words: list[str]) -> Detection:
        scores = dict.fromkeys((*_LATIN_LANGUAGES, "hi"), 0.0)
        for lang in _LATIN_LANGUAGES:
            scores[lang] += self._function_hits(text_words, lang)
        scores["hi"] += self._romanized_hindi_hits(text_words)
        for lang, weight in self._domain_evidence(text_words).items():
            scores[lang] += weight
        if len(text) >= 12 and not _decisive(scores):
            weight = 2.0 if len(text) >= 30 else 1.0
            for lang, prob in self._langdetect_probs(text, _LATIN_LANGUAGES).items():
                scores[lang] += prob * weight
        best = max(scores, key=lambda lang: scores[lang])
        if scores[best] == 0:
            return Detection("en", 0.0, False)
        ranked = sorted(scores.values(), reverse=True)
        share = scores[best] / sum(scores.values())
        margin = (ranked[0] - ranked[1]) / ranked[0]
        strength = min(1.0, scores[best] / 2.0)
        confidence = round(strength * (0.5 * share + 0.5 * margin), 3)
        return Detection(best, confidence, best == "hi")

    def _function_hits(self, text_words: list[str], lang: str) -> float:
        vocabulary = self._function_words.get(lang, set())
        return float(sum(1 for w in text_words if w in vocabulary))

    def _romanized_hindi_hits(self, text_words: list[str]) -> float:
        score = 0.0
        for word in text_words:
            if word in self._hindi_ambiguous:
                score += 0.3
            elif word in self._hindi_words:
                score += 1.0
        return score

    def _domain_evidence(self, text_words: list[str]) -> dict[str, float]:
        """Farm words say which language they belong to ('mahindi' is Swahili, 'gehu' Hindi)."""
        evidence: dict[str, float] = {}
        by_start: dict[int, set[str]] = {}
        for hit in self._domain.find(text_words):
            language = "hi" if hit.language == ROMANIZED_HINDI else hit.language
            if language in (*_LATIN_LANGUAGES, "hi"):
                by_start.setdefault(hit.start, set()).add(language)
        for languages in by_start.values():
            for language in languages:
                evidence[language] = evidence.get(language, 0.0) + 0.8 / len(languages)
        return evidence

    def _langdetect_probs(self, text: str, allowed: Iterable[str]) -> dict[str, float]:
        allowed = tuple(allowed)
        try:
            detector = self._langdetect.create()
            detector.append(text)
            probs = {p.lang: p.prob for p in detector.get_probabilities() if p.lang in allowed}
        except LangDetectException:
            return {}
        total = sum(probs.values())
        return {lang: prob / total for lang, prob in probs.items()} if total else {}


def _decisive(scores: dict[str, float]) -> bool:
    """Lexical evidence so clear that langdetect (the slow part) could not change the answer."""
    ranked = sorted(scores.values(), reverse=True)
    return ranked[0] >= 3 and ranked[0] - ranked[1] >= 2.5


def _mostly_latin(text_words: list[str]) -> bool:
    return bool(text_words) and all(script_of(w) in ("Latin", "Other") for w in text_words)


def _domain_terms_by_language(lexicon_dir: Path) -> dict[str, dict[str, list[str]]]:
    """All farm words of all lexicons, keyed by nothing but kept with their language."""
    merged: dict[str, dict[str, list[str]]] = {}
    for name in ("crops.yaml", "animals.yaml", "pests.yaml", "topics.yaml", "greetings.yaml"):
        for key, by_language in load_term_lexicon(lexicon_dir / name).items():
            merged[f"{name}:{key}"] = by_language
    return merged


def _seeded_factory() -> DetectorFactory:
    """A private langdetect factory with only the languages it is asked about, seeded.

    Fewer profiles make each call several times faster, and langdetect is random unless seeded.
    """
    profiles_dir = Path(langdetect.__file__).parent / "profiles"
    factory = DetectorFactory()
    factory.load_json_profile(
        [
            (profiles_dir / lang).read_text(encoding="utf-8")
            for lang in (*_LATIN_LANGUAGES, *_DEVANAGARI_LANGUAGES)
        ]
    )
    factory.set_seed(0)
    return factory
