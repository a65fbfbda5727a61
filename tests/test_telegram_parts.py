"""The Telegram door's small parts: pacing, flood guard, buttons and their text in every language."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest
from babel.messages.pofile import read_po
from tests_support import KNOWLEDGE_DIR

from bot import ui_text
from bot.crop_names import CropNames
from bot.i18n import TRANSLATIONS_DIR, Translator
from bot.languages import SUPPORTED
from bot.telegram_door import keyboards
from bot.telegram_door.door import COMMANDS
from bot.telegram_door.flood import FloodGuard, Verdict
from bot.telegram_door.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_flood_guard_notifies_once_per_burst() -> None:
    clock = Clock()
    guard = FloodGuard(max_messages=3, window_s=10, clock=clock)
    verdicts = []
    for _ in range(6):
        verdicts.append(guard.arrived(1))
        clock.now += 0.5
    assert verdicts == [Verdict.OK] * 3 + [Verdict.FLOOD_NOTIFY, Verdict.FLOOD_QUIET, Verdict.FLOOD_QUIET]
    assert guard.arrived(2) is Verdict.OK  # another farmer is not affected
    clock.now += 30  # a quiet spell ends the burst
    assert guard.arrived(1) is Verdict.OK


def test_the_pacer_spaces_one_chat_and_caps_the_total() -> None:
    async def scenario() -> list[tuple[int, float]]:
        loop = asyncio.get_running_loop()
        pacer = Pacer(chat_interval_s=0.2, per_second=20)
        sent: list[tuple[int, float]] = []

        async def send(chat: int) -> None:
            await pacer.wait(chat)
            sent.append((chat, loop.time()))

        await asyncio.gather(*(send(chat) for chat in [1, 1, 1, 2, 3, 4, 5, 6]))
        return sent

    sent = asyncio.run(scenario())
    ones = [t for chat, t in sent if chat == 1]
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(ones))
    times = sorted(t for _chat, t in sent)
    assert all(b - a >= 0.045 for a, b in itertools.pairwise(times))  # ≤ 20 a second


def test_a_429_pauses_every_chat() -> None:
    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        pacer = Pacer(chat_interval_s=0.0, per_second=1000)
        pacer.pause(0.3)
        started = loop.time()
        await pacer.wait(99)
        return loop.time() - started

    assert asyncio.run(scenario()) >= 0.29


def _all_callback_data(markup: keyboards.Markup) -> list[str]:
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


@pytest.mark.parametrize("language", SUPPORTED)
def test_buttons_fit_telegram_in_every_language(language: str) -> None:
    translator = Translator()
    crop_names = CropNames(KNOWLEDGE_DIR / "lexicon")

    def say(message: str, /, **params: str) -> str:
        return translator.text(language, message, **params)

    choices = [(c, crop_names.name(c, language)) for c in crop_names.offered(language)]
    markups = [
        keyboards.languages(language, setup=True),
        keyboards.crops(say, choices, done=True),
        keyboards.sowing(say, 2**40),
        keyboards.tips(say, ["06:30", "07:30"]),
        keyboards.my_crops(say, [(2**40, name) for _c, name in choices]),
        keyboards.profile(say),
        keyboards.forget(say),
        keyboards.feedback(say, 2**40),
        keyboards.reasons(say, 2**40),
    ]
    for markup in markups:
        for data in _all_callback_data(markup):
            assert len(data.encode()) <= 64 and data.isascii()
        for row in markup["inline_keyboard"]:
            for button in row:
                assert 0 < len(button["text"]) <= 40, button["text"]
    assert len(choices) >= 6
    for name, description in COMMANDS:
        text = translator.text(language, description)
        assert re.fullmatch(r"[a-z]+", name) and 3 <= len(text) <= 256


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED if lang != "en"])
def test_translations_keep_every_placeholder_and_command(language: str) -> None:
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "kisanbot.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: str(m.string) for m in catalog if m.id}
    for message in ui_text.ALL:
        theirs = translated[message]
        assert set(re.findall(r"%\(\w+\)s", message)) == set(re.findall(r"%\(\w+\)s", theirs)), message
        assert set(re.findall(r"/[a-z]+\b", message)) <= set(re.findall(r"/[a-z]+\b", theirs)), message
