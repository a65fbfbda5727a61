"""The outbox sender: delivers stored messages in order per chat, paced, and knows which failures
may be retried.

It owns its Bot and HTTP connection pool: the handlers' "typing" and draft calls (hundreds at once
in a burst) then never take the connections that final answers need. Measured: with one shared pool
of 16, a 600-update burst ran into pool timeouts and stalled delivery.

At-least-once for clear failures (429, 5xx, connection refused, connect timeout); at-most-once for
ambiguous ones (a read timeout may mean Telegram already delivered): those become `uncertain`."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

import httpx
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.storage import outbox
from bot.storage.models import OutboxMessage, utcnow
from bot.telegram_door.keyboards import from_json
from bot.telegram_door.pacing import Pacer

log = logging.getLogger(__name__)

CHANNEL = "telegram"
#: Chats delivered to at the same time (each still in its own order).
PARALLEL_CHATS = 16
_IDLE_WAIT_S = 5.0


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        sessions: sessionmaker[Session],
        pacer: Pacer,
        max_attempts: int = 8,
        backoff_max_s: float = 60.0,
        hard_timeout_s: float = 60.0,
    ) -> None:
        self._hard_timeout = hard_timeout_s
        self.bot = bot
        self._sessions = sessions
        self._pacer = pacer
        self._max_attempts = max_attempts
        self._backoff_max = backoff_max_s
        self._wake = asyncio.Event()
        self._busy_chats: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(PARALLEL_CHATS)
        self._runner: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begins delivering; messages a crash caught mid-send are marked uncertain first."""
        await self.bot.initialize()
        with self._sessions.begin() as session:
            stuck = outbox.recover_after_crash(session, CHANNEL)
        if stuck:
            log.warning("%d outgoing messages were being sent when the bot stopped: marked uncertain", stuck)
        self._runner = asyncio.create_task(self._run(), name="outbox-sender")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bot.shutdown()

    async def drain(self, timeout: float) -> bool:
        """Waits until nothing is pending (for tests and an orderly shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            with self._sessions() as session:
                if not outbox.counts(session).get("pending") and not self._busy_chats:
                    return True
            await asyncio.sleep(0.05)
        return False

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            wait = _IDLE_WAIT_S
            try:
                self._dispatch_due_chats()
                wait = self._idle_wait()
            except Exception:  # a database hiccup (locked, disk full) must not end delivery
                log.exception("outbox sweep failed")
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancel that
            # arrives as its timeout fires, leaving stop() waiting forever (seen in the tests).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    def _dispatch_due_chats(self) -> None:
        with self._sessions() as session:
            chats = outbox.chats_with_due_messages(session, CHANNEL, utcnow())
        for chat_id in chats:
            if chat_id in self._busy_chats:
                continue
            self._busy_chats.add(chat_id)
            task = asyncio.create_task(self._deliver_chat(chat_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _idle_wait(self) -> float:
        with self._sessions() as session:
            due = outbox.earliest_wakeup(session, CHANNEL)
        if due is None:
            return _IDLE_WAIT_S
        return min(_IDLE_WAIT_S, max(0.05, (due - utcnow()).total_seconds()))

    async def _deliver_chat(self, chat_id: int) -> None:
        try:
            async with self._slots:
                while (row := self._claim(chat_id)) is not None:
                    await self._send(row)
        except Exception:  # the row stays pending or sending; the next sweep or start sees it
            log.exception("delivery to a chat failed")
        finally:
            self._busy_chats.discard(chat_id)
            self.wake()  # a retry may now be due, or another chat waiting for a slot

    def _claim(self, chat_id: int) -> OutboxMessage | None:
        """Marks the chat's next due message `sending` (committed before the request goes out)."""
        with self._sessions.begin() as session:
            row = outbox.next_due(session, CHANNEL, chat_id, utcnow())
            if row is None:
                return None
            row.state = "sending"
            row.attempts += 1
            session.flush()
            session.expunge(row)
            return row

    async def _send(self, row: OutboxMessage) -> None:
        await self._pacer.wait(row.chat_id)
        try:
            # A backstop over httpx's own timeouts: one hung request must not hold its chat forever.
            async with asyncio.timeout(self._hard_timeout):
                sent = await self.bot.send_message(
                    row.chat_id, row.text, reply_markup=from_json(row.reply_markup)
                )
        except TimeoutError:
            log.warning("outbox %d: no answer in %.0f s; marked uncertain", row.id, self._hard_timeout)
            self._settle(row, "uncertain", "no answer in time")
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            self._pacer.pause(seconds)
            log.warning("outbox %d: 429, retry after %.0f s", row.id, seconds)
            self._retry(row, seconds, "429 retry_after")
        except TimedOut as exc:
            if isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout):
                self._retry(row, self._backoff(row), "connect timeout")
            else:
                # The request went out; Telegram may have delivered it. Never resend blindly.
                log.warning("outbox %d: timed out after sending; marked uncertain", row.id)
                self._settle(row, "uncertain", "read timeout after sending")
        except BadRequest as exc:
            self._bad_request(row, exc)
        except (Forbidden, InvalidToken) as exc:
            log.warning("outbox %d: refused by Telegram (%s)", row.id, type(exc).__name__)
            self._settle(row, "failed", _short(exc))
        except NetworkError as exc:  # 5xx, connection refused or reset
            self._retry(row, self._backoff(row), _short(exc))
        else:
            self._settle(row, "sent", None, sent.message_id)

    def _bad_request(self, row: OutboxMessage, exc: BadRequest) -> None:
        """400 is never retried as is; a message with buttons is tried once more as plain text."""
        if row.reply_markup:
            log.warning("outbox %d: 400 (%s); sending once more without buttons", row.id, _short(exc))
            with self._sessions.begin() as session:
                stored = session.get(OutboxMessage, row.id)
                if stored is not None:
                    stored.reply_markup, stored.state, stored.last_error = None, "pending", _short(exc)
            return
        log.warning("outbox %d: 400 (%s); not retried", row.id, _short(exc))
        self._settle(row, "failed", _short(exc))

    def _backoff(self, row: OutboxMessage) -> float:
        return float(min(self._backoff_max, 2 ** (row.attempts - 1)))

    def _retry(self, row: OutboxMessage, delay_s: float, error: str) -> None:
        if row.attempts >= self._max_attempts:
            log.warning("outbox %d: giving up after %d attempts (%s)", row.id, row.attempts, error)
            self._settle(row, "failed", error)
            return
        with self._sessions.begin() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is not None:
                stored.state, stored.last_error = "pending", error
                stored.next_attempt_at = utcnow() + dt.timedelta(seconds=delay_s)

    def _settle(
        self, row: OutboxMessage, state: str, error: str | None, message_id: int | None = None
    ) -> None:
        with self._sessions.begin() as session:
            stored = session.get(OutboxMessage, row.id)
            if stored is None:  # erased meanwhile
                return
            stored.state, stored.last_error = state, error
            if state == "sent":
                stored.sent_at, stored.channel_message_id = utcnow(), message_id


def _seconds(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
