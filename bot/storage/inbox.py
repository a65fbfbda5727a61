"""The inbox: each incoming update written down before any work, processed once."""

from __future__ import annotations

import enum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import InboxUpdate, utcnow

#: A poison update stops being retried after this many tries.
MAX_ATTEMPTS = 3


class Claim(enum.Enum):
    NEW = "new"  # first time seen: work on it
    RETRY = "retry"  # seen before, never finished (a crash): work on it again
    DONE = "done"  # already handled or given up: do nothing


def claim(
    session: Session, update_id: int, channel: str, user_id: str | None, kind: str, payload: str
) -> Claim:
    """Writes the update down (or finds it) and says whether this process should work on it."""
    existing = session.scalar(select(InboxUpdate).where(InboxUpdate.update_id == update_id))
    if existing is None:
        row = InboxUpdate(
            update_id=update_id,
            channel=channel,
            channel_user_id=user_id,
            kind=kind,
            payload=payload,
            state="processing",
            attempts=1,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            return Claim.DONE
        return Claim.NEW
    if existing.state in ("done", "failed"):
        return Claim.DONE
    existing.attempts += 1
    if existing.attempts > MAX_ATTEMPTS:
        existing.state, existing.error, existing.finished_at = "failed", "too many attempts", utcnow()
        return Claim.DONE
    existing.state = "processing"
    return Claim.RETRY


def finish(session: Session, update_id: int, error: str | None = None) -> None:
    """Marks an update handled (or failed, with a short reason); a no-op when already finished."""
    session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.state == "processing")
        .values(state="failed" if error else "done", error=error, finished_at=utcnow())
    )


def unfinished(session: Session) -> list[tuple[int, str]]:
    """(update_id, payload) of updates a crash left half done, oldest first."""
    rows = session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(InboxUpdate.state.in_(("received", "processing")))
        .order_by(InboxUpdate.id)
    ).all()
    return [(int(r[0]), str(r[1])) for r in rows]
