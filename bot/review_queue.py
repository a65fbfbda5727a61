"""The officers' review queue: what needs a human look, in order of risk and age, and what an
officer can do with it. Door-neutral: the console is one door onto it. Every action is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from bot import ui_text
from bot.i18n import Translator
from bot.storage import outbox
from bot.storage.models import AuditEntry, Farmer, Message, Officer, Review, VerifiedAnswer, utcnow

#: Lower is more urgent. A farmer asking for an expert comes first; safety before dissatisfaction.
RISK = {"expert": 0, "safety": 1, "thumbs_down": 2, "unsure": 3, "no_card": 4}
_SAFETY_FLAGS = (
    "banned-chemical",
    "unsafe-replaced",
    "numbers-not-in-cards",
    "chemical-dose",
    "human-health",
    "injection",
)
_UNSURE_FLAGS = ("language-unsure", "topic-unsure")
#: Answers that need no look by themselves (rules, forecasts, officers' own).
_SELF_EVIDENT_ENGINES = ("rules", "weather", "verified", "queue")


class ReviewError(ValueError):
    pass


@dataclass(frozen=True)
class QueueItem:
    review: Review
    question: Message | None
    answer: Message
    age: dt.timedelta


def reason_for(answer: Message) -> str | None:
    """Why an answer should be looked at even if nobody complained; None: it need not be."""
    if answer.engine in _SELF_EVIDENT_ENGINES:
        return None
    flags = answer.flags or []
    if answer.topic == "livestock" or any(f.startswith(_SAFETY_FLAGS) for f in flags):
        return "safety"
    if any(f in _UNSURE_FLAGS for f in flags):
        return "unsure"
    if not answer.card_ids and answer.topic not in (None, "other"):
        return "no_card"
    return None


def flag_if_needed(session: Session, farmer_id: int, answer: Message) -> Review | None:
    reason = reason_for(answer)
    if reason is None:
        return None
    review = Review(farmer_id=farmer_id, answer_id=answer.id, reason=reason, status="open")
    session.add(review)
    session.flush()
    return review


def open_items(session: Session, limit: int = 200, now: dt.datetime | None = None) -> list[QueueItem]:
    now = now or utcnow()
    risk = case(RISK, value=Review.reason, else_=9)
    reviews = session.scalars(
        select(Review)
        .where(Review.status == "open")
        .order_by(risk, Review.created_at, Review.id)
        .limit(limit)
    ).all()
    return [_item(session, r, now) for r in reviews]


def item(session: Session, review_id: int) -> QueueItem:
    review = session.get(Review, review_id)
    if review is None:
        raise ReviewError("no such review")
    return _item(session, review, utcnow())


def _item(session: Session, review: Review, now: dt.datetime) -> QueueItem:
    answer = session.get(Message, review.answer_id)
    assert answer is not None  # the foreign key cascades
    question = session.get(Message, answer.reply_to_id) if answer.reply_to_id else None
    return QueueItem(review, question, answer, now - review.created_at)


def history(session: Session, farmer_id: int, before: dt.datetime, limit: int = 8) -> list[Message]:
    """The farmer's messages before this exchange, oldest first."""
    rows = session.scalars(
        select(Message)
        .where(Message.farmer_id == farmer_id, Message.created_at < before)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def approve(session: Session, officer: Officer, review: Review) -> VerifiedAnswer:
    found = item(session, review.id)
    verified = _verify(session, officer, found, without_labels(found.answer.text))
    _decide(session, officer, review, "approved")
    audit(session, officer, "approve", review=review, verified=verified)
    return verified


def correct(
    session: Session, officer: Officer, review: Review, text: str, translator: Translator
) -> VerifiedAnswer:
    """The corrected answer goes to the farmer through the outbox, marked as reviewed."""
    text = text.strip()
    if not text:
        raise ReviewError("the correction is empty")
    found = item(session, review.id)
    farmer = session.get(Farmer, review.farmer_id)
    language = found.answer.language or "en"
    labelled = f"{text}\n\n— {translator.text(language, ui_text.REVIEWED_LABEL)}"
    sent = Message(
        farmer_id=review.farmer_id,
        role="officer",
        text=labelled,
        reply_to_id=found.question.id if found.question else None,
        language=language,
        topic=found.answer.topic,
        crops=list(found.answer.crops),
        pests=list(found.answer.pests),
        engine="officer",
    )
    session.add(sent)
    session.flush()
    if farmer is not None and farmer.chat_id is not None:
        outbox.enqueue(
            session,
            channel=farmer.channel,
            chat_id=farmer.chat_id,
            text=labelled,
            kind="correction",
            farmer_id=farmer.id,
            message_id=sent.id,
        )
    verified = _verify(session, officer, found, text)
    review.correction = text
    _decide(session, officer, review, "corrected")
    audit(session, officer, "correct", review=review, verified=verified)
    return verified


def reject(session: Session, officer: Officer, review: Review, note: str) -> None:
    if not note.strip():
        raise ReviewError("say why it is rejected")
    review.note = note.strip()
    _decide(session, officer, review, "rejected")
    audit(session, officer, "reject", review=review, detail=note.strip())


def assign(session: Session, officer: Officer, review: Review, to: Officer) -> None:
    if not to.active:
        raise ReviewError("that officer's account is disabled")
    review.assigned_to_id = to.id
    audit(session, officer, "assign", review=review, detail=to.username)


def edit_verified(session: Session, officer: Officer, verified: VerifiedAnswer, text: str) -> None:
    if not text.strip():
        raise ReviewError("the answer is empty")
    verified.answer = text.strip()
    audit(session, officer, "edit-verified", verified=verified)


def retire_verified(session: Session, officer: Officer, verified: VerifiedAnswer) -> None:
    verified.active = False
    audit(session, officer, "retire-verified", verified=verified)


def audit(
    session: Session,
    officer: Officer | None,
    action: str,
    review: Review | None = None,
    verified: VerifiedAnswer | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            officer_id=officer.id if officer else None,
            action=action,
            review_id=review.id if review else None,
            verified_id=verified.id if verified else None,
            detail=detail,
        )
    )
    session.flush()


def _decide(session: Session, officer: Officer, review: Review, status: str) -> None:
    if review.status != "open":
        raise ReviewError(f"already {review.status}")
    review.status, review.decided_by_id, review.decided_at = status, officer.id, utcnow()
    session.flush()


def _verify(session: Session, officer: Officer, found: QueueItem, text: str) -> VerifiedAnswer:
    answer = found.answer
    verified = VerifiedAnswer(
        language=answer.language or "en",
        topic=answer.topic,
        crops=list(answer.crops),
        pests=list(answer.pests),
        question=found.question.text if found.question else "",
        answer=text,
        card_ids=list(answer.card_ids),
        officer_id=officer.id,
    )
    session.add(verified)
    session.flush()
    return verified


def without_labels(text: str) -> str:
    """An approved answer minus the lines the advisor adds (draft label): those are re-added."""
    lines = text.rstrip().splitlines()
    while lines and lines[-1].startswith("— "):
        lines.pop()
    return "\n".join(lines).rstrip()
