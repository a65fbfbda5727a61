"""Multilingual term matching: finds lexicon terms (crop names, topic words, ...) in a message.

Matching rules (also in knowledge/README.md): text is NFC-normalized, case-folded and cut into words.
A term matches when its words appear in order. In non-Latin scripts the last word of a term matches as
a word prefix, because Indic and Dravidian languages attach case endings to words (వరి → వరిలో).
In Latin script a term matches whole words, accents ignored, plural `s`/`es` allowed; a term ending
in `*` matches as a prefix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)?")
_LATIN_WORD = regex.compile(r"^[\p{Latin}\p{M}\p{N}'’]+$")
# Spelling variation that carries no meaning for matching: nukta, candrabindu vs anusvara, joiners.
_FOLD = str.maketrans({"\u093c": None, "\u0901": "\u0902", "\u200c": None, "\u200d": None, "’": "'"})


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """The comparable form of one word: case-folded; Latin without accents; Indic spelling folded."""
    word = unicodedata.normalize("NFC", word).casefold().translate(_FOLD)
    if _LATIN_WORD.match(word):
        word = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return word


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return [fold_word(w) for w in _WORD.findall(text)]


def is_latin(word: str) -> bool:
    return bool(_LATIN_WORD.match(word))


def _latin_variants(word: str) -> tuple[str, ...]:
    variants = [word]
    if len(word) > 3 and word.endswith("es"):
        variants.append(word[:-2])
    if len(word) > 2 and word.endswith("s"):
        variants.append(word[:-1])
    return tuple(variants)


@dataclass(frozen=True)
class Hit:
    key: str  # what the term stands for: a crop id, a topic, a language ...
    term: str
    language: str
    start: int  # index of the first matched word
    length: int  # number of words matched


@dataclass(frozen=True)
class _Term:
    key: str
    language: str
    text: str
    parts: tuple[str, ...]
    prefix: bool


class TermIndex:
    """Finds the terms of a {key: {language: [terms]}} lexicon in a list of words."""

    def __init__(self, entries: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        self._exact: dict[str, list[_Term]] = {}
        self._prefix_single: dict[str, list[_Term]] = {}
        for key, by_language in entries.items():
            for language, terms in by_language.items():
                for raw in terms:
                    self._add(key, language, str(raw))

    def _add(self, key: str, language: str, raw: str) -> None:
        star = raw.rstrip().endswith("*")
        parts = tuple(words(raw.rstrip("* ")))
        if not parts:
            return
        prefix = star or (not is_latin(parts[-1]) and len(parts[-1]) >= 2)
        term = _Term(key, language, raw, parts, prefix)
        if len(parts) == 1 and prefix:
            self._prefix_single.setdefault(parts[0], []).append(term)
        else:
            self._exact.setdefault(parts[0], []).append(term)

    def find(self, text_words: list[str]) -> list[Hit]:
        """Every term found in the words; a word may belong to several terms."""
        hits: list[Hit] = []
        for i, word in enumerate(text_words):
            forms = _latin_variants(word) if is_latin(word) else (word,)
            for form in forms:
                for term in self._exact.get(form, ()):
                    if self._rest_matches(term, text_words, i):
                        hits.append(Hit(term.key, term.text, term.language, i, len(term.parts)))
            for end in range(len(word), 1, -1):
                for term in self._prefix_single.get(word[:end], ()):
                    hits.append(Hit(term.key, term.text, term.language, i, 1))
        return _dedupe(hits)

    @staticmethod
    def _rest_matches(term: _Term, text_words: list[str], start: int) -> bool:
        if start + len(term.parts) > len(text_words):
            return False
        for offset, part in enumerate(term.parts[1:], start=1):
            word = text_words[start + offset]
            last = offset == len(term.parts) - 1
            if last and term.prefix:
                if not word.startswith(part):
                    return False
            elif part not in (_latin_variants(word) if is_latin(word) else (word,)):
                return False
        return True


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str, int]] = set()
    unique = []
    for hit in hits:
        mark = (hit.key, hit.language, hit.start)
        if mark not in seen:
            seen.add(mark)
            unique.append(hit)
    return unique


# libyaml's parser is about ten times faster than the pure-Python one; start-up reads thousands of terms.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_YAML_LOADER)  # a safe loader: plain data only


def load_term_lexicon(path: Path) -> dict[str, dict[str, list[str]]]:
    """A {key: {language: [terms]}} lexicon file; a missing file is an empty lexicon."""
    if not path.exists():
        return {}
    data = load_yaml(path) or {}
    return {
        str(key): {str(lang): [str(t) for t in (terms or [])] for lang, terms in (langs or {}).items()}
        for key, langs in data.items()
    }
