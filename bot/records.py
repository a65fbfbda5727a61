"""Browsing the record: conversations filtered for officers, and the numbers of the dashboard.
Door-neutral (the console renders them; a report script could too)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.storage import outbox
from bot.storage.models import Feedback, Message, Review, utcnow


@dataclass(frozen=True)
class Filters:
    text: str = ""
    language: str = ""
    topic: str = ""
    crop: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    feedback: str = ""  # up | down | none | ""
    engine: str = ""


@dataclass(frozen=True)
class Exchange:
    question: Message
    answer: Message | None
    rating: int | None


def exchanges(session: Session, filters: Filters, limit: int = 200) -> list[Exchange]:
    """Questions with their answers, newest first."""
    answer = aliased(Message)
    query = (
        select(Message, answer, Feedback.rating)
        .outerjoin(answer, and_(answer.reply_to_id == Message.id, answer.role == "bot"))
        .outerjoin(Feedback, Feedback.answer_id == answer.id)
        .where(Message.role == "farmer")
    )
    f = filters
    if f.text.strip():
        like = f"%{f.text.strip()}%"
        query = query.where(or_(Message.text.ilike(like), answer.text.ilike(like)))
    if f.language:
        query = query.where(Message.language == f.language)
    if f.topic:
        query = query.where(Message.topic == f.topic)
    if f.crop:
        query = query.where(func.json_extract(Message.crops, "$").like(f'%"{f.crop}"%'))
    if f.since:
        query = query.where(Message.created_at >= dt.datetime.combine(f.since, dt.time()))
    if f.until:
        query = query.where(
            Message.created_at < dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time())
        )
    if f.engine:
        query = query.where(answer.engine == f.engine)
    if f.feedback == "up":
        query = query.where(Feedback.rating > 0)
    elif f.feedback == "down":
        query = query.where(Feedback.rating < 0)
    elif f.feedback == "none":
        query = query.where(Feedback.id.is_(None))
    rows = session.execute(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)).all()
    return [Exchange(row[0], row[1], row[2]) for row in rows]


@dataclass(frozen=True)
class Dashboard:
    days: list[dt.date]
    per_day_topic: dict[str, list[int]]
    per_language: list[tuple[str, int]]
    latency_ms: dict[str, float]
    ratings: dict[str, int]
    queue_open: int
    queue_oldest_h: float
    queue_median_h: float
    missing_topics: list[tuple[str, int]]
    missing_crops: list[tuple[str, int]]
    #: Outgoing messages Telegram may or may not have delivered, and those given up on.
    uncertain: int
    failed: int


def dashboard(session: Session, days: int = 14, now: dt.datetime | None = None) -> Dashboard:
    now = now or utcnow()
    first = (now - dt.timedelta(days=days - 1)).date()
    span = [first + dt.timedelta(days=i) for i in range(days)]
    since = dt.datetime.combine(first, dt.time())
    questions = session.execute(
        select(Message.created_at, Message.topic, Message.language).where(
            Message.role == "farmer", Message.created_at >= since
        )
    ).all()
    per_day_topic: dict[str, list[int]] = {}
    for created, topic, _language in questions:
        row = per_day_topic.setdefault(topic or "none", [0] * days)
        row[(created.date() - first).days] += 1
    languages = Counter(language or "?" for _created, _topic, language in questions)
    answers = session.execute(
        select(Message.latency_ms, Message.card_ids, Message.topic, Message.crops, Message.engine).where(
            Message.role == "bot", Message.created_at >= since
        )
    ).all()
    latencies = sorted(a.latency_ms for a in answers if a.latency_ms is not None)
    missing = [
        a for a in answers if not a.card_ids and a.topic not in (None, "other") and a.engine == "cards"
    ]
    ratings = Counter("up" if r > 0 else "down" for (r,) in session.execute(select(Feedback.rating)))
    ages = [
        (now - created).total_seconds() / 3600
        for (created,) in session.execute(select(Review.created_at).where(Review.status == "open"))
    ]
    outbox_counts = outbox.counts(session)
    return Dashboard(
        days=span,
        per_day_topic=per_day_topic,
        per_language=languages.most_common(),
        latency_ms=_percentiles(latencies),
        ratings={"up": ratings["up"], "down": ratings["down"], "answers": len(answers)},
        queue_open=len(ages),
        queue_oldest_h=max(ages, default=0.0),
        queue_median_h=statistics.median(ages) if ages else 0.0,
        missing_topics=Counter(a.topic for a in missing).most_common(8),
        missing_crops=Counter(c for a in missing for c in a.crops).most_common(8),
        uncertain=outbox_counts.get("uncertain", 0),
        failed=outbox_counts.get("failed", 0),
    )


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        f"p{round(q * 100)}": values[min(len(values) - 1, int(q * len(values)))] for q in (0.5, 0.9, 0.99)
    }
