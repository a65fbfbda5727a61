"""Advisory cards: the curated advice kisanbot answers from, loaded from `knowledge/` and checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.languages import ROMANIZED_HINDI, SUPPORTED
from bot.lexicon import load_yaml

Topic = Literal["crop", "pest", "soil", "weather", "irrigation", "market", "livestock", "scheme", "other"]
Region = Literal["south-asia", "sub-saharan-africa", "latin-america", "global"]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    institution: str = Field(min_length=2)
    document: str = Field(min_length=2)


class Card(BaseModel):
    """One piece of advice, with its words for farmers in every language and its specifics in English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    topic: Topic
    crops: list[str]
    pests: list[str]
    regions: list[Region] = Field(min_length=1)
    risk: Literal["low", "medium", "high"]
    last_reviewed: dt.date
    sources: list[Source] = Field(min_length=1)
    names: dict[str, list[str]]
    title: dict[str, str]
    summary: dict[str, str]
    body: str = Field(min_length=20)

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]

    def summary_in(self, language: str) -> str:
        return self.summary.get(language) or self.summary["en"]


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def card_files(knowledge_dir: Path) -> list[Path]:
    return sorted((knowledge_dir / "cards").glob("*/*.yaml"))


def load_cards(knowledge_dir: Path) -> list[Card]:
    """Every valid card; `check` reports the invalid ones, which are left out here."""
    cards = []
    for path in card_files(knowledge_dir):
        try:
            cards.append(Card.model_validate(load_yaml(path)))
        except (ValidationError, ValueError, OSError):
            continue
    return cards


# --- checks ------------------------------------------------------------------------------------

_NUMBER = r"(?>\d+(?:[.,]\d+)?(?:\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?)?)"
# A dose is announced by "at", "@", "dose of" or "apply": the number after it needs a unit or a
# counted thing ("5 ml", "5 traps"), so a number running straight into "per", "of" or the end of
# the sentence lacks one.
_DOSE_WITHOUT_UNIT = regex.compile(
    rf"(?:\bat\b|@|\bdose of\b|\bapply\b)\s+{_NUMBER}(?=\s*(?:per\b|of\b|/|[.;)]|$|and\b|or\b))",
    regex.IGNORECASE | regex.MULTILINE,
)
# A pesticide-style rate: so much per litre of water, per kg of seed, per tank.
CHEMICAL_DOSE = regex.compile(
    rf"{_NUMBER}\s*(?:ml|g|gm|grams?|mg|cc|kg)\s*(?:/\s*(?:l|litre|liter|kg seed|tank)\b|per\s+"
    r"(?:l\b|litres?|liters?|kg of seed|kg seed|tank|pump|16|15|10))",
    regex.IGNORECASE,
)
_NEGATION = regex.compile(
    r"\b(?:ban|banned|never|not|don't|avoid|prohibited|restricted|withdrawn|illegal|no longer)\b",
    regex.IGNORECASE,
)
_SENTENCE = regex.compile(r"[^.!?\n]+")


def banned_names(knowledge_dir: Path) -> dict[str, str]:
    """Every banned or restricted chemical's name and alias (lower case) → its canonical name."""
    path = knowledge_dir / "lexicon" / "banned_pesticides.yaml"
    if not path.exists():
        return {}
    names: dict[str, str] = {}
    for entry in load_yaml(path) or []:
        canonical = str(entry["name"])
        for name in [canonical, *(entry.get("aliases") or [])]:
            names[str(name).lower()] = canonical
    return names


def _mentions(text: str, name: str) -> bool:
    return bool(
        regex.search(rf"(?<![\p{{L}}\p{{N}}-]){regex.escape(name)}(?![\p{{L}}\p{{N}}])", text, regex.I)
    )


def recommended_banned(text: str, banned: dict[str, str]) -> list[str]:
    """Banned chemicals named in `text` other than in a sentence that warns against them."""
    found = []
    for sentence in _SENTENCE.findall(text):
        if _NEGATION.search(sentence):
            continue
        found += [canonical for name, canonical in banned.items() if _mentions(sentence, name)]
    return sorted(set(found))


def check(knowledge_dir: Path) -> tuple[list[Card], list[Problem]]:
    """Validates every card and lexicon reference; returns the valid cards and every problem."""
    ids = load_yaml(knowledge_dir / "lexicon" / "ids.yaml") or {}
    known_entities = set(ids.get("crops", {})) | set(ids.get("animals", {}))
    known_pests = set(ids.get("pests", {}))
    banned = banned_names(knowledge_dir)
    cards: list[Card] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in card_files(knowledge_dir):
        where = str(path.relative_to(knowledge_dir))
        try:
            card = Card.model_validate(load_yaml(path))
        except (ValidationError, ValueError) as error:
            problems.append(Problem(where, _short_error(error)))
            continue
        problems += [
            Problem(where, what) for what in _card_problems(card, path, known_entities, known_pests, banned)
        ]
        if card.id in seen:
            problems.append(Problem(where, f"id {card.id!r} also used by {seen[card.id].name}"))
        seen[card.id] = path
        cards.append(card)
    if not cards:
        problems.append(Problem("cards", "no cards found"))
    return cards, problems


def _card_problems(
    card: Card, path: Path, entities: set[str], pests: set[str], banned: dict[str, str]
) -> Iterator[str]:
    if card.id != path.stem:
        yield f"id {card.id!r} differs from the file name"
    if card.topic != path.parent.name:
        yield f"topic {card.topic!r} differs from the folder {path.parent.name!r}"
    for field_name, expected in (
        ("title", SUPPORTED),
        ("summary", SUPPORTED),
        ("names", (*SUPPORTED, ROMANIZED_HINDI)),
    ):
        values = getattr(card, field_name)
        missing = [lang for lang in expected if not values.get(lang)]
        if missing:
            yield f"{field_name} lacks {', '.join(missing)}"
    for crop in card.crops:
        if crop not in entities:
            yield f"unknown crop or animal id {crop!r} (see lexicon/ids.yaml)"
    for pest in card.pests:
        if pest not in pests:
            yield f"unknown pest id {pest!r} (see lexicon/ids.yaml)"
    for match in _DOSE_WITHOUT_UNIT.finditer(card.body):
        yield f"dose without a unit: {match.group(0)!r}"
    if CHEMICAL_DOSE.search(card.body) and card.risk != "high":
        yield "the body gives a chemical dose, so risk must be high"
    for language, summary in card.summary.items():
        if CHEMICAL_DOSE.search(summary):
            yield f"summary[{language}] gives a chemical dose; doses belong in the body"
    texts = [card.body, *card.summary.values(), *card.title.values()]
    for chemical in sorted({c for text in texts for c in recommended_banned(text, banned)}):
        yield f"recommends banned or restricted chemical {chemical!r}"
    if card.topic == "livestock" and not regex.search(r"\bvet", card.summary["en"], regex.I):
        yield "a livestock card must tell the farmer to call a veterinarian"


def _short_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
    return str(error)
