"""Showing an answer while it is written: "typing…" and an ephemeral draft (sendMessageDraft).

The model writes in a worker thread; pieces cross into the event loop thread-safely. Drafts are
paced (Telegram counts them against flood limits) and never sent after the answer is final: the
final text goes through the outbox like every other message."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.message_text import split_for_delivery
from bot.telegram_door.pacing import Pacer

log = logging.getLogger(__name__)

#: "typing…" lasts about 5 s on the farmer's screen.
TYPING_EVERY_S = 4.5
_draft_ids = itertools.count(1)
T = TypeVar("T")


class AnswerStream:
    def __init__(self, bot: Bot, chat_id: int, pacer: Pacer, draft_interval_s: float) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._pacer = pacer
        self._interval = draft_interval_s
        self._loop = asyncio.get_running_loop()
        self._text = ""
        self._shown = ""
        self._changed = asyncio.Event()
        self._draft_id = next(_draft_ids)
        self._drafts_work = True
        self._tasks: list[asyncio.Task[None]] = []

    async def begin(self) -> None:
        """Shows "typing…" once (awaited, so it comes before the answer) and keeps it up."""
        await self._typing()
        self._tasks = [
            asyncio.create_task(self._keep_typing()),
            asyncio.create_task(self._draft_loop()),
        ]

    def feed(self, piece: str) -> None:
        """Called from the worker thread with each new piece of the answer."""
        self._loop.call_soon_threadsafe(self._append, piece)

    async def end(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _append(self, piece: str) -> None:
        self._text += piece
        self._changed.set()

    async def _typing(self) -> None:
        try:
            await _finish_anyway(self._bot.send_chat_action(self._chat_id, ChatAction.TYPING, read_timeout=3))
        except TelegramError as exc:  # cosmetic: never let it stop the answer
            log.debug("typing action failed: %s", type(exc).__name__)

    async def _keep_typing(self) -> None:
        while True:
            await asyncio.sleep(TYPING_EVERY_S)
            await self._typing()

    async def _draft_loop(self) -> None:
        while self._drafts_work:
            await self._changed.wait()
            self._changed.clear()
            await asyncio.sleep(self._interval)  # gather more text; never more than one draft per interval
            text = split_for_delivery(self._text.strip())[-1] if self._text.strip() else ""
            if not text or text == self._shown:
                continue
            await self._pacer.wait(self._chat_id)
            try:
                await _finish_anyway(self._bot.send_message_draft(self._chat_id, self._draft_id, text))
                self._shown = text
            except TelegramError as exc:  # an old client or server without drafts: typing only
                log.debug("draft failed, streaming off for this answer: %s", type(exc).__name__)
                self._drafts_work = False


async def _finish_anyway(request: Coroutine[Any, Any, T]) -> T:
    """Awaits a Bot API call that a cancelled answer must not interrupt half way (a request cut
    mid-flight can leave a pooled connection unusable); its late outcome is consumed, not left
    as an "exception was never retrieved"."""
    task = asyncio.ensure_future(request)
    task.add_done_callback(_consume)
    return await asyncio.shield(task)


def _consume(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.debug("a cosmetic Bot API call failed after its answer moved on: %s", type(exc).__name__)
