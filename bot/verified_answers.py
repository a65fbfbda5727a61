"""Verified answers: what officers approved or wrote, given at once to a later question of the same
meaning — same language and topic, the same crop or pest, and mostly the same words."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.lexicon import words
from bot.storage.models import VerifiedAnswer

#: Share of the two questions' words they must have in common (Jaccard), after the crop and pest match.
SIMILAR = 0.5


def similarity(a: str, b: str) -> float:
    first, second = set(words(a)), set(words(b))
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def find(
    session: Session, language: str, topic: str | None, crops: list[str], pests: list[str], question: str
) -> VerifiedAnswer | None:
    """The best active verified answer for this question, or None."""
    candidates = session.scalars(
        select(VerifiedAnswer).where(
            VerifiedAnswer.active.is_(True),
            VerifiedAnswer.language == language,
            VerifiedAnswer.topic == topic,
        )
    )
    best, best_score = None, SIMILAR
    for candidate in candidates:
        if set(candidate.crops) != set(crops) or set(candidate.pests) != set(pests):
            continue
        score = similarity(candidate.question, question)
        if score >= best_score:
            best, best_score = candidate, score
    return best
