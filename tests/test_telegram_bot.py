"""The real python-telegram-bot Application against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bot_harness import bot_settings, running_bot, until
from fake_bot_api import FakeBotApi, Fault
from fake_open_meteo import FakeOpenMeteo
from sqlalchemy import func, select

from bot import ui_text
from bot.advisor import Advisor, Analyser
from bot.config import Settings
from bot.engines.base import Generation, GenerationControl, GenerationRequest, OnText
from bot.engines.cards import CardEngine
from bot.i18n import Translator
from bot.languages import SUPPORTED
from bot.message_text import utf16_length
from bot.storage.database import open_database
from bot.storage.models import (
    CropPlan,
    Erasure,
    Farmer,
    Feedback,
    InboxUpdate,
    Message,
    OutboxMessage,
    Review,
    TipLog,
)
from bot.weather.service import Weather


@dataclass
class BotEnv:
    fake: FakeBotApi
    settings: Settings
    advisor: Advisor
    translator: Translator

    def run(self, scenario: Callable[[], Awaitable[None]]) -> None:
        async def main() -> None:
            async with running_bot(self.fake, self.settings, self.advisor):
                await scenario()

        asyncio.run(main())

    def say(self, language: str, message: str, /, **params: str) -> str:
        return self.translator.text(language, message, **params)

    def rows(self, model: type[Any]) -> list[Any]:
        with self.advisor.sessions() as session:
            return list(session.scalars(select(model)).all())

    def farmer(self, user_id: int) -> Farmer | None:
        with self.advisor.sessions() as session:
            return session.scalar(select(Farmer).where(Farmer.channel_user_id == str(user_id)))


def _make_env(
    data_dir: Path, analyser: Analyser, translator: Translator, engine: Any = None, **overrides: Any
) -> tuple[FakeBotApi, BotEnv]:
    fake = FakeBotApi().start()
    settings = bot_settings(fake, data_dir, **overrides)
    _engine, sessions = open_database(settings)
    advisor = Advisor(settings, sessions, analyser, engine or CardEngine(translator), translator)
    return fake, BotEnv(fake, settings, advisor, translator)


@pytest.fixture
def env(data_dir: Path, analyser: Analyser, translator: Translator) -> Iterator[BotEnv]:
    fake, bot_env = _make_env(data_dir, analyser, translator)
    yield bot_env
    fake.stop()


def _buttons(call: Any) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


# --- answers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "app_language", "language"),
    [
        ("कपास में गुलाबी सुंडी का इलाज बताइए", "hi", "hi"),
        ("gehu me peela pan aa gaya hai kya karu", "en", "hi"),
        ("Mahindi yangu yana viwavi jeshi, nifanye nini?", "en", "sw"),
        ("¿Cómo controlo el gusano cogollero en mi maíz?", "es", "es"),
        ("వరిలో అగ్గి తెగులు వచ్చింది ఏం చేయాలి", "te", "te"),
    ],
)
def test_a_question_is_answered_once_in_the_farmers_language_with_buttons(
    env: BotEnv, text: str, app_language: str, language: str
) -> None:
    async def scenario() -> None:
        env.fake.send_text(501, text, language_code=app_language)
        await until(lambda: len(env.fake.delivered(501)) >= 1, what="the answer")
        await asyncio.sleep(0.3)

    env.run(scenario)
    [answer] = env.fake.delivered(501)
    assert env.say(language, ui_text.DRAFT_LABEL) in answer.params["text"]
    buttons = _buttons(answer)
    assert buttons[:2] == [f"fb:up:{buttons[0].split(':')[2]}", f"fb:down:{buttons[0].split(':')[2]}"]
    assert buttons[2].startswith("fb:expert:")
    # "typing…" went out before the answer
    typing = env.fake.calls_of("sendChatAction")
    assert typing and typing[0].at <= answer.at
    [row] = env.rows(OutboxMessage)
    assert (row.state, row.attempts, row.kind) == ("sent", 1, "answer")
    [inbox_row] = env.rows(InboxUpdate)
    assert inbox_row.state == "done"


def test_a_redelivered_update_is_not_answered_twice(env: BotEnv) -> None:
    async def scenario() -> None:
        update_id = env.fake.send_text(502, "wheat yellow leaves what to do")
        await until(lambda: len(env.fake.delivered(502)) >= 1, what="the answer")
        env.fake.push(
            {
                "update_id": update_id,
                "message": env.fake._message(502, "en", text="wheat yellow leaves what to do"),
            }
        )
        await until(lambda: env.fake.pending_updates() == 0, what="the redelivery to be fetched")
        await asyncio.sleep(0.5)

    env.run(scenario)
    assert len(env.fake.delivered(502)) == 1
    assert len([m for m in env.rows(Message) if m.role == "farmer"]) == 1


class _LongEngine:
    """Streams a long answer slowly, with Devanagari and emoji around the 4,096 boundary."""

    def __init__(self, text: str, pieces: int = 20, delay: float = 0.03) -> None:
        self.text, self.pieces, self.delay = text, pieces, delay

    def generate(
        self,
        request: GenerationRequest,
        on_text: OnText | None = None,
        control: GenerationControl | None = None,
    ) -> Generation:
        size = len(self.text) // self.pieces + 1
        for start in range(0, len(self.text), size):
            if on_text:
                on_text(self.text[start : start + size])
            time.sleep(self.delay)
        return Generation(self.text, "test-long", [])


def test_a_long_answer_streams_as_drafts_then_arrives_in_chunks_that_break_nothing(
    data_dir: Path, analyser: Analyser, translator: Translator
) -> None:
    sentence = "गेहूँ की पत्तियाँ पीली हों तो यूरिया की दूसरी किस्त दें। 🌾👩🏽‍🌾 "
    text = sentence * 150  # ~9,000 UTF-16 units: three messages
    fake, env = _make_env(data_dir, analyser, translator, engine=_LongEngine(text))

    async def scenario() -> None:
        fake.send_text(503, "gehu ki patti peeli", language_code="hi")
        await until(lambda: len(fake.delivered(503)) >= 3, what="three chunks")

    try:
        env.run(scenario)
    finally:
        fake.stop()
    chunks = [c.params["text"] for c in fake.delivered(503)]
    assert len(chunks) == 3
    assert all(utf16_length(c) <= 4096 for c in chunks)
    assert "".join(chunks).startswith(text.strip()[:100])
    assert all(c.rstrip().endswith(("।", "🌾", "🏽‍🌾", ".")) or c.endswith(" ") for c in chunks[:-1])
    assert all(not c.startswith(("\u200d", "\U0001f3fd")) for c in chunks)  # no emoji cut in half
    # Only the last chunk carries the buttons.
    assert [bool(_buttons(c)) for c in fake.delivered(503)] == [False, False, True]
    drafts = fake.calls_of("sendMessageDraft")
    assert len(drafts) >= 2, "the answer was streamed"
    lengths = [len(d.params["text"]) for d in drafts]
    assert lengths[0] < lengths[-1] or len(set(lengths)) > 1
    assert drafts[-1].at < fake.delivered(503)[0].at


# --- onboarding and settings ----------------------------------------------------------------------


def test_start_walks_through_consent_language_location_crops_and_tips(env: BotEnv) -> None:
    fake = env.fake

    async def step(action: Callable[[], object], count: int) -> None:
        action()
        await until(lambda: len(fake.delivered(601)) >= count, what=f"{count} messages")

    async def scenario() -> None:
        await step(lambda: fake.send_text(601, "/start", language_code="hi"), 1)
        await step(lambda: fake.press(601, "lang:te:s", language_code="hi"), 3)
        await step(lambda: fake.send_content(601, "hi", location={"latitude": 17.38, "longitude": 78.48}), 5)
        await step(lambda: fake.press(601, "crop:add:rice", language_code="hi"), 6)
        plan_button = _buttons(fake.delivered(601)[-1])[1]  # "2 weeks ago"
        await step(lambda: fake.press(601, plan_button, language_code="hi"), 8)
        await step(lambda: fake.press(601, "setup:crops_done", language_code="hi"), 9)
        await step(lambda: fake.press(601, "tips:on:0630", language_code="hi"), 11)
        await asyncio.sleep(0.2)

    env.run(scenario)
    texts = fake.texts(601)
    welcome = fake.delivered(601)[0]
    assert env.say("hi", ui_text.WELCOME_CONSENT) in texts[0]  # the notice, in the phone's language
    assert _buttons(welcome)[0] == "lang:hi:s" and len(_buttons(welcome)) == len(SUPPORTED)
    assert welcome.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "✓ हिन्दी"
    assert texts[1] == env.say("te", ui_text.LANGUAGE_SET, language="తెలుగు")
    assert texts[2] == env.say("te", ui_text.ASK_PLACE)
    location_button = fake.delivered(601)[2].params["reply_markup"]["keyboard"][0][0]
    assert location_button["request_location"] is True
    assert texts[3] == env.say("te", ui_text.LOCATION_SAVED)
    assert texts[4] == env.say("te", ui_text.ASK_CROPS)
    assert texts[5] == env.say("te", ui_text.ASK_SOWING, crop="వరి")
    assert texts[6].startswith(env.say("te", ui_text.CROP_SAVED_SOWN, crop="వరి", date="X").split("X")[0])
    assert texts[8] == env.say("te", ui_text.ASK_TIPS)
    assert texts[9] == env.say("te", ui_text.TIPS_ON, time="06:30")
    assert texts[10] == env.say("te", ui_text.SETUP_DONE)
    farmer = env.farmer(601)
    assert farmer is not None
    assert (farmer.language, farmer.language_source) == ("te", "chosen")
    assert (farmer.latitude, farmer.longitude) == (17.38, 78.48)
    assert farmer.tips_enabled and farmer.tip_time == dt.time(6, 30)
    assert farmer.consent_at is not None and farmer.setup_step is None
    [plan] = env.rows(CropPlan)
    assert plan.crop == "rice" and plan.sown_on == dt.date.today() - dt.timedelta(days=14)
    # Buttons were acknowledged, and the menu follows the chosen language in this chat.
    assert len(fake.calls_of("answerCallbackQuery")) == 5
    chat_menus = [c for c in fake.calls_of("setMyCommands") if "scope" in c.params]
    assert chat_menus and chat_menus[-1].params["scope"] == {"type": "chat", "chat_id": 601}


def test_a_typed_place_and_a_typed_crop_are_understood_and_steps_can_be_skipped(env: BotEnv) -> None:
    fake = env.fake

    async def scenario() -> None:
        fake.send_text(602, "/start", language_code="en")
        await until(lambda: len(fake.delivered(602)) >= 1)
        fake.press(602, "lang:hi:s")
        await until(lambda: len(fake.delivered(602)) >= 3)
        fake.send_text(602, "Nashik")
        await until(lambda: len(fake.delivered(602)) >= 5)
        fake.send_text(602, "gehu")
        await until(lambda: len(fake.delivered(602)) >= 6)
        plan_button = _buttons(fake.delivered(602)[-1])[-1]  # not sown yet
        fake.press(602, plan_button)
        await until(lambda: len(fake.delivered(602)) >= 8)
        fake.press(602, "setup:crops_done")
        await until(lambda: len(fake.delivered(602)) >= 9)
        fake.press(602, "tips:off")
        await until(lambda: len(fake.delivered(602)) >= 11)

    env.run(scenario)
    texts = fake.texts(602)
    assert texts[3] == env.say("hi", ui_text.PLACE_SAVED, place="Nashik")
    assert texts[5] == env.say("hi", ui_text.ASK_SOWING, crop="गेहूं")
    assert texts[6] == env.say("hi", ui_text.CROP_SAVED, crop="गेहूं")
    assert texts[9] == env.say("hi", ui_text.TIPS_OFF)
    farmer = env.farmer(602)
    assert farmer is not None and farmer.place_name == "Nashik" and not farmer.tips_enabled
    [plan] = env.rows(CropPlan)
    assert plan.crop == "wheat" and plan.sown_on is None


def test_a_question_during_setup_is_answered_not_taken_for_a_place(env: BotEnv) -> None:
    fake = env.fake

    async def scenario() -> None:
        fake.send_text(603, "/start")
        await until(lambda: len(fake.delivered(603)) >= 1)
        fake.press(603, "lang:en:s")
        await until(lambda: len(fake.delivered(603)) >= 3)
        fake.send_text(603, "my tomato leaves are curling, what should I spray?")
        await until(lambda: len(fake.delivered(603)) >= 4)

    env.run(scenario)
    farmer = env.farmer(603)
    assert farmer is not None and farmer.place_name is None and farmer.setup_step is None
    assert env.say("en", ui_text.DRAFT_LABEL) in fake.texts(603)[3]


def test_help_profile_crops_tips_and_language_commands(env: BotEnv) -> None:
    fake = env.fake

    async def scenario() -> None:
        for index, command in enumerate(["/help", "/profile", "/crops", "/tips", "/language", "/unknown"], 1):
            fake.send_text(604, command, language_code="es")
            await until(lambda n=index: len(fake.delivered(604)) >= n)  # type: ignore[misc]
        fake.press(604, "crop:list", language_code="es")
        await until(lambda: len(fake.delivered(604)) >= 7)
        fake.press(604, "crop:add:coffee", language_code="es")
        await until(lambda: len(fake.delivered(604)) >= 8)
        fake.press(604, _buttons(fake.delivered(604)[-1])[0], language_code="es")
        await until(lambda: len(fake.delivered(604)) >= 10)
        plan_id = next(b for b in _buttons(fake.delivered(604)[-1]) if b.startswith("crop:rm:"))
        fake.press(604, plan_id, language_code="es")
        await until(lambda: len(fake.delivered(604)) >= 12)

    env.run(scenario)
    texts = fake.texts(604)
    assert texts[0] == env.say("es", ui_text.HELP) and "/forget" in texts[0]
    assert texts[1].startswith(env.say("es", ui_text.PROFILE).split("\n")[0])
    assert env.say("es", ui_text.NOT_SET) in texts[1]
    assert texts[2] == env.say("es", ui_text.NO_CROPS)
    assert texts[3] == env.say("es", ui_text.ASK_TIPS)
    assert texts[4] == env.say("es", ui_text.CHOOSE_LANGUAGE)
    assert texts[5] == env.say("es", ui_text.HELP)  # an unknown command gets the help
    assert texts[8].startswith(env.say("es", ui_text.CROP_SAVED_SOWN, crop="Café", date="X").split("X")[0])
    assert texts[9] == env.say("es", ui_text.CROPS_LIST)
    assert texts[10] == env.say("es", ui_text.CROP_REMOVED, crop="Café")
    assert env.rows(CropPlan) == []
    # The command menu exists in every language.
    menus = [c for c in fake.calls_of("setMyCommands") if "scope" not in c.params]
    assert {c.params.get("language_code") for c in menus} == {None} | (set(SUPPORTED) - {"en"})


# --- feedback, experts, erasure --------------------------------------------------------------------


def test_thumbs_reasons_and_expert_requests_reach_the_officers_queue(env: BotEnv) -> None:
    fake = env.fake

    async def scenario() -> None:
        fake.send_text(701, "tomato leaf curl virus what to do")
        await until(lambda: len(fake.delivered(701)) >= 1)
        first = _buttons(fake.delivered(701)[0])
        fake.press(701, first[0])  # 👍
        await until(lambda: len(fake.calls_of("answerCallbackQuery")) >= 1)
        fake.press(701, first[1])  # 👎 (changes the verdict)
        await until(lambda: len(fake.delivered(701)) >= 2)
        reason = _buttons(fake.delivered(701)[1])[0]
        fake.press(701, reason)
        await until(lambda: len(fake.calls_of("answerCallbackQuery")) >= 3)
        fake.send_text(701, "maize fall armyworm control")
        await until(lambda: len(fake.delivered(701)) >= 3)
        fake.send_text(701, "/expert")
        await until(lambda: len(fake.delivered(701)) >= 4)
        fake.press(702, first[0])  # someone else's answer: nothing happens
        await until(lambda: len(fake.calls_of("answerCallbackQuery")) >= 4)

    env.run(scenario)
    [feedback] = env.rows(Feedback)
    assert (feedback.rating, feedback.reason) == (-1, "wrong")
    reviews = {r.answer_id: (r.reason, r.status) for r in env.rows(Review)}
    assert reviews[feedback.answer_id] == ("safety", "open")  # 👎'd; a spray dose already put it there
    assert sorted(reviews.values()) == [("expert", "open"), ("safety", "open")]
    assert fake.texts(701)[1] == env.say("en", ui_text.FEEDBACK_WHY)
    assert fake.texts(701)[3] == env.say("en", ui_text.EXPERT_OPENED)
    toasts = [c.params.get("text") for c in fake.calls_of("answerCallbackQuery")]
    assert toasts[0] == env.say("en", ui_text.FEEDBACK_THANKS)
    assert toasts[2] == env.say("en", ui_text.FEEDBACK_TO_OFFICER)
    assert toasts[3] is None


def test_forget_erases_everything_after_a_confirmation(env: BotEnv) -> None:
    fake = env.fake

    async def scenario() -> None:
        fake.send_text(801, "/start", language_code="sw")
        await until(lambda: len(fake.delivered(801)) >= 1)
        fake.press(801, "crop:add:maize", language_code="sw")
        await until(lambda: len(fake.delivered(801)) >= 2)
        fake.send_text(801, "Mahindi yangu yana viwavi jeshi", language_code="sw")
        await until(lambda: len(fake.delivered(801)) >= 3)
        fake.press(801, _buttons(fake.delivered(801)[-1])[1], language_code="sw")  # 👎 → review
        await until(lambda: len(fake.delivered(801)) >= 4)
        fake.send_text(801, "/forget", language_code="sw")
        await until(lambda: len(fake.delivered(801)) >= 5)
        fake.press(801, "forget:no", language_code="sw")
        await until(lambda: len(fake.delivered(801)) >= 6)
        fake.send_text(801, "/forget", language_code="sw")
        await until(lambda: len(fake.delivered(801)) >= 7)
        fake.press(801, "forget:yes", language_code="sw")
        await until(lambda: len(fake.delivered(801)) >= 8)
        fake.send_text(999, "hello", language_code="en")  # another farmer stays
        await until(lambda: len(fake.delivered(999)) >= 1)

    env.run(scenario)
    assert fake.texts(801)[5] == env.say("sw", ui_text.FORGET_CANCELLED)
    assert fake.texts(801)[7] == env.say("sw", ui_text.FORGOTTEN)
    assert env.farmer(801) is None
    assert env.rows(CropPlan) == [] and env.rows(Review) == [] and env.rows(Feedback) == []
    assert {m.farmer_id for m in env.rows(Message)} == {env.farmer(999).id}  # type: ignore[union-attr]
    assert all(r.chat_id == 999 or r.farmer_id is None for r in env.rows(OutboxMessage))
    leftovers = [r for r in env.rows(InboxUpdate) if r.channel_user_id == "801" or "Mahindi" in r.payload]
    assert leftovers == []
    [erasure] = env.rows(Erasure)
    assert erasure.messages_erased >= 2


# --- input that is not a question -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"voice": {"file_id": "v1", "file_unique_id": "u2", "duration": 3}},
        {"photo": [{"file_id": "p1", "file_unique_id": "u3", "width": 90, "height": 90}]},
        {"document": {"file_id": "d1", "file_unique_id": "u4", "file_name": "soil.pdf"}},
    ],
    ids=["sticker", "voice", "photo", "document"],
)
def test_non_text_messages_get_a_localized_reply_and_are_kept(env: BotEnv, content: dict[str, Any]) -> None:
    async def scenario() -> None:
        env.fake.send_content(901, "ta", **content)
        await until(lambda: len(env.fake.delivered(901)) >= 1)

    env.run(scenario)
    assert env.fake.texts(901) == [env.say("ta", ui_text.NOT_TEXT)]
    [kept] = env.rows(Message)
    kind = next(iter(content))
    assert kept.text == f"[{kind}]" and kind in kept.flags


def test_a_flood_gets_one_notice_and_every_message_is_kept(env: BotEnv) -> None:
    async def scenario() -> None:
        for n in range(12):
            env.fake.send_text(902, f"wheat rust question number {n}")
        await until(lambda: env.fake.pending_updates() == 0)
        await until(
            lambda: len(env.rows(InboxUpdate)) == 12 and all(r.state == "done" for r in env.rows(InboxUpdate))
        )
        await asyncio.sleep(0.5)

    env.run(scenario)
    texts = env.fake.texts(902)
    assert texts.count(env.say("en", ui_text.FLOOD)) == 1
    assert len(texts) == env.settings.flood_messages + 1
    farmer_messages = [m for m in env.rows(Message) if m.role == "farmer"]
    assert len(farmer_messages) == 12
    assert sum("flood" in m.flags for m in farmer_messages) == 12 - env.settings.flood_messages


# --- delivery faults -------------------------------------------------------------------------------


def test_429_twice_then_success_is_delivered_once_after_waiting(env: BotEnv) -> None:
    env.fake.fail(
        "sendMessage", Fault(429, "Too Many Requests", retry_after=1), Fault(429, "Too Many", retry_after=1)
    )

    async def scenario() -> None:
        env.fake.send_text(1001, "onion thrips control")
        await until(lambda: len(env.fake.delivered(1001)) >= 1)

    env.run(scenario)
    attempts = [c for c in env.fake.calls_of("sendMessage")]
    assert [c.ok for c in attempts] == [False, False, True]
    assert attempts[1].at - attempts[0].at >= 0.95 and attempts[2].at - attempts[1].at >= 0.95
    [row] = env.rows(OutboxMessage)
    assert (row.state, row.attempts) == ("sent", 3)


def test_502_is_retried_with_backoff(env: BotEnv) -> None:
    env.fake.fail("sendMessage", Fault(502, "Bad Gateway"), Fault(500, "Internal Server Error"))

    async def scenario() -> None:
        env.fake.send_text(1002, "banana sigatoka leaf spot")
        await until(lambda: len(env.fake.delivered(1002)) >= 1)

    env.run(scenario)
    assert [c.ok for c in env.fake.calls_of("sendMessage")] == [False, False, True]
    [row] = env.rows(OutboxMessage)
    assert (row.state, row.attempts) == ("sent", 3)


def test_a_read_timeout_after_delivery_is_uncertain_and_not_resent(env: BotEnv) -> None:
    # Telegram accepted the message, then the answer never came back in time.
    env.fake.fail("sendMessage", Fault(stall=env.settings.telegram_read_timeout_s + 1.5, record=True))

    async def scenario() -> None:
        env.fake.send_text(1003, "cotton pink bollworm")
        await until(lambda: any(r.state == "uncertain" for r in env.rows(OutboxMessage)), timeout=20)
        env.fake.send_text(1003, "/help")  # later messages still go out
        await until(lambda: len(env.fake.delivered(1003)) >= 2)
        await asyncio.sleep(0.5)

    env.run(scenario)
    texts = env.fake.texts(1003)
    assert len(texts) == 2 and texts[1] == env.say("en", ui_text.HELP)
    states = [r.state for r in env.rows(OutboxMessage)]
    assert states == ["uncertain", "sent"]


def test_400_is_not_retried_as_is(env: BotEnv) -> None:
    # The answer carries buttons: tried once more without them, then given up.
    env.fake.fail(
        "sendMessage",
        Fault(400, "Bad Request: BUTTON_DATA_INVALID"),
        Fault(400, "Bad Request: chat not found"),
    )

    async def scenario() -> None:
        env.fake.send_text(1004, "mustard aphid")
        await until(lambda: any(r.state == "failed" for r in env.rows(OutboxMessage)))
        await asyncio.sleep(0.5)

    env.run(scenario)
    calls = env.fake.calls_of("sendMessage")
    assert len(calls) == 2
    assert "reply_markup" in calls[0].params and "reply_markup" not in calls[1].params
    [row] = env.rows(OutboxMessage)
    assert (row.state, row.attempts) == ("failed", 2)


def test_pacing_keeps_a_second_between_messages_to_one_chat(
    data_dir: Path, analyser: Analyser, translator: Translator
) -> None:
    fake, env = _make_env(data_dir, analyser, translator, chat_min_interval_s=0.4)

    async def scenario() -> None:
        fake.send_text(1005, "/start")
        await until(lambda: len(fake.delivered(1005)) >= 1)
        fake.press(1005, "lang:en:s")  # two messages at once
        fake.send_text(1006, "/help")
        await until(lambda: len(fake.delivered(1005)) >= 3 and len(fake.delivered(1006)) >= 1)

    try:
        env.run(scenario)
    finally:
        fake.stop()
    times = [c.at for c in fake.delivered(1005)]
    assert times[2] - times[1] >= 0.38
    # Another chat is not held up by this one's pacing.
    assert fake.delivered(1006)[0].at < times[2]


# --- crash recovery, in-process -------------------------------------------------------------------


def test_work_left_by_a_crash_is_finished_and_nothing_is_doubled(env: BotEnv) -> None:
    """An update recorded but unfinished, a reply pending, and a reply caught mid-send."""
    from bot.storage import outbox

    with env.advisor.sessions.begin() as session:
        update = {"update_id": 77, "message": env.fake._message(1101, "en", text="potato late blight")}
        import json

        session.add(
            InboxUpdate(
                update_id=77,
                channel="telegram",
                channel_user_id="1101",
                kind="text",
                payload=json.dumps(update),
                state="processing",
                attempts=1,
            )
        )
        outbox.enqueue(session, channel="telegram", chat_id=1102, text="pending reply", kind="notice")
        caught = outbox.enqueue(
            session, channel="telegram", chat_id=1103, text="caught mid-send", kind="notice"
        )
        caught.state = "sending"

    async def scenario() -> None:
        await until(lambda: len(env.fake.delivered(1101)) >= 1 and len(env.fake.delivered(1102)) >= 1)
        env.fake.push(update)  # Telegram redelivers it too
        await until(lambda: env.fake.pending_updates() == 0)
        await asyncio.sleep(0.5)

    env.run(scenario)
    assert len(env.fake.delivered(1101)) == 1
    assert env.fake.texts(1102) == ["pending reply"]
    assert env.fake.delivered(1103) == []
    states = {r.chat_id: r.state for r in env.rows(OutboxMessage)}
    assert states[1103] == "uncertain"


# --- privacy in logs -------------------------------------------------------------------------------


def test_logs_carry_neither_the_token_nor_the_farmers_words(
    env: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env.fake.fail("sendMessage", Fault(502, "Bad Gateway"))

    async def scenario() -> None:
        env.fake.send_text(1201, "secretword brinjal shoot borer")
        await until(lambda: len(env.fake.delivered(1201)) >= 1)

    env.run(scenario)
    info = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert env.fake.token not in everything
    assert "secretword" not in info
    assert "update" in info and "answered" in info  # the logs are there, without content


# --- two bots on one database ---------------------------------------------------------------------


def test_the_run_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    from bot.run_lock import AlreadyRunning, RunLock

    with RunLock(tmp_path / "db.run-lock"), pytest.raises(AlreadyRunning, match="already running"):
        RunLock(tmp_path / "db.run-lock").acquire()
    with RunLock(tmp_path / "db.run-lock"):
        pass  # released: a restart takes it


def test_threads_do_not_leak(env: BotEnv) -> None:
    before = threading.active_count()

    async def scenario() -> None:
        env.fake.send_text(1301, "hello")
        await until(lambda: len(env.fake.delivered(1301)) >= 1)

    env.run(scenario)
    env.advisor.close()
    assert threading.active_count() <= before + 2
    with env.advisor.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxUpdate)) == 1


# --- webhook mode ----------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_webhook_mode_checks_the_secret_and_ignores_replays(
    data_dir: Path, analyser: Analyser, translator: Translator
) -> None:
    import httpx

    port = _free_port()
    fake, env = _make_env(
        data_dir,
        analyser,
        translator,
        telegram_webhook_url="https://bot.example.org/telegram",
        telegram_webhook_secret="s3cret-Value_1",
        telegram_webhook_port=port,
    )
    update = {"update_id": 5005, "message": fake._message(1401, "hi", text="धान में झुलसा रोग")}

    async def post(secret: str | None) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with httpx.AsyncClient() as client:
            response = await client.post(f"http://127.0.0.1:{port}/telegram", json=update, headers=headers)
        return response.status_code

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    async def scenario() -> None:
        await until(lambda: bool(fake.calls_of("setWebhook")))
        await until(listening, what="the webhook server")  # PTB may ask setWebhook before it listens
        assert await post(None) == 403
        assert await post("wrong") == 403
        assert await post("s3cret-Value_1") == 200
        await until(lambda: len(fake.delivered(1401)) >= 1)
        assert await post("s3cret-Value_1") == 200  # Telegram retrying: accepted, not redone
        await asyncio.sleep(0.5)

    async def main() -> None:
        from bot.telegram_door.app import serve

        stop = asyncio.Event()
        task = asyncio.create_task(serve(env.settings, env.advisor, stop))
        try:
            await scenario()
        finally:
            stop.set()
            async with asyncio.timeout(20):
                await task

    try:
        asyncio.run(main())
    finally:
        fake.stop()
    [webhook] = fake.calls_of("setWebhook")
    assert webhook.params["url"] == "https://bot.example.org/telegram"
    assert webhook.params["secret_token"] == "s3cret-Value_1"
    assert len(fake.delivered(1401)) == 1
    assert fake.calls_of("getUpdates") == []


def test_a_burst_of_two_hundred_farmers_is_answered_once_each(
    env: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    # Regression: handlers' typing and draft calls once shared the sender's 16 connections; a burst
    # ran into pool timeouts and left answers stuck in `sending`.
    farmers = range(5000, 5200)
    caplog.set_level(logging.WARNING)

    async def scenario() -> None:
        for user_id in farmers:
            env.fake.send_text(user_id, "tomato leaf curl what to spray")
        await until(lambda: len(env.fake.delivered()) >= len(farmers), timeout=90, what="every answer")
        await asyncio.sleep(0.5)  # nothing more may follow

    env.run(scenario)
    answered = [int(c.params["chat_id"]) for c in env.fake.delivered()]
    assert sorted(answered) == list(farmers)  # each farmer exactly once
    assert {r.state for r in env.rows(OutboxMessage)} == {"sent"}
    assert len(env.fake.calls_of("sendChatAction")) >= len(farmers)  # everyone saw "typing"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "errors in a burst"


def test_a_send_that_never_returns_is_given_up_as_uncertain(data_dir: Path) -> None:
    """The sender's backstop over httpx: a request hung past the hard timeout frees its chat."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.storage import outbox
    from bot.telegram_door.pacing import Pacer
    from bot.telegram_door.sender import CHANNEL, OutboxSender

    fake = FakeBotApi().start()
    settings = bot_settings(fake, data_dir)
    _engine, sessions = open_database(settings)
    fake.fail("sendMessage", Fault(stall=3.0, record=True))
    with sessions.begin() as session:
        for text in ("first", "second"):
            outbox.enqueue(session, channel=CHANNEL, chat_id=77, text=text, kind="answer")

    async def scenario() -> None:
        slow = HTTPXRequest(read_timeout=30.0)  # httpx alone would wait 30 s
        bot = Bot(fake.token, base_url=fake.base_url, request=slow)
        sender = OutboxSender(bot, sessions, Pacer(0.01, 100.0), hard_timeout_s=0.5)
        await sender.start()
        try:
            await until(lambda: fake.texts(77) == ["first", "second"], timeout=10, what="both sent")
        finally:
            await sender.stop()

    try:
        asyncio.run(scenario())
    finally:
        fake.stop()
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        outcome = [(r.text, r.state, r.attempts) for r in rows]
    assert outcome == [("first", "uncertain", 1), ("second", "sent", 1)]


