"""Seeding the officer console's world: officers, and farmers' exchanges through the real advisor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import feedback, officers
from bot.advisor import Advisor
from bot.storage.models import Farmer, Message
from bot.storage.repository import Identity

PASSWORD = "correct horse battery"


def add_officers(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        officers.add(session, "asha", PASSWORD, role="admin")
        officers.add(session, "ravi", PASSWORD)


def ask(advisor: Advisor, user: int, text: str) -> int:
    """A Telegram farmer asks through the real advisor; returns the answer's message id."""
    reply = advisor.answer(Identity("telegram", str(user), user), text)
    assert reply.answer_id is not None
    return reply.answer_id


def thumbs_down(advisor: Advisor, user: int, answer_id: int) -> None:
    with advisor.sessions.begin() as session:
        farmer = session.scalar(select(Farmer).where(Farmer.channel_user_id == str(user)))
        answer = session.get(Message, answer_id)
        assert farmer is not None and answer is not None
        feedback.rate(session, farmer, answer, -1, "wrong")
        feedback.open_review(session, farmer, answer, "thumbs_down")
