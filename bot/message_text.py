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


# --- delivery -------------------------------------------------------------------------------------

#: Telegram's limit for one message, counted in UTF-16 code units.
TELEGRAM_LIMIT = 4096
_SENTENCE_END = regex.compile(r"(?<=[.!?।॥۔\n])\s+")
_GRAPHEME = regex.compile(r"\X")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_for_delivery(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cuts a long answer into messages of at most `limit` UTF-16 units, at sentence ends where it
    can, else between words, else between graphemes: never inside a character, a conjunct or an
    emoji. `"".join(split_for_delivery(t)) == t`."""
    if utf16_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and utf16_length(current + piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return chunks


def _pieces(text: str, limit: int) -> list[str]:
    """Sentences (with their trailing space), each cut further only if it alone exceeds the limit."""
    pieces: list[str] = []
    start = 0
    for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[start:end]
        start = end
        if not sentence:
            continue
        if utf16_length(sentence) <= limit:
            pieces.append(sentence)
            continue
        for word in regex.findall(r"\S+\s*|\s+", sentence):
            if utf16_length(word) <= limit:
                pieces.append(word)
            else:
                pieces += _GRAPHEME.findall(word)
    return pieces
