"""Logging that never carries the bot token, whatever a library puts in a message.

python-telegram-bot logs its API URLs at DEBUG and httpx at INFO, and the token is part of those
URLs. Redacting at record creation covers every handler, including ones added later."""

from __future__ import annotations

import logging
from typing import Any

REDACTED = "<token>"
_secrets: set[str] = set()


def redact_everywhere(secret: str) -> None:
    """From now on, `secret` is replaced by <token> in every log record of this process."""
    if not secret or secret in _secrets:
        return
    if not _secrets:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            message = record.getMessage()
            if any(s in message for s in _secrets):
                for s in _secrets:
                    message = message.replace(s, REDACTED)
                record.msg, record.args = message, None
            return record

        logging.setLogRecordFactory(factory)
    _secrets.add(secret)
