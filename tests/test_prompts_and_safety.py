"""Domain prompts stay within their token budget; model replies are checked before farmers see them."""

from __future__ import annotations

import datetime as dt

import pytest
from tests_support import KNOWLEDGE_DIR

from bot import prompts
from bot.advisor import Analyser
from bot.engines.base import FarmerContext, GenerationControl, Turn
from bot.knowledge import banned_names
from bot.safety import GuardedStream, ReplyCheck


def count_words(text: str) -> int:
    return len(text.split())


def test_a_prompt_holds_the_rules_the_topic_the_context_and_the_cards(analyser: Analyser) -> None:
    cards = [m.card for m in analyser.analyse("rice stem borer dead hearts").matches]
    context = FarmerContext(
        place="Cuttack", crops=(("rice", dt.date(2026, 10, 1)),), today=dt.date(2026, 11, 1)
    )
    prompt = prompts.build("stem borer?", "or", "pest", cards, [], count_words, 10_000, context)
    system = prompt.messages[0]["content"]
    assert "Odia" in system and "banned pesticide" in system and "veterinarian" in system
    assert prompts.TOPIC_FOCUS["pest"] in system
    assert "Cuttack" in system and "rice sown 31 days ago" in system
    assert cards[0].body.strip()[:60] in system
    assert prompt.messages[-1] == {"role": "user", "content": "stem borer?"}


@pytest.mark.parametrize("budget", [400, 250, 150])
def test_trimming_drops_history_first_then_cards_then_length(analyser: Analyser, budget: int) -> None:
    cards = [m.card for m in analyser.analyse("rice stem borer brown planthopper blast").matches]
    history = [Turn("farmer", "old question " * 20), Turn("bot", "old answer " * 20)] * 3
    prompt = prompts.build("what now?", "en", "pest", cards, history, count_words, budget)
    assert prompt.tokens <= budget
    assert prompt.dropped_turns >= 2
    if prompt.dropped_cards:
        assert prompt.dropped_turns == len(history)  # history went before any card
    assert prompt.messages[-1]["content"] == "what now?"


def test_every_topic_has_a_focus_and_every_language_a_name() -> None:
    from bot.languages import SUPPORTED
    from bot.routing import TOPICS

    assert set(prompts.TOPIC_FOCUS) == set(TOPICS)
    assert set(prompts.LANGUAGE_NAMES) == set(SUPPORTED)


@pytest.fixture(scope="module")
def check() -> ReplyCheck:
    return ReplyCheck(banned_names(KNOWLEDGE_DIR))


def test_a_banned_chemical_blocks_the_reply(check: ReplyCheck) -> None:
    review = check.review("Spray Monocrotophos 36 SL at 1.5 ml per litre.", [])
    assert review.blocked and review.flags == ["banned-chemical:monocrotophos"]
    assert check.review("Spray neem oil at 5 ml per litre.", []).blocked is False


def test_numbers_not_in_the_cards_are_flagged(check: ReplyCheck, analyser: Analyser) -> None:
    card = analyser.search.get("rice-stem-borer")
    assert card is not None
    number_in_card = next(n for n in card.body.split() if n.isdigit() and int(n) > 2)
    assert check.review(f"Use {number_in_card} traps.", [card]).flags == []
    assert check.review("Spray 987 ml per acre.", [card]).flags == ["numbers-not-in-cards:987"]
    assert check.review("Spray ९८७ ml.", [card]).flags == ["numbers-not-in-cards:987"]  # Devanagari digits


def test_the_guard_never_releases_a_sentence_naming_a_banned_chemical(check: ReplyCheck) -> None:
    shown: list[str] = []
    control = GenerationControl()
    guard = GuardedStream(check, shown.append, control)
    for piece in [
        "Remove egg ",
        "masses by hand. ",
        "Then spray endo",
        "sulfan at 2 ml",
        " per litre. More text.",
    ]:
        guard(piece)
    guard.finish()
    assert "".join(shown) == "Remove egg masses by hand."
    assert guard.blocked and control.should_stop() == "unsafe"
