"""The outbox: every message to a farmer, with its delivery state, so nothing is lost or doubled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.storage.models import OutboxMessage, utcnow

#: States that still need the sender.
OPEN_STATES = ("pending", "sending")


def enqueue(
    session: Session,
    *,
    channel: str,
    chat_id: int,
    text: str,
    kind: str,
    farmer_id: int | None = None,
    reply_markup: dict[str, Any] | None = None,
    message_id: int | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        channel=channel,
        chat_id=chat_id,
        text=text,
        kind=kind,
        farmer_id=farmer_id,
        reply_markup=reply_markup,
        message_id=message_id,
        state="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(row)
    return row


def chats_with_due_messages(session: Session, channel: str, now: dt.datetime, limit: int = 100) -> list[int]:
    """Chats whose oldest open message is due now: one chat's messages go out in order."""
    oldest = (
        select(func.min(OutboxMessage.id).label("id"))
        .where(OutboxMessage.channel == channel, OutboxMessage.state.in_(OPEN_STATES))
        .group_by(OutboxMessage.chat_id)
        .subquery()
    )
    rows = session.scalars(
        select(OutboxMessage.chat_id)
        .join(oldest, OutboxMessage.id == oldest.c.id)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    return [int(chat) for chat in rows]


def next_due(session: Session, channel: str, chat_id: int, now: dt.datetime) -> OutboxMessage | None:
    """The chat's oldest open message, if it is pending and due (else the chat waits)."""
    row = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.state.in_(OPEN_STATES),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if row is None or row.state != "pending" or row.next_attempt_at > now:
        return None
    return row


def earliest_wakeup(session: Session, channel: str) -> dt.datetime | None:
    """When the next pending message falls due."""
    return session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.channel == channel, OutboxMessage.state == "pending"
        )
    )


def recover_after_crash(session: Session, channel: str) -> int:
    """Messages a crash caught in the middle of sending may have arrived: never resend them blindly."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.state == "sending")
        .values(state="uncertain", last_error="process stopped while sending")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    return {str(state): int(n) for state, n in rows}
