"""What kisanbot keeps about a farmer, and the farmer's control over it: see, change, erase.

Door-neutral: the Telegram door and the officer console both go through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.languages import SUPPORTED
from bot.storage.models import CropPlan, Erasure, Farmer, InboxUpdate, Message, OutboxMessage, utcnow

#: Most crops one farmer can list (a keyboard of them must still fit a phone's screen).
MAX_CROPS = 8


@dataclass(frozen=True)
class Profile:
    """Everything kept about a farmer, for /profile."""

    language: str | None
    place_name: str | None
    has_location: bool
    crops: list[tuple[int, str, dt.date | None]]
    tips_enabled: bool
    tip_time: dt.time | None
    messages: int
    consent_at: dt.datetime | None


def profile(session: Session, farmer: Farmer) -> Profile:
    messages = session.scalar(select(func.count()).select_from(Message).where(Message.farmer_id == farmer.id))
    return Profile(
        language=farmer.language,
        place_name=farmer.place_name,
        has_location=farmer.latitude is not None,
        crops=[(p.id, p.crop, p.sown_on) for p in crop_plans(session, farmer)],
        tips_enabled=farmer.tips_enabled,
        tip_time=farmer.tip_time,
        messages=int(messages or 0),
        consent_at=farmer.consent_at,
    )


def record_consent(farmer: Farmer) -> None:
    """The farmer has seen the notice of what is kept; the first time counts."""
    if farmer.consent_at is None:
        farmer.consent_at = utcnow()


def choose_language(farmer: Farmer, language: str) -> bool:
    if language not in SUPPORTED:
        return False
    farmer.language, farmer.language_source = language, "chosen"
    return True


def set_place(farmer: Farmer, name: str) -> str:
    """A typed place name, tidied: one line, at most 200 characters."""
    farmer.place_name = " ".join(name.split())[:200]
    return farmer.place_name


def set_location(farmer: Farmer, latitude: float, longitude: float) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("location out of range")
    farmer.latitude, farmer.longitude = latitude, longitude


def crop_plans(session: Session, farmer: Farmer) -> list[CropPlan]:
    return list(
        session.scalars(select(CropPlan).where(CropPlan.farmer_id == farmer.id).order_by(CropPlan.id)).all()
    )


def add_crop(session: Session, farmer: Farmer, crop: str) -> CropPlan | None:
    """Adds a crop (once); None when the list is full."""
    plans = crop_plans(session, farmer)
    for plan in plans:
        if plan.crop == crop:
            return plan
    if len(plans) >= MAX_CROPS:
        return None
    plan = CropPlan(farmer_id=farmer.id, crop=crop)
    session.add(plan)
    session.flush()
    return plan


def own_plan(session: Session, farmer: Farmer, plan_id: int) -> CropPlan | None:
    """The farmer's own crop plan by id (a forged button cannot reach another farmer's)."""
    plan = session.get(CropPlan, plan_id)
    return plan if plan is not None and plan.farmer_id == farmer.id else None


def set_sowing(session: Session, farmer: Farmer, plan_id: int, sown_on: dt.date | None) -> CropPlan | None:
    plan = own_plan(session, farmer, plan_id)
    if plan is not None:
        plan.sown_on = sown_on
    return plan


def remove_crop(session: Session, farmer: Farmer, plan_id: int) -> str | None:
    plan = own_plan(session, farmer, plan_id)
    if plan is None:
        return None
    session.delete(plan)
    return plan.crop


def set_tips(session: Session, farmer: Farmer, enabled: bool, at: dt.time | None = None) -> None:
    """Turning tips off takes effect at once: a tip already queued but not yet sent is dropped."""
    farmer.tips_enabled = enabled
    if at is not None:
        farmer.tip_time = at
    if not enabled:
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.farmer_id == farmer.id,
                OutboxMessage.kind == "tip",
                OutboxMessage.state == "pending",
            )
        )


def erase(session: Session, farmer: Farmer, keep_update_id: int | None = None) -> int:
    """Erases the farmer and all they sent or were sent; keeps only a count. Returns messages erased.

    `keep_update_id` is the erasure request itself: its row stays, emptied, so that a redelivery
    of that update is recognised instead of being handled again."""
    messages = session.scalar(select(func.count()).select_from(Message).where(Message.farmer_id == farmer.id))
    user_filter = (InboxUpdate.channel == farmer.channel) & (
        InboxUpdate.channel_user_id == farmer.channel_user_id
    )
    if keep_update_id is not None:
        session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.update_id == keep_update_id)
            .values(payload="{}", channel_user_id=None)
        )
    session.execute(delete(InboxUpdate).where(user_filter))
    session.add(Erasure(channel=farmer.channel, messages_erased=int(messages or 0)))
    session.delete(farmer)  # messages, crop plans, feedback, reviews and outbox rows go with it
    session.flush()
    return int(messages or 0)