# --- weather -----------------------------------------------------------------------------------------


@dataclass
class WeatherEnv:
    bot: BotEnv
    meteo: FakeOpenMeteo


@pytest.fixture
def weather_env(data_dir: Path, analyser: Analyser, translator: Translator) -> Iterator[WeatherEnv]:
    today_in_india = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5, minutes=30)).date()
    meteo = FakeOpenMeteo(today_in_india).start()
    fake, bot_env = _make_env(
        data_dir, analyser, translator, open_meteo_url=meteo.url, tip_sweep_interval_s=1
    )
    bot_env.advisor.weather = Weather.build(bot_env.settings, translator)
    yield WeatherEnv(bot_env, meteo)
    fake.stop()
    meteo.stop()


def test_a_weather_question_asks_for_the_location_once_then_answers_from_the_forecast(
    weather_env: WeatherEnv,
) -> None:
    env, meteo = weather_env.bot, weather_env.meteo
    meteo.weather[(17.4, 78.5)] = [{}, {"precipitation_sum": 28.0, "precipitation_probability_max": 90}]
    user = 7001

    async def scenario() -> None:
        env.fake.send_text(user, "kal barish hogi kya", language_code="hi")
        await until(lambda: len(env.fake.delivered(user)) >= 2)
        env.fake.send_text(user, "kal barish hogi kya", language_code="hi")
        await until(lambda: len(env.fake.delivered(user)) >= 3)
        env.fake.send_content(user, "hi", location={"latitude": 17.385, "longitude": 78.4867})
        await until(lambda: len(env.fake.delivered(user)) >= 5)  # saved, and the question answered
        env.fake.send_text(user, "kal barish hogi kya", language_code="hi")
        await until(lambda: len(env.fake.delivered(user)) >= 6)
        env.fake.send_content(user, "hi", location={"latitude": 17.385, "longitude": 78.4867})
        await until(lambda: len(env.fake.delivered(user)) >= 7)
        await asyncio.sleep(0.5)  # a second share answers nothing twice

    env.run(scenario)
    calls = env.fake.delivered(user)
    asked = [c for c in calls if c.params["text"] == env.say("hi", ui_text.WEATHER_NEED_LOCATION)]
    assert len(asked) == 1  # asked once, with the location button
    assert asked[0].params["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert len(calls) == 7
    assert calls[3].params["text"] == env.say("hi", ui_text.LOCATION_SAVED)
    after_sharing, asked_again = calls[4].params["text"], calls[5].params["text"]
    assert after_sharing == asked_again  # the waiting question got the forecast without asking again
    assert calls[6].params["text"] == env.say("hi", ui_text.LOCATION_SAVED)
    forecast = calls[5].params["text"]
    assert forecast.startswith(env.say("hi", ui_text.WEATHER_HEADER))
    rain = env.say("hi", ui_text.TIP_HEAVY_RAIN, day=env.say("hi", ui_text.DAY_TOMORROW), rain="28")
    assert rain in forecast and env.say("hi", ui_text.TIP_LABEL) in forecast
    assert env.say("hi", ui_text.DRAFT_LABEL) not in forecast  # one label, the forecast's
    assert [q["latitude"] for q in meteo.requests] == ["17.4"]  # the cell, never the exact farm


def test_the_morning_tip_is_sent_by_the_running_bot(weather_env: WeatherEnv) -> None:
    env = weather_env.bot
    local = dt.datetime.now(dt.UTC) + dt.timedelta(hours=5, minutes=30)
    due = max(local - dt.timedelta(minutes=1), local.replace(hour=0, minute=0))
    with env.advisor.sessions.begin() as session:
        session.add(
            Farmer(
                channel="telegram",
                channel_user_id="7002",
                chat_id=7002,
                language="te",
                latitude=16.5,
                longitude=80.6,
                tips_enabled=True,
                tip_time=due.time().replace(second=0, microsecond=0),
            )
        )

    async def scenario() -> None:
        await until(lambda: len(env.fake.delivered(7002)) >= 1, timeout=20, what="the tip")
        await asyncio.sleep(1.5)  # the next sweeps send nothing more

    env.run(scenario)
    [tip] = env.fake.texts(7002)
    assert tip.startswith("🌦") and env.say("te", ui_text.TIP_LABEL) in tip
    [row] = env.rows(OutboxMessage)
    assert (row.kind, row.state) == ("tip", "sent")
    [claim] = env.rows(TipLog)
    assert claim.outbox_id == row.id


def test_turning_tips_on_without_a_location_asks_for_it(env: BotEnv) -> None:
    async def scenario() -> None:
        env.fake.press(7003, "tips:on:0630", language_code="es")
        await until(lambda: len(env.fake.delivered(7003)) >= 2)
        await asyncio.sleep(0.3)

    env.run(scenario)
    on, ask = env.fake.delivered(7003)
    assert on.params["text"] == env.say("es", ui_text.TIPS_ON, time="06:30")
    assert ask.params["text"] == env.say("es", ui_text.TIPS_NEED_LOCATION)
    assert ask.params["reply_markup"]["keyboard"][0][0]["request_location"] is True
    farmer = env.farmer(7003)
    assert farmer is not None and farmer.tips_enabled and farmer.tip_time == dt.time(6, 30)
