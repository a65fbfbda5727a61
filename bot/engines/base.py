"""The engine interface every answer goes through."""

from __future__ import annotations

import datetime as dt
import threading
import time
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
class FarmerContext:
    place: str | None = None
    crops: tuple[tuple[str, dt.date | None], ...] = ()  # (crop id, sowing date)
    today: dt.date | None = None

    def describe(self) -> str:
        parts = []
        if self.place:
            parts.append(f"The farmer is in {self.place}.")
        for crop, sown in self.crops:
            if sown and self.today:
                parts.append(f"{crop} sown {(self.today - sown).days} days ago.")
            else:
                parts.append(f"Grows {crop}.")
        if self.today:
            parts.append(f"Today is {self.today:%d %B %Y}.")
        return " ".join(parts)


@dataclass(frozen=True)
class GenerationRequest:
    question: str
    language: str
    route: Route
    matches: list[Match]
    history: list[Turn] = field(default_factory=list)
    context: FarmerContext | None = None


@dataclass(frozen=True)
class Generation:
    text: str
    engine: str
    card_ids: list[str]
    model: str | None = None
    prompt_tokens: int | None = None
    reply_tokens: int | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class GenerationControl:
    """Lets others stop a generation: the queue (cancel, wall-clock deadline) or the safety guard."""

    deadline: float | None = None  # a time.monotonic() value
    _reason: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def stop(self, reason: str) -> None:
        with self._lock:
            self._reason = self._reason or reason

    def should_stop(self) -> str | None:
        """Why the generation must stop now ("cancelled", "timeout", "unsafe", ...), or None."""
        if self._reason is None and self.deadline is not None and time.monotonic() >= self.deadline:
            self.stop("timeout")
        return self._reason


class Engine(Protocol):
    name: str

    def generate(
        self,
        request: GenerationRequest,
        on_text: OnText | None = None,
        control: GenerationControl | None = None,
    ) -> Generation: ...
