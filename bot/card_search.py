"""Finding the cards that answer a message: SQLite FTS5 over every language, plus crop, pest and topic.

Text is cut into words by `bot.lexicon.words` before it reaches FTS5, so Indic words stay whole
(FTS5's own tokenizer splits them at vowel signs).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.knowledge import Card
from bot.lexicon import TermIndex, words
from bot.routing import Route

# How much each kind of evidence counts. A named pest or local name is the strongest sign.
_NAME_MATCH = 2.5
_PEST_MATCH = 3.0
_CROP_MATCH = 2.0
_CROP_MISMATCH = -1.5
_TOPIC_MATCH = 1.5
_TEXT_MATCH = 2.0
#: Below this a card is not shown: better to say "I don't know" than to answer off the point.
MIN_SCORE = 2.5

_MAX_QUERY_WORDS = 40
#: Only the best-ranked text matches are scored further; the long tail never reaches the top five.
_MAX_TEXT_CANDIDATES = 30


@dataclass(frozen=True)
class Match:
    card: Card
    score: float


class CardSearch:
    """An in-memory FTS5 index of the cards, rebuilt at start (a few hundred cards take milliseconds)."""

    def __init__(self, cards: Sequence[Card], stopwords: Iterable[str] = ()) -> None:
        self._cards = {card.id: card for card in cards}
        self._stopwords = frozenset(stopwords)
        self._entities = {card.id: (frozenset(card.pests), frozenset(card.crops)) for card in cards}
        self._names = TermIndex({card.id: card.names for card in cards})
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE card_text USING fts5(card_id UNINDEXED, names, title, summary, body,"
            " tokenize = \"unicode61 remove_diacritics 0 categories 'L* M* N* Co'\")"
        )
        rows = [
            (
                card.id,
                _indexable(" ; ".join(n for names in card.names.values() for n in names)),
                _indexable(" ; ".join(card.title.values())),
                _indexable(" ; ".join(card.summary.values())),
                _indexable(card.body),
            )
            for card in cards
        ]
        self._db.executemany("INSERT INTO card_text VALUES (?, ?, ?, ?, ?)", rows)
        # Each card's words, sorted, to count which query words (or prefixes) it holds.
        self._vocabulary = {row[0]: sorted(set(" ".join(row[1:]).split())) for row in rows}

    def __len__(self) -> int:
        return len(self._cards)

    def ids(self) -> list[str]:
        return list(self._cards)

    def get(self, card_id: str) -> Card | None:
        return self._cards.get(card_id)

    def search(self, text: str, route: Route | None = None, limit: int = 5) -> list[Match]:
        """The best cards for a message, best first, at most `limit`, none below MIN_SCORE."""
        text_words = words(text)
        scores: dict[str, float] = {}
        for card_id, text_score in self._text_scores(text_words).items():
            scores[card_id] = scores.get(card_id, 0.0) + _TEXT_MATCH * text_score
        for card_id in {hit.key for hit in self._names.find(text_words)}:
            scores[card_id] = scores.get(card_id, 0.0) + _NAME_MATCH
        if route is not None:
            self._add_route_scores(scores, route)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [Match(self._cards[cid], round(s, 3)) for cid, s in ranked if s >= MIN_SCORE][:limit]

    def _add_route_scores(self, scores: dict[str, float], route: Route) -> None:
        route_pests, route_crops = set(route.pests), set(route.crops)
        for card in self._cards.values():
            card_pests, card_crops = self._entities[card.id]
            pest = not route_pests.isdisjoint(card_pests)
            crop = not route_crops.isdisjoint(card_crops)
            other_crop = bool(route.crops and card.crops and not crop)
            topic = route.topic == card.topic
            score = (
                _PEST_MATCH * pest + _CROP_MATCH * crop + _CROP_MISMATCH * other_crop + _TOPIC_MATCH * topic
            )
            # A topic alone is no evidence: a card needs its own words, its pest, or its crop and topic.
            if card.id in scores or pest or (crop and topic):
                scores[card.id] = scores.get(card.id, 0.0) + score

    def _text_scores(self, text_words: list[str]) -> dict[str, float]:
        """Per card: the share of the message's words it contains, weighted by its BM25 rank.

        Coverage keeps one rare word from making an unrelated card look like the best one; small
        words ("how", "my", "ka") are left out because every card has them.
        """
        terms = [
            w.replace("'", "") for w in dict.fromkeys(text_words) if len(w) >= 2 and w not in self._stopwords
        ][:_MAX_QUERY_WORDS]
        if not terms:
            return {}
        queries = [f'"{t}"*' if len(t) >= 4 else f'"{t}"' for t in terms]
        rows = self._db.execute(_MATCH_RANKS, (" OR ".join(queries),)).fetchall()
        if not rows:
            return {}
        rows = sorted(rows, key=lambda row: row[1])[:_MAX_TEXT_CANDIDATES]  # bm25: lower is better
        best = rows[0][1]
        return {
            card_id: self._coverage(card_id, terms) * (0.5 + 0.5 * (rank / best if best < 0 else 1.0))
            for card_id, rank in rows
        }

    def _coverage(self, card_id: str, terms: list[str]) -> float:
        """The share of `terms` the card holds, as FTS5 matches them (prefix for 4+ letters)."""
        vocabulary = self._vocabulary[card_id]
        held = 0
        for term in terms:
            at = bisect_left(vocabulary, term)
            if at < len(vocabulary) and (
                vocabulary[at] == term or (len(term) >= 4 and vocabulary[at].startswith(term))
            ):
                held += 1
        return held / len(terms)


_MATCH_RANKS = "SELECT card_id, bm25(card_text, 0, 4.0, 3.0, 1.0, 0.5) FROM card_text WHERE card_text MATCH ?"


def _indexable(text: str) -> str:
    return " ".join(w.replace("'", "") for w in words(text))
