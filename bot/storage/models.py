"""The tables, as SQLAlchemy 2 models. Alembic migrations in `migrations/` own the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints keep batch migrations on SQLite predictable.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class Farmer(Base):
    """A person who asks; one row per identity on one door (Telegram user, terminal user)."""

    __tablename__ = "farmer"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id", name="uq_farmer_channel_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(8))
    #: How the language was set: "chosen" by the farmer, "detected" from text, or "hint" from the app.
    language_source: Mapped[str | None] = mapped_column(String(16))
    place_name: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str | None] = mapped_column(String(64))
    tips_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    tip_time: Mapped[dt.time | None] = mapped_column(Time)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Where the farmer is in the set-up dialogue ("place", "crops", "sowing:<plan id>", "tips"), if anywhere.
    setup_step: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    crop_plans: Mapped[list[CropPlan]] = relationship(
        back_populates="farmer", cascade="all, delete-orphan", passive_deletes=True
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="farmer", cascade="all, delete-orphan", passive_deletes=True
    )


class CropPlan(Base):
    """A crop a farmer grows, with its sowing date: drives stage-aware advice and tips."""

    __tablename__ = "crop_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    farmer_id: Mapped[int] = mapped_column(ForeignKey("farmer.id", ondelete="CASCADE"), index=True)
    crop: Mapped[str] = mapped_column(String(40))
    sown_on: Mapped[dt.date | None] = mapped_column(Date)
    area_ha: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    farmer: Mapped[Farmer] = relationship(back_populates="crop_plans")


class Message(Base):
    """One turn of a conversation: the farmer's question or the answer given to it."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_farmer_created", "farmer_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    farmer_id: Mapped[int] = mapped_column(ForeignKey("farmer.id", ondelete="CASCADE"))
    #: farmer, bot or officer.
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    romanized: Mapped[bool] = mapped_column(Boolean, default=False)
    topic: Mapped[str | None] = mapped_column(String(16), index=True)
    crops: Mapped[list[str]] = mapped_column(default=list)
    pests: Mapped[list[str]] = mapped_column(default=list)
    card_ids: Mapped[list[str]] = mapped_column(default=list)
    #: Why this message deserves an officer's look: unsure language, no card, safety, ...
    flags: Mapped[list[str]] = mapped_column(default=list)
    engine: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(120))
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    reply_tokens: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    farmer: Mapped[Farmer] = relationship(back_populates="messages")


class InboxUpdate(Base):
    """An incoming update, written down before any work so that a crash loses nothing.

    The unique `update_id` makes a redelivered update a no-op: nothing is answered twice."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    #: The sender, so that erasing a farmer erases their updates too.
    channel_user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    payload: Mapped[str] = mapped_column(Text)
    #: received → processing → done (or failed after its attempts).
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OutboxMessage(Base):
    """A message that must reach a farmer: answers, notices, corrections, tips.

    pending → sending → sent; a clear failure goes back to pending with a later `next_attempt_at`;
    an ambiguous one (read timeout, crash while sending) becomes `uncertain` and is never resent
    blindly; an unfixable one becomes `failed`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    farmer_id: Mapped[int | None] = mapped_column(ForeignKey("farmer.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    #: answer, notice, correction, tip.
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The stored answer this text delivers (feedback buttons point at it).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    channel_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Feedback(Base):
    """A farmer's 👍 or 👎 on an answer, with an optional short reason; one per answer."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    farmer_id: Mapped[int] = mapped_column(ForeignKey("farmer.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Review(Base):
    """An item in the officers' queue: an answer a farmer asked an expert about, or marked 👎."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    farmer_id: Mapped[int] = mapped_column(ForeignKey("farmer.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), unique=True)
    #: expert (the farmer asked for one), thumbs_down, safety, unsure or no_card.
    reason: Mapped[str] = mapped_column(String(24))
    #: open, approved, corrected, rejected.
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    correction: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Erasure(Base):
    """That a farmer's data was erased, and how much: no identity and no content are kept."""

    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    messages_erased: Mapped[int] = mapped_column(Integer)
    erased_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TipLog(Base):
    """The claim on one farmer's tip for one local date: the row's uniqueness is what makes a tip go
    out at most once, whatever the number of schedulers or crashes."""

    __tablename__ = "tip_log"
    __table_args__ = (UniqueConstraint("farmer_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    farmer_id: Mapped[int] = mapped_column(ForeignKey("farmer.id", ondelete="CASCADE"))
    local_date: Mapped[dt.date] = mapped_column(Date)
    #: queued (in the outbox) | skipped (past the grace window) | no_forecast (none in time)
    state: Mapped[str] = mapped_column(String(16))
    kinds: Mapped[list[str]] = mapped_column(default=list)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Officer(Base):
    """An extension officer (or admin) of the console."""

    __tablename__ = "officer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: Argon2id, in the PHC string format (algorithm, parameters and salt included).
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="officer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OfficerSession(Base):
    """A console login. Only a hash of the cookie's token is stored: a copy of the database opens
    no session."""

    __tablename__ = "officer_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginAttempt(Base):
    """Failed logins, kept a while for throttling (by username and by address)."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class AuditEntry(Base):
    """Every officer action, kept: who did what to which review, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="SET NULL"))
    verified_id: Mapped[int | None] = mapped_column(ForeignKey("verified_answer.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class VerifiedAnswer(Base):
    """An answer an officer approved or wrote, given at once to later questions of the same meaning."""

    __tablename__ = "verified_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    topic: Mapped[str | None] = mapped_column(String(16))
    crops: Mapped[list[str]] = mapped_column(default=list)
    pests: Mapped[list[str]] = mapped_column(default=list)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    card_ids: Mapped[list[str]] = mapped_column(default=list)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
