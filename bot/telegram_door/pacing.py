"""Pacing of everything sent to Telegram: about one message a second per chat, a cap overall.

Telegram punishes bursts with 429 penalties of up to minutes; waiting a little beforehand is cheaper."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pacer:
    """Hands out send slots; `await pacer.wait(chat_id)` returns when this chat may be sent to."""

    def __init__(
        self, chat_interval_s: float, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._chat_interval = chat_interval_s
        self._global_interval = 1.0 / per_second
        self._clock = clock
        self._next_global = 0.0
        self._next_for_chat: dict[int, float] = {}
        self._paused_until = 0.0

    async def wait(self, chat_id: int) -> None:
        now = self._clock()
        # Reserve the slot before sleeping: no await between reading and writing, so no lock needed.
        slot = max(now, self._next_global, self._next_for_chat.get(chat_id, 0.0), self._paused_until)
        self._next_global = slot + self._global_interval
        self._next_for_chat[chat_id] = slot + self._chat_interval
        self._forget_idle_chats(now)
        if slot > now:
            await asyncio.sleep(slot - now)
        while (left := self._paused_until - self._clock()) > 0:  # a 429 arrived while we slept
            await asyncio.sleep(left)

    def pause(self, seconds: float) -> None:
        """Telegram said 429 retry_after: nothing goes out until then."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def _forget_idle_chats(self, now: float) -> None:
        if len(self._next_for_chat) > 10_000:
            self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}
