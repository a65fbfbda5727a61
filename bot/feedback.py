"""Farmers' verdicts on answers, and the officers' queue they feed. Door-neutral."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Farmer, Feedback, Message, Review

#: Short reasons a farmer can give for 👎 (stored as these codes).
REASONS = ("wrong", "unclear", "off_topic", "language")


def own_answer(session: Session, farmer: Farmer, answer_id: int) -> Message | None:
    """The farmer's own answer by id (a forged button cannot reach another farmer's)."""
    answer = session.get(Message, answer_id)
    if answer is None or answer.farmer_id != farmer.id or answer.role != "bot":
        return None
    return answer


def last_answer(session: Session, farmer: Farmer) -> Message | None:
    return session.scalar(
        select(Message)
        .where(Message.farmer_id == farmer.id, Message.role == "bot", Message.reply_to_id.is_not(None))
        .order_by(Message.id.desc())
        .limit(1)
    )


def rate(
    session: Session, farmer: Farmer, answer: Message, rating: int, reason: str | None = None
) -> Feedback:
    """Records 👍 (+1) or 👎 (-1); a second press changes the verdict, never doubles it."""
    feedback = session.scalar(select(Feedback).where(Feedback.answer_id == answer.id))
    if feedback is None:
        feedback = Feedback(farmer_id=farmer.id, answer_id=answer.id, rating=rating)
        session.add(feedback)
    feedback.rating = rating
    if reason in REASONS:
        feedback.reason = reason
    if rating < 0:
        open_review(session, farmer, answer, "thumbs_down")
    session.flush()
    return feedback


def open_review(session: Session, farmer: Farmer, answer: Message, reason: str) -> Review:
    """Puts the exchange in the officers' queue; asking an expert outranks a 👎 on the same answer."""
    review = session.scalar(select(Review).where(Review.answer_id == answer.id))
    if review is None:
        review = Review(farmer_id=farmer.id, answer_id=answer.id, reason=reason, status="open")
        session.add(review)
    elif reason == "expert":
        review.reason = "expert"
        review.status = "open"
    session.flush()
    return review
