"""Running the real kisanbot Telegram Application against the fake Bot API, in-process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fake_bot_api import FakeBotApi
from tests_support import KNOWLEDGE_DIR

from bot.advisor import Advisor
from bot.config import Settings
from bot.telegram_door.app import serve


def bot_settings(fake: FakeBotApi, data_dir: Path, **overrides: Any) -> Settings:
    """Fast settings for tests: short polls and pacing, quick backoff."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "knowledge_dir": KNOWLEDGE_DIR,
        "telegram_token": fake.token,
        "telegram_base_url": fake.base_url,
        "telegram_poll_timeout_s": 1,
        "telegram_read_timeout_s": 2.0,
        "chat_min_interval_s": 0.02,
        "messages_per_second": 500.0,
        "outbox_backoff_max_s": 0.2,
        "draft_interval_s": 0.05,
    }
    values.update(overrides)
    return Settings(**values)


async def until(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def running_bot(fake: FakeBotApi, settings: Settings, advisor: Advisor) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, advisor, stop))
    await until(lambda: bool(fake.calls_of("getUpdates")) or task.done(), what="polling")
    if task.done():
        task.result()
    try:
        yield
    finally:
        stop.set()
        async with asyncio.timeout(20):
            await task
