"""Cleaning what a farmer typed: safe to store, fair to match, and classified when it is not a question."""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

import regex

#: Text longer than this is stored cut, so one message cannot bloat the database.
STORE_LIMIT = 10_000

_BIDI_AND_INVISIBLE = regex.compile(r"[\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]")
_CONTROL = regex.compile(r"[^\P{Cc}\n\t]")
_SURROGATE = regex.compile(r"[\uD800-\uDFFF]")
_SPACES = regex.compile(r"[ \t\u00A0\u3000]+")
_LETTER = regex.compile(r"\p{L}")


class Shape(enum.Enum):
    """What kind of message this is, before any language work."""

    TEXT = "text"
    EMPTY = "empty"
    NO_WORDS = "no-words"  # emoji, symbols or digits only


@dataclass(frozen=True)
class CleanMessage:
    text: str  # safe to store and show: NFC, no control or direction-override characters
    shape: Shape
    truncated: bool  # longer than the routing limit; only the first part was read


def clean(raw: str, routing_limit: int = 1000) -> CleanMessage:
    """`clean("  hi\\x00 ")` → CleanMessage(text="hi", shape=Shape.TEXT, truncated=False)."""
    text = _SURROGATE.sub("\ufffd", raw)
    text = unicodedata.normalize("NFC", text)
    text = _BIDI_AND_INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = regex.sub(r"\n{3,}", "\n\n", text).strip()[:STORE_LIMIT]
    if not text:
        return CleanMessage("", Shape.EMPTY, False)
    if not _LETTER.search(text):
        return CleanMessage(text, Shape.NO_WORDS, False)
    return CleanMessage(text, Shape.TEXT, len(text) > routing_limit)


def routing_part(message: CleanMessage, routing_limit: int = 1000) -> str:
    """The part of a message the router reads: the first `routing_limit` characters."""
    return message.text[:routing_limit]
