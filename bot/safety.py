"""Safety checks on what comes in: prompt-injection attempts and questions about human health."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from bot.engines.base import GenerationControl, OnText
from bot.knowledge import Card
from bot.lexicon import TermIndex, load_term_lexicon, words

# Attempts to rewrite the assistant's rules, in the languages farmers write. The cards engine cannot
# be steered, but officers should see the attempt, and the model engine must never follow it.
_INJECTION = regex.compile(
    r"|".join(
        (
            r"\b(?:ignore|disregard|forget|override)\b.{0,30}\b(?:instructions?|rules|prompts?|guidelines)\b",
            r"\bsystem\s*prompt\b",
            r"\byou\s+are\s+now\b",
            r"\b(?:pretend|act)\s+(?:to\s+be|as|you)\b",
            r"\b(?:jailbreak|developer\s+mode|DAN\s+mode)\b",
            r"\breveal\b.{0,30}\b(?:instructions?|prompt|rules)\b",
            r"\bignora\w*\b.{0,30}\binstruc",  # es, pt
            r"\bignore[zr]?\b.{0,30}\binstructions?\b",  # fr
            r"\bpuuza\b.{0,30}\bmaagizo\b",  # sw
            r"(?:निर्देश|नियम)\w*.{0,20}(?:अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल)",  # hi
            r"\b(?:pichhle|pichle|purane)\s+(?:nirdesh|instructions?)\b",  # romanized hi
        )
    ),
    regex.IGNORECASE | regex.DOTALL,
)


def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


class HealthTerms:
    """Words that mean a person is ill or poisoned: such questions are pointed to a doctor."""

    def __init__(self, lexicon_dir: Path) -> None:
        self._index = TermIndex(load_term_lexicon(lexicon_dir / "health.yaml"))

    def concerns_a_person(self, text: str) -> bool:
        return any(hit.key == "human" for hit in self._index.find(words(text)))


# --- after generation ----------------------------------------------------------------------------

_NUMBER = regex.compile(r"\p{Nd}+(?:[.,]\p{Nd}+)?")


@dataclass(frozen=True)
class ReplyReview:
    """What the check found in a model's reply: `blocked` means it must not reach the farmer."""

    blocked: bool
    flags: list[str]


class ReplyCheck:
    """Checks every model reply: banned chemicals block it; numbers not in the cards are flagged.

    Any mention of a banned or restricted chemical blocks the reply, even a warning against it:
    a small model's "do not use X" too easily reads as "use X", and the cards say it better.
    """

    def __init__(self, banned: dict[str, str]) -> None:
        self._banned = banned
        names = sorted(banned, key=len, reverse=True)
        self._pattern = (
            regex.compile(
                r"(?<![\p{L}\p{N}])(?:" + "|".join(regex.escape(n) for n in names) + r")(?![\p{L}\p{N}])",
                regex.IGNORECASE,
            )
            if names
            else None
        )

    def banned_in(self, text: str) -> list[str]:
        if self._pattern is None:
            return []
        return sorted({self._banned[m.lower()] for m in self._pattern.findall(text)})

    def review(self, reply: str, cards: Sequence[Card]) -> ReplyReview:
        flags = []
        named = self.banned_in(reply)
        if named:
            return ReplyReview(True, [f"banned-chemical:{name}" for name in named])
        known = {
            _plain_number(n) for card in cards for n in _NUMBER.findall(card.body + " " + card.summary["en"])
        }
        unknown = sorted({_plain_number(n) for n in _NUMBER.findall(reply)} - known - {"0", "1", "2"})
        if unknown:
            flags.append("numbers-not-in-cards:" + ",".join(unknown[:5]))
        return ReplyReview(False, flags)


def _plain_number(text: str) -> str:
    """'५०' and '50' and '50.0' compare equal; a decimal comma reads as a point."""
    digits = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text).replace(",", ".")
    return digits.rstrip("0").rstrip(".") if "." in digits else digits.lstrip("0") or "0"


_SENTENCE_END = regex.compile(r"[.!?।॥۔\n]")


class GuardedStream:
    """Passes a model's text on sentence by sentence once checked, so no farmer ever sees a banned
    chemical's name mid-stream; on one it stops the generation."""

    def __init__(self, check: ReplyCheck, downstream: OnText | None, control: GenerationControl) -> None:
        self._check = check
        self._downstream = downstream
        self._control = control
        self._pending = ""
        self.released = ""
        self.blocked = False

    def __call__(self, piece: str) -> None:
        if self.blocked:
            return
        self._pending += piece
        ends = list(_SENTENCE_END.finditer(self._pending))
        if ends:
            cut = ends[-1].end()
            self._release(self._pending[:cut])
            self._pending = self._pending[cut:]

    def finish(self) -> None:
        if not self.blocked and self._pending:
            self._release(self._pending)
            self._pending = ""

    def _release(self, text: str) -> None:
        # Checked together with what went before: a name can be split across two pieces.
        if self._check.banned_in(self.released + text):
            self.blocked = True
            self._control.stop("unsafe")
            return
        self.released += text
        if self._downstream:
            self._downstream(text)
