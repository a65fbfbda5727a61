"""A farmer who sends many messages at once gets one polite notice, not one answer or notice each."""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable


class Verdict(enum.Enum):
    OK = "ok"
    FLOOD_NOTIFY = "notify"  # the first message over the limit: say so, once
    FLOOD_QUIET = "quiet"  # later ones in the same burst: keep them, say nothing


class FloodGuard:
    def __init__(
        self, max_messages: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max = max_messages
        self._window = window_s
        self._clock = clock
        self._arrivals: dict[int, deque[float]] = {}
        self._notified: set[int] = set()

    def arrived(self, chat_id: int) -> Verdict:
        now = self._clock()
        arrivals = self._arrivals.setdefault(chat_id, deque())
        while arrivals and arrivals[0] <= now - self._window:
            arrivals.popleft()
        arrivals.append(now)
        if len(arrivals) <= self._max:
            if len(arrivals) == 1:
                self._notified.discard(chat_id)  # a quiet window ends the burst
            return Verdict.OK
        if chat_id in self._notified:
            return Verdict.FLOOD_QUIET
        self._notified.add(chat_id)
        return Verdict.FLOOD_NOTIFY

    def forget(self, chat_id: int) -> None:
        self._arrivals.pop(chat_id, None)
        self._notified.discard(chat_id)
