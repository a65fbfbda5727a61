"""The queries the core needs: farmers by identity, their recent turns, and storing an exchange."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Farmer, Message, utcnow


@dataclass(frozen=True)
class Identity:
    """Who is asking, as a door knows them: ("telegram", "12345") or ("cli", "asha")."""

    channel: str
    user_id: str
    chat_id: int | None = None


def get_or_create_farmer(session: Session, identity: Identity) -> Farmer:
    farmer = session.scalar(
        select(Farmer).where(Farmer.channel == identity.channel, Farmer.channel_user_id == identity.user_id)
    )
    if farmer is None:
        farmer = Farmer(channel=identity.channel, channel_user_id=identity.user_id, chat_id=identity.chat_id)
        session.add(farmer)
        session.flush()
    return farmer


def recent_messages(session: Session, farmer_id: int, limit: int = 6) -> list[Message]:
    """The farmer's last turns, oldest first."""
    rows = session.scalars(
        select(Message)
        .where(Message.farmer_id == farmer_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def last_question(session: Session, farmer_id: int, within: dt.timedelta) -> Message | None:
    """The farmer's previous question, if it was recent enough to be the same conversation."""
    return session.scalar(
        select(Message)
        .where(
            Message.farmer_id == farmer_id,
            Message.role == "farmer",
            Message.created_at >= utcnow() - within,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def store_unanswered(session: Session, farmer: Farmer, text: str, flags: list[str]) -> Message:
    """Keeps a farmer's message that gets no answer of its own (a flood, a sticker), for officers."""
    message = Message(farmer_id=farmer.id, role="farmer", text=text, flags=flags)
    session.add(message)
    session.flush()
    return message


#: The flag on a question after which the farmer was asked to share their location.
ASKED_LOCATION = "asked-location"


def asked_for_location(session: Session, farmer_id: int) -> bool:
    """Whether the farmer was already asked for their location (they are asked once only)."""
    flagged = session.scalars(
        select(Message.flags).where(Message.farmer_id == farmer_id, Message.topic == "weather")
    )
    return any(ASKED_LOCATION in flags for flags in flagged)
