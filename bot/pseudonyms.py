"""Pseudonymous farmer ids for officers and exports: stable, but useless without the key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from bot.config import Settings


class Pseudonyms:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_settings(cls, settings: Settings) -> Pseudonyms:
        if settings.pseudonym_key is not None:
            return cls(settings.pseudonym_key.get_secret_value().encode())
        return cls(_key_file(settings.data_dir / "pseudonym.key"))

    def of(self, farmer_id: int) -> str:
        digest = hmac.new(self._key, str(farmer_id).encode(), hashlib.sha256).hexdigest()
        return f"F-{digest[:10]}"


def _key_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip().encode()
