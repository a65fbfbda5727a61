"""The real python-telegram-bot Application against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot_harness import bot_settings, running_bot, until
from fake_bot_api import FakeBotApi

from bot.advisor import Advisor, Analyser
from bot.engines.cards import CardEngine
from bot.i18n import Translator
from bot.storage.database import open_database


def _advisor(settings, analyser: Analyser, translator: Translator) -> Advisor:  # type: ignore[no-untyped-def]
    _engine, sessions = open_database(settings)
    return Advisor(settings, sessions, analyser, CardEngine(translator), translator)


def test_a_question_gets_one_answer_with_feedback_buttons(
    data_dir: Path, analyser: Analyser, translator: Translator
) -> None:
    fake = FakeBotApi().start()
    settings = bot_settings(fake, data_dir)
    advisor = _advisor(settings, analyser, translator)

    async def scenario() -> None:
        async with running_bot(fake, settings, advisor):
            fake.send_text(501, "कपास में गुलाबी सुंडी का इलाज बताइए", language_code="hi")
            await until(lambda: len(fake.delivered(501)) >= 1, what="the answer")
            await asyncio.sleep(0.3)

    try:
        asyncio.run(scenario())
    finally:
        fake.stop()
    answers = fake.delivered(501)
    assert len(answers) == 1
    print(answers[0].params)
