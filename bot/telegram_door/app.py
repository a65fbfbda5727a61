"""The composition root of the Telegram door: builds the PTB Application and runs it.

One code path for production and tests: `serve()` runs until `stop` is set, polling by default or
behind a webhook with a secret token when a public URL is configured."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.advisor import Advisor
from bot.config import Settings
from bot.crop_names import CropNames
from bot.logging_filters import redact_everywhere
from bot.run_lock import RunLock, lock_path_for
from bot.telegram_door.door import TelegramDoor
from bot.telegram_door.pacing import Pacer
from bot.telegram_door.sender import PARALLEL_CHATS, OutboxSender
from bot.weather.schedule import TipSchedule

# Opt in to timedelta periods now (RetryAfter.retry_after), as PTB asks; the int form warns.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class ConfigurationError(RuntimeError):
    pass


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def check(settings: Settings) -> None:
    """Fails fast, before anything slow loads, when the settings cannot work."""
    if settings.telegram_token is None:
        raise ConfigurationError(
            "TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token in .env"
        )
    if settings.telegram_webhook_url and settings.telegram_webhook_secret is None:
        raise ConfigurationError("TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is")


def build(settings: Settings, advisor: Advisor) -> tuple[AnyApplication, TelegramDoor]:
    check(settings)
    assert settings.telegram_token is not None
    redact_everywhere(settings.telegram_token.get_secret_value())
    token = settings.telegram_token.get_secret_value()
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        # Handlers' typing and drafts: a burst of farmers needs many at once (16 left a test burst
        # of 200 farmers with 37 who never saw "typing": pool timeouts).
        .request(_request(settings, connections=64))
        .get_updates_request(HTTPXRequest(connection_pool_size=1, connect_timeout=5.0, read_timeout=10.0))
        .concurrent_updates(True)
        .build()
    )
    pacer = Pacer(settings.chat_min_interval_s, settings.messages_per_second)
    # The outbox has its own connections (see sender.py): one per chat delivered at once, and spare.
    delivery_bot = Bot(
        token, base_url=settings.telegram_base_url, request=_request(settings, PARALLEL_CHATS + 2)
    )
    timeout = settings.telegram_read_timeout_s
    sender = OutboxSender(
        delivery_bot,
        advisor.sessions,
        pacer,
        settings.outbox_max_attempts,
        settings.outbox_backoff_max_s,
        hard_timeout_s=3 * timeout + 10,
    )
    tips = TipSchedule(advisor.sessions, advisor.weather, settings) if advisor.weather else None
    door = TelegramDoor(settings, advisor, sender, pacer, CropNames(settings.knowledge_dir / "lexicon"), tips)
    door.install(app)
    return app, door


def _request(settings: Settings, connections: int) -> HTTPXRequest:
    timeout = settings.telegram_read_timeout_s
    return HTTPXRequest(
        connection_pool_size=connections,
        connect_timeout=5.0,
        read_timeout=timeout,
        write_timeout=timeout,
        pool_timeout=5.0,
    )


async def serve(settings: Settings, advisor: Advisor, stop: asyncio.Event) -> None:
    """Runs the bot until `stop` is set; finishes what a previous run left undone first."""
    app, door = build(settings, advisor)
    async with app:
        await door.start(app)
        await app.start()
        assert app.updater is not None
        if settings.telegram_webhook_url:
            secret = settings.telegram_webhook_secret
            assert secret is not None
            await app.updater.start_webhook(
                listen=settings.telegram_webhook_listen,
                port=settings.telegram_webhook_port,
                url_path=urlsplit(settings.telegram_webhook_url).path.lstrip("/"),
                webhook_url=settings.telegram_webhook_url,
                secret_token=secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            log.info(
                "webhook server listening on %s:%d",
                settings.telegram_webhook_listen,
                settings.telegram_webhook_port,
            )
        else:
            await app.updater.start_polling(
                timeout=settings.telegram_poll_timeout_s,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            log.info("polling for updates")
        await stop.wait()
        log.info("stopping")
        await app.updater.stop()
        await app.stop()
        await door.stop()


def run(settings: Settings) -> None:
    """`kisanbot run`: one bot per database, stopped cleanly by SIGINT or SIGTERM."""
    check(settings)
    with RunLock(lock_path_for(settings.resolved_database_url(), settings.data_dir)):
        advisor = Advisor.build(settings)
        try:
            asyncio.run(_main(settings, advisor))
        finally:
            advisor.close()


async def _main(settings: Settings, advisor: Advisor) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(settings, advisor, stop)
