"""The engine interface every answer goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.card_search import Match
from bot.routing import Route

#: Receives each piece of the answer as it is produced (for streaming doors).
OnText = Callable[[str], None]


@dataclass(frozen=True)
class Turn:
    role: str  # "farmer" or "bot"
    text: str


@dataclass(frozen=True)
class GenerationRequest:
    question: str
    language: str
    route: Route
    matches: list[Match]
    history: list[Turn] = field(default_factory=list)


@dataclass(frozen=True)
class Generation:
    text: str
    engine: str
    card_ids: list[str]
    model: str | None = None
    prompt_tokens: int | None = None
    reply_tokens: int | None = None
    flags: list[str] = field(default_factory=list)


class Engine(Protocol):
    name: str

    def generate(self, request: GenerationRequest, on_text: OnText | None = None) -> Generation: ...
