"""What a message is about: one of nine topics, and the crops, animals and pests it names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bot.languages import ROMANIZED_HINDI
from bot.lexicon import Hit, TermIndex, fold_word, load_term_lexicon, load_yaml, words

TOPICS: tuple[str, ...] = (
    "crop",
    "pest",
    "soil",
    "weather",
    "irrigation",
    "market",
    "livestock",
    "scheme",
    "other",
)
# When scores tie, the more specific (and riskier) topic wins.
_PRIORITY = ("pest", "livestock", "weather", "irrigation", "soil", "market", "scheme", "crop")

# Weights: words in the farmer's own language count fully; the same word listed only in another
# language still counts (code-mixing, misdetection) but less.
_OWN_LANGUAGE = 1.0
_OTHER_LANGUAGE = 0.5
# Scheme and market words name what the farmer wants done ("loan", "price"); crop, animal and soil
# words often only name what it is about, so the intent words weigh more.
_INTENT_WEIGHT = {"scheme": 2.0, "market": 1.5}


@dataclass(frozen=True)
class Route:
    topic: str
    confidence: float
    crops: list[str] = field(default_factory=list)  # crop and animal ids, in order of mention
    pests: list[str] = field(default_factory=list)
    courtesy: str | None = None  # "greeting" or "thanks" when that is all the message is


class Router:
    """Routes a message by multilingual lexicons; built once, then cheap to call."""

    def __init__(self, lexicon_dir: Path) -> None:
        self._topics = TermIndex(load_term_lexicon(lexicon_dir / "topics.yaml"))
        self._courtesy = TermIndex(load_term_lexicon(lexicon_dir / "greetings.yaml"))
        self._crops = TermIndex(load_term_lexicon(lexicon_dir / "crops.yaml"))
        self._animals = TermIndex(load_term_lexicon(lexicon_dir / "animals.yaml"))
        self._pests = TermIndex(load_term_lexicon(lexicon_dir / "pests.yaml"))
        function_words = load_yaml(lexicon_dir / "function_words.yaml") or {}
        self._function_words = {lang: {fold_word(str(w)) for w in ws} for lang, ws in function_words.items()}
        hindi_path = lexicon_dir / "romanized_hindi.yaml"
        hindi = (load_yaml(hindi_path) or {}) if hindi_path.exists() else {}
        # A romanized Hindi word ("rat": night) is no English pest name in a Hindi message.
        self._own_words = {"hi": {fold_word(str(w)) for w in hindi.get("words", [])}}
        ids = load_yaml(lexicon_dir / "ids.yaml") or {}
        self._animal_pests = set(ids.get("animal_pests", []))

    def route(self, text: str, language: str) -> Route:
        """`route("gehu me peela pan", "hi")` → Route(topic="pest", crops=["wheat"], ...)."""
        text_words = words(text)
        own = {language, "en"} | ({ROMANIZED_HINDI} if language == "hi" else set())
        find = partial(self._find, text_words=text_words, language=language)
        crops = _ordered_keys(find(self._crops))
        animals = _ordered_keys(find(self._animals))
        pests = _ordered_keys(find(self._pests))
        scores = dict.fromkeys(TOPICS[:-1], 0.0)
        # A word listed in many languages still counts once, at its best weight.
        weights: dict[tuple[str, int], float] = {}
        for hit in _longest(find(self._topics)):
            weight = _OWN_LANGUAGE if hit.language in own else _OTHER_LANGUAGE
            weight *= _INTENT_WEIGHT.get(hit.key, 1.0)
            mark = (hit.key, hit.start)
            weights[mark] = max(weights.get(mark, 0.0), weight)
        for (topic, _start), weight in weights.items():
            scores[topic] += weight
        for pest in pests:
            scores["livestock" if pest in self._animal_pests else "pest"] += 1.5
        if animals:
            scores["livestock"] += 1.5
        best = max(_PRIORITY, key=lambda topic: scores[topic])
        entities = crops + animals
        if scores[best] == 0:
            courtesy = self._courtesy_kind(text_words)
            if crops and not courtesy:
                return Route("crop", 0.5, entities, pests)
            return Route("other", 0.9 if courtesy else 0.3, entities, pests, courtesy)
        total = sum(scores.values())
        return Route(best, round(scores[best] / total, 3), entities, pests)

    def function_words(self) -> set[str]:
        """The small words of every language, which say nothing about a card's subject."""
        words_: set[str] = set()
        return words_.union(*self._function_words.values())

    def _find(self, index: TermIndex, text_words: list[str], language: str) -> list[Hit]:
        """Hits, less another language's term that is only a small word of this one (fr 'thé', en 'the')."""
        small = self._function_words.get(language, set()) | self._own_words.get(language, set())
        own = {language, ROMANIZED_HINDI} if language == "hi" else {language}
        return [
            hit
            for hit in index.find(text_words)
            if hit.language in own or hit.length > 1 or text_words[hit.start] not in small
        ]

    def _courtesy_kind(self, text_words: list[str]) -> str | None:
        hits = self._courtesy.find(text_words)
        if not hits:
            return None
        # Courtesy only when it is most of the message: "hello, my wheat..." is a question.
        covered = sum(hit.length for hit in _longest(hits))
        if covered * 2 < len(text_words):
            return None
        return "thanks" if any(hit.key == "thanks" for hit in hits) else "greeting"


def _ordered_keys(hits: Iterable[Hit]) -> list[str]:
    keys: list[str] = []
    for hit in sorted(_longest(hits), key=lambda h: h.start):
        if hit.key not in keys:
            keys.append(hit.key)
    return keys


def _longest(hits: Iterable[Hit]) -> list[Hit]:
    """Drops hits inside a longer hit of the same key, so 'leaf curl virus' counts once."""
    hits = sorted(hits, key=lambda h: (-h.length, h.start))
    taken: list[Hit] = []
    for hit in hits:
        span = range(hit.start, hit.start + hit.length)
        if any(t.key == hit.key and t.start <= span[0] and span[-1] < t.start + t.length for t in taken):
            continue
        taken.append(hit)
    return taken
