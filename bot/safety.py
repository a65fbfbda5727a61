"""Safety checks on what comes in: prompt-injection attempts and questions about human health."""

from __future__ import annotations

from pathlib import Path

import regex

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
