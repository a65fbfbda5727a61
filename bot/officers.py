"""Extension officers' accounts: Argon2id password hashes, roles, and signing in. Door-neutral."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Officer, OfficerSession

ROLES = ("officer", "admin")
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9._-]{2,64}$")
#: argon2-cffi's defaults are Argon2id (RFC 9106's low-memory profile: t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only here for timing")


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def add(
    session: Session, username: str, password: str, role: str = "officer", language: str = "en"
) -> Officer:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise AccountError("a user name is 2–64 of a-z, 0-9, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if find(session, username) is not None:
        raise AccountError(f"{username} exists already")
    officer = Officer(username=username, password_hash=hash_password(password), role=role, language=language)
    session.add(officer)
    session.flush()
    return officer


def find(session: Session, username: str) -> Officer | None:
    return session.scalar(select(Officer).where(Officer.username == username.strip().lower()))


def set_password(session: Session, officer: Officer, password: str) -> None:
    """A new password ends every open session of the account."""
    officer.password_hash = hash_password(password)
    end_sessions(session, officer)


def disable(session: Session, officer: Officer) -> None:
    officer.active = False
    end_sessions(session, officer)


def end_sessions(session: Session, officer: Officer) -> None:
    for login in session.scalars(select(OfficerSession).where(OfficerSession.officer_id == officer.id)):
        session.delete(login)


def authenticate(session: Session, username: str, password: str) -> Officer | None:
    """The active officer with this name and password, or None (same work either way)."""
    officer = find(session, username)
    try:
        _hasher.verify(officer.password_hash if officer else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if officer is None or not officer.active:
        return None
    if _hasher.check_needs_rehash(officer.password_hash):  # parameters raised since it was set
        officer.password_hash = _hasher.hash(password)
    return officer
