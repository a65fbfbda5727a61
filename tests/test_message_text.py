"""Long answers are cut for delivery without breaking a character, a conjunct or an emoji."""

from __future__ import annotations

import regex

from bot.message_text import split_for_delivery, utf16_length

SENTENCE_HI = "धान में तना छेदक के लिए फेरोमोन ट्रैप लगाएं। "
EMOJI_FAMILY = "👨‍👩‍👧‍👦"


def test_a_short_answer_is_one_message() -> None:
    assert split_for_delivery("short answer") == ["short answer"]


def test_long_hindi_is_cut_at_sentence_ends_under_the_limit() -> None:
    text = SENTENCE_HI * 300
    chunks = split_for_delivery(text)
    assert len(chunks) > 1
    assert "".join(chunks) == text
    assert all(utf16_length(c) <= 4096 for c in chunks)
    assert all(c.endswith("। ") for c in chunks[:-1])


def test_emoji_and_conjuncts_at_the_boundary_are_never_split() -> None:
    text = ("क्ष" + EMOJI_FAMILY) * 1500  # no spaces, no sentence ends: only graphemes can be cut
    chunks = split_for_delivery(text, limit=100)
    assert "".join(chunks) == text
    for chunk in chunks:
        assert utf16_length(chunk) <= 100
        assert regex.fullmatch(r"(?:क्ष|" + EMOJI_FAMILY + r")+", chunk)


def test_one_enormous_word_is_cut_between_graphemes() -> None:
    text = "ந" * 10_000
    chunks = split_for_delivery(text, limit=4096)
    assert "".join(chunks) == text and max(utf16_length(c) for c in chunks) <= 4096
