"""Console security: server-side sessions (a new id at every login), CSRF tokens, login throttling
and response headers. Only hashes of session tokens are stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.storage.models import LoginAttempt, Officer, OfficerSession, utcnow

COOKIE = "kisanbot_session"
LOGIN_CSRF_COOKIE = "kisanbot_login_csrf"

#: Pages are plain HTML with one stylesheet: nothing else may load, run or frame them.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, officer: Officer) -> str:
    """A fresh token for a login (never one the browser brought: no session fixation)."""
    token = secrets.token_urlsafe(32)
    session.add(
        OfficerSession(token_hash=_hash(token), officer_id=officer.id, csrf_token=secrets.token_urlsafe(32))
    )
    session.flush()
    return token


def current(session: Session, token: str | None, idle: dt.timedelta) -> tuple[Officer, OfficerSession] | None:
    if not token:
        return None
    login = session.get(OfficerSession, _hash(token))
    if login is None:
        return None
    now = utcnow()
    officer = session.get(Officer, login.officer_id)
    if officer is None or not officer.active or now - login.last_seen_at > idle:
        session.delete(login)
        return None
    login.last_seen_at = now
    return officer, login


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(OfficerSession).where(OfficerSession.token_hash == _hash(token)))


def mask(token: str) -> str:
    """The token as a form carries it: XORed with a fresh pad each time, so that compressed pages
    (gzip) never repeat the same secret bytes for a BREACH-style guess."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return (pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).hex()


def _unmask(masked: str) -> str | None:
    try:
        data = bytes.fromhex(masked)
    except ValueError:
        return None
    half = len(data) // 2
    if not half or len(data) % 2:
        return None
    return bytes(a ^ b for a, b in zip(data[half:], data[:half], strict=True)).decode("latin-1")


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """`given` is a masked token from a form; `expected` the session's (or the login cookie's)."""
    if not expected or not given:
        return False
    token = _unmask(given)
    return token is not None and hmac.compare_digest(token.encode("latin-1"), expected.encode())


class LoginThrottle:
    """After `max_failures` failed logins for a name (or four times as many from one address, which
    officers behind one proxy share) within `window`, logins there are refused for a while."""

    def __init__(self, max_failures: int, window: dt.timedelta) -> None:
        self._max = max_failures
        self._window = window

    def locked(self, session: Session, username: str, address: str) -> bool:
        since = utcnow() - self._window
        recent = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at > since)
        by_name = session.scalar(recent.where(LoginAttempt.username == username)) or 0
        by_address = session.scalar(recent.where(LoginAttempt.address == address)) or 0
        return by_name >= self._max or by_address >= 4 * self._max

    def failed(self, session: Session, username: str, address: str) -> None:
        session.add(LoginAttempt(username=username[:64], address=address[:64]))
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - 2 * self._window))

    def succeeded(self, session: Session, username: str) -> None:
        session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
