"""The Telegram door: turns updates into calls on the core and replies into outbox rows.

Every update is claimed in the inbox first (group -1). Each handler collects its replies in an
`Outgoing`; they are written to the outbox in the same transaction that marks the update done, so
a crash either redoes the whole update or nothing of it: no reply is lost and none is doubled."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session
from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import farmers, feedback, ui_text
from bot.advisor import Advisor, Reply
from bot.config import Settings
from bot.crop_names import CropNames
from bot.languages import NATIVE_NAMES, SUPPORTED, normalize_code
from bot.message_text import clean, split_for_delivery
from bot.storage import inbox, outbox
from bot.storage.models import Farmer
from bot.storage.repository import Identity, get_or_create_farmer, store_unanswered
from bot.telegram_door import keyboards
from bot.telegram_door.flood import FloodGuard, Verdict
from bot.telegram_door.keyboards import Markup, Say
from bot.telegram_door.pacing import Pacer
from bot.telegram_door.sender import CHANNEL, OutboxSender
from bot.telegram_door.streaming import AnswerStream
from bot.weather.schedule import TipSchedule

log = logging.getLogger(__name__)

#: (command, its menu description) in menu order.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", ui_text.COMMAND_START),
    ("help", ui_text.COMMAND_HELP),
    ("language", ui_text.COMMAND_LANGUAGE),
    ("profile", ui_text.COMMAND_PROFILE),
    ("crops", ui_text.COMMAND_CROPS),
    ("tips", ui_text.COMMAND_TIPS),
    ("expert", ui_text.COMMAND_EXPERT),
    ("forget", ui_text.COMMAND_FORGET),
)
#: A typed reply this short, naming no crop or farm topic, is a place name during set-up.
_PLACE_MAX_WORDS = 5
_NON_TEXT_KINDS = (
    "voice",
    "audio",
    "photo",
    "video",
    "video_note",
    "sticker",
    "document",
    "animation",
    "contact",
    "poll",
    "dice",
)
Handler = Callable[[Update, "Outgoing"], Awaitable[None]]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class Outgoing:
    """Replies gathered while one update is handled, committed with the update's inbox row."""

    chat_id: int
    language: str
    farmer_id: int | None = None
    items: list[tuple[str, Markup | None, str, int | None]] = field(default_factory=list)

    def say(
        self, text: str, markup: Markup | None = None, kind: str = "notice", message_id: int | None = None
    ) -> None:
        self.items.append((text, markup, kind, message_id))


class TelegramDoor:
    def __init__(
        self,
        settings: Settings,
        advisor: Advisor,
        sender: OutboxSender,
        pacer: Pacer,
        crop_names: CropNames,
        tips: TipSchedule | None = None,
    ) -> None:
        self.settings = settings
        self.tips = tips
        self.advisor = advisor
        self.sender = sender
        self.pacer = pacer
        self.crop_names = crop_names
        self.sessions = advisor.sessions
        self.flood = FloodGuard(settings.flood_messages, settings.flood_window_s)
        self._in_flight: set[int] = set()
        self._chat_locks: dict[int, asyncio.Lock] = {}
        # Advisor calls block (the model's queue); their own pool keeps them off PTB's default one.
        self._advisor_pool = ThreadPoolExecutor(
            max_workers=settings.queue_max_waiting + 4, thread_name_prefix="advisor"
        )

    # --- wiring -------------------------------------------------------------------------------

    def install(self, app: AnyApplication) -> None:
        self._bot: Bot = app.bot
        app.add_handler(TypeHandler(Update, self.record), group=-1)
        commands: dict[str, Handler] = {
            "start": self.on_start,
            "help": self.on_help,
            "language": self.on_language,
            "profile": self.on_profile,
            "crops": self.on_crops,
            "tips": self.on_tips,
            "expert": self.on_expert,
            "forget": self.on_forget,
        }
        private = filters.ChatType.PRIVATE
        for name, handler in commands.items():
            app.add_handler(CommandHandler(name, self._tracked(handler), filters=private))
        app.add_handler(CallbackQueryHandler(self._tracked(self.on_button)))
        app.add_handler(MessageHandler(private & filters.COMMAND, self._tracked(self.on_help)))
        app.add_handler(MessageHandler(private & filters.LOCATION, self._tracked(self.on_location)))
        app.add_handler(MessageHandler(private & filters.TEXT, self._tracked(self.on_text)))
        app.add_handler(MessageHandler(private, self._tracked(self.on_not_text)))
        app.add_error_handler(self.on_error)

    async def start(self, app: AnyApplication) -> int:
        """Starts delivery and the tips sweep, sets the command menus and re-queues updates a crash
        left unfinished."""
        await self.sender.start()
        if self.tips is not None and app.job_queue is not None and self.settings.tip_sweep_interval_s > 0:
            # APScheduler only rings the bell; the claim rows in TipSchedule decide what is sent.
            app.job_queue.run_repeating(
                self.sweep_tips,
                interval=self.settings.tip_sweep_interval_s,
                first=1.0,
                name="tips-sweep",
                job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
            )
        await self._set_command_menus(app)
        with self.sessions() as session:
            pending = inbox.unfinished(session)
        for _update_id, payload in pending:
            await app.update_queue.put(Update.de_json(json.loads(payload), app.bot))
        if pending:
            log.warning("%d updates were unfinished when the bot stopped: handling them again", len(pending))
        return len(pending)

    async def sweep_tips(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """One sweep, off the event loop (it reads the database and may fetch forecasts)."""
        assert self.tips is not None
        try:
            report = await asyncio.get_running_loop().run_in_executor(self._advisor_pool, self.tips.sweep)
        except Exception:  # a failed sweep must not stop the next one, nor the bot
            log.exception("tips sweep failed")
            return
        if report.queued:
            self.sender.wake()

    async def stop(self) -> None:
        await self.sender.drain(timeout=3.0)
        await self.sender.stop()
        self._advisor_pool.shutdown(wait=False, cancel_futures=True)

    async def _set_command_menus(self, app: AnyApplication) -> None:
        for language in SUPPORTED:
            try:
                await app.bot.set_my_commands(
                    self._menu(language), language_code=None if language == "en" else language
                )
            except TelegramError as exc:
                log.warning("could not set the %s command menu: %s", language, type(exc).__name__)

    def _menu(self, language: str) -> list[BotCommand]:
        say = self._say(language)
        return [BotCommand(name, say(description)) for name, description in COMMANDS]

    # --- the inbox and the per-update transaction ----------------------------------------------

    async def record(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Group -1: writes the update down before any work; a duplicate stops here."""
        kind = _kind(update)
        if kind is None:
            log.debug("update %d ignored: not a private message or button", update.update_id)
            raise ApplicationHandlerStop
        user = update.effective_user
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        payload = payload.encode("utf-8", "replace").decode(
            "utf-8"
        )  # a lone surrogate must not stop the insert
        with self.sessions.begin() as session:
            claim = inbox.claim(
                session, update.update_id, CHANNEL, str(user.id) if user else None, kind, payload
            )
        if claim is inbox.Claim.DONE or update.update_id in self._in_flight:
            log.info("update %d already handled: skipped", update.update_id)
            raise ApplicationHandlerStop
        self._in_flight.add(update.update_id)
        log.info("update %d received kind=%s", update.update_id, kind)

    def _tracked(self, handler: Handler) -> Callable[[Update, Any], Coroutine[Any, Any, None]]:
        async def callback(update: Update, _context: Any) -> None:
            chat = update.effective_chat
            assert chat is not None
            out = Outgoing(chat.id, self._guess_language(update))
            error: str | None = None
            try:
                await handler(update, out)
            except Exception as exc:
                error = type(exc).__name__
                log.exception("update %d failed (%s)", update.update_id, error)
                out.say(self._say(out.language)(ui_text.ERROR))
            finally:
                self._in_flight.discard(update.update_id)
            self._commit(update.update_id, out, error)

        return callback

    def _commit(self, update_id: int, out: Outgoing, error: str | None) -> None:
        with self.sessions.begin() as session:
            for text, markup, kind, message_id in out.items:
                outbox.enqueue(
                    session,
                    channel=CHANNEL,
                    chat_id=out.chat_id,
                    text=text,
                    kind=kind,
                    farmer_id=out.farmer_id,
                    reply_markup=markup,
                    message_id=message_id,
                )
            inbox.finish(session, update_id, error)
        self.sender.wake()

    def _notify_now(self, chat_id: int, farmer_id: int | None, text: str) -> None:
        """A notice that cannot wait for the update to finish (your place in line)."""
        with self.sessions.begin() as session:
            outbox.enqueue(
                session, channel=CHANNEL, chat_id=chat_id, text=text, kind="notice", farmer_id=farmer_id
            )
        self.sender.wake()

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The type only: an error's text can carry a URL with the token or a farmer's words.
        log.error("error outside a handler: %s", type(context.error).__name__)

    # --- helpers ------------------------------------------------------------------------------

    def _say(self, language: str) -> Say:
        return partial(self.advisor.translator.text, language)

    def _guess_language(self, update: Update) -> str:
        user = update.effective_user
        return normalize_code(user.language_code if user else None) or self.settings.default_language

    def _farmer(self, session: Session, update: Update, out: Outgoing) -> Farmer:
        user, chat = update.effective_user, update.effective_chat
        assert user is not None and chat is not None
        farmer = get_or_create_farmer(session, Identity(CHANNEL, str(user.id), chat.id))
        farmer.chat_id = chat.id
        if farmer.language is None:
            farmer.language, farmer.language_source = out.language, "hint"
        out.farmer_id, out.language = farmer.id, farmer.language
        return farmer

    def _chat_lock(self, chat_id: int) -> asyncio.Lock:
        return self._chat_locks.setdefault(chat_id, asyncio.Lock())

    def _release_chat_lock(self, chat_id: int) -> None:
        lock = self._chat_locks.get(chat_id)
        if lock is not None and not lock.locked():
            del self._chat_locks[chat_id]

    # --- commands -----------------------------------------------------------------------------

    async def on_start(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            farmer.setup_step = "setup:language"
        say = self._say(out.language)
        text = f"{say(ui_text.WELCOME_CONSENT)}\n\n{say(ui_text.CHOOSE_LANGUAGE)}"
        out.say(text, keyboards.languages(out.language, setup=True))

    async def on_help(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            self._farmer(session, update, out)
        out.say(self._say(out.language)(ui_text.HELP))

    async def on_language(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            self._farmer(session, update, out)
        out.say(
            self._say(out.language)(ui_text.CHOOSE_LANGUAGE), keyboards.languages(out.language, setup=False)
        )

    async def on_profile(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            kept = farmers.profile(session, farmer)
        say = self._say(out.language)
        unset = say(ui_text.NOT_SET)
        crops = ", ".join(self._crop_label(crop, sown, out.language) for _id, crop, sown in kept.crops)
        tips = (
            say(ui_text.TIPS_VALUE_ON, time=_hhmm(kept.tip_time) if kept.tip_time else self._tip_times()[0])
            if kept.tips_enabled
            else say(ui_text.TIPS_VALUE_OFF)
        )
        text = say(
            ui_text.PROFILE,
            language=NATIVE_NAMES.get(kept.language or "", unset),
            place=kept.place_name or unset,
            location=say(ui_text.LOCATION_SHARED) if kept.has_location else unset,
            crops=crops or unset,
            tips=tips,
            messages=str(kept.messages),
            consent=self._date(kept.consent_at.date(), out.language) if kept.consent_at else unset,
        )
        out.say(text, keyboards.profile(say))

    async def on_crops(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            self._show_my_crops(session, farmer, out)

    async def on_tips(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            self._farmer(session, update, out)
        say = self._say(out.language)
        out.say(say(ui_text.ASK_TIPS), keyboards.tips(say, self._tip_times()))

    async def on_expert(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            say = self._say(out.language)
            answer = feedback.last_answer(session, farmer)
            if answer is None:
                out.say(say(ui_text.EXPERT_NOTHING))
                return
            feedback.open_review(session, farmer, answer, "expert")
        out.say(say(ui_text.EXPERT_OPENED))

    async def on_forget(self, update: Update, out: Outgoing) -> None:
        with self.sessions.begin() as session:
            self._farmer(session, update, out)
        say = self._say(out.language)
        out.say(say(ui_text.FORGET_CONFIRM), keyboards.forget(say))

    # --- buttons ------------------------------------------------------------------------------

    async def on_button(self, update: Update, out: Outgoing) -> None:
        query = update.callback_query
        assert query is not None
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            toast = self._button(session, farmer, (query.data or "").split(":"), out, update.update_id)
        try:
            await query.answer(toast)
        except TelegramError as exc:  # an old button: the farmer still gets the reply
            log.debug("answerCallbackQuery failed: %s", type(exc).__name__)
        if toast is None and out.items and (query.data or "").startswith("lang:"):
            await self._set_chat_menu(out.chat_id, out.language)

    def _button(
        self, session: Session, farmer: Farmer, parts: list[str], out: Outgoing, update_id: int
    ) -> str | None:
        """Does what a button says; returns a short toast, if any."""
        say = self._say(out.language)
        match parts:
            case ["lang", code, *setup] if code in SUPPORTED:
                farmers.choose_language(farmer, code)
                farmers.record_consent(farmer)
                out.language = code
                say = self._say(code)
                out.say(say(ui_text.LANGUAGE_SET, language=NATIVE_NAMES[code]))
                if setup:
                    self._ask_place(farmer, out, setup=True)
            case ["setup", "crops_done"]:
                self._after_crops(farmer, out)
            case ["crop", "list"]:
                self._ask_crops(farmer, out, setup=_in_setup(farmer), done=False)
            case ["crop", "add", crop] if crop in self.crop_names:
                self._add_crop(session, farmer, crop, out)
            case ["crop", "rm", plan_id] if plan_id.isdigit():
                removed = farmers.remove_crop(session, farmer, int(plan_id))
                if removed:
                    out.say(say(ui_text.CROP_REMOVED, crop=self.crop_names.name(removed, out.language)))
                self._show_my_crops(session, farmer, out)
            case ["sow", plan_id, days] if plan_id.isdigit() and (days.isdigit() or days == "none"):
                self._sown(session, farmer, int(plan_id), None if days == "none" else int(days), out)
            case ["tips", "on", hhmm] if len(hhmm) == 4 and hhmm.isdigit():
                at = dt.time(min(int(hhmm[:2]), 23), min(int(hhmm[2:]), 59))
                farmers.set_tips(session, farmer, True, at)
                out.say(say(ui_text.TIPS_ON, time=_hhmm(at)))
                if farmer.latitude is None:  # tips are for a place: without one, none would come
                    out.say(say(ui_text.TIPS_NEED_LOCATION), keyboards.share_location(say))
                self._finish_setup(farmer, out)
            case ["tips", "off"]:
                farmers.set_tips(session, farmer, False)
                out.say(say(ui_text.TIPS_OFF))
                self._finish_setup(farmer, out)
            case ["prof", "lang"]:
                out.say(say(ui_text.CHOOSE_LANGUAGE), keyboards.languages(out.language, setup=False))
            case ["prof", "place"]:
                self._ask_place(farmer, out, setup=False)
            case ["prof", "crops"]:
                self._show_my_crops(session, farmer, out)
            case ["prof", "tips"]:
                out.say(say(ui_text.ASK_TIPS), keyboards.tips(say, self._tip_times()))
            case ["prof", "forget"]:
                out.say(say(ui_text.FORGET_CONFIRM), keyboards.forget(say))
            case ["forget", "yes"]:
                erased = farmers.erase(session, farmer, keep_update_id=update_id)
                log.info("a farmer erased their data: %d messages", erased)
                self.flood.forget(out.chat_id)
                out.farmer_id = None
                out.say(say(ui_text.FORGOTTEN))
            case ["forget", "no"]:
                out.say(say(ui_text.FORGET_CANCELLED))
            case ["fb", verdict, answer_id, *reason] if answer_id.isdigit():
                return self._feedback(session, farmer, verdict, int(answer_id), reason, out)
            case _:
                log.info("unknown or stale button ignored")
        return None

    def _feedback(
        self, session: Session, farmer: Farmer, verdict: str, answer_id: int, reason: list[str], out: Outgoing
    ) -> str | None:
        say = self._say(out.language)
        answer = feedback.own_answer(session, farmer, answer_id)
        if answer is None:
            return None
        if verdict == "up":
            feedback.rate(session, farmer, answer, +1)
            return say(ui_text.FEEDBACK_THANKS)
        if verdict == "down":
            feedback.rate(session, farmer, answer, -1)
            out.say(say(ui_text.FEEDBACK_WHY), keyboards.reasons(say, answer_id))
            return None
        if verdict == "why":
            feedback.rate(session, farmer, answer, -1, reason[0] if reason else None)
            return say(ui_text.FEEDBACK_TO_OFFICER)
        if verdict == "expert":
            feedback.open_review(session, farmer, answer, "expert")
            out.say(say(ui_text.EXPERT_OPENED))
        return None

    # --- set-up steps -------------------------------------------------------------------------

    def _ask_place(self, farmer: Farmer, out: Outgoing, setup: bool) -> None:
        say = self._say(out.language)
        farmer.setup_step = "setup:place" if setup else "place"
        out.say(say(ui_text.ASK_PLACE), keyboards.share_location(say))

    def _after_place(self, farmer: Farmer, out: Outgoing) -> None:
        if _in_setup(farmer):
            self._ask_crops(farmer, out, setup=True, done=False)
        else:
            farmer.setup_step = None

    def _ask_crops(self, farmer: Farmer, out: Outgoing, setup: bool, done: bool) -> None:
        say = self._say(out.language)
        farmer.setup_step = "setup:crops" if setup else "crops"
        choices = [(c, self.crop_names.name(c, out.language)) for c in self.crop_names.offered(out.language)]
        out.say(say(ui_text.ASK_CROPS), keyboards.crops(say, choices, done=done))

    def _add_crop(self, session: Session, farmer: Farmer, crop: str, out: Outgoing) -> None:
        say = self._say(out.language)
        plan = farmers.add_crop(session, farmer, crop)
        if plan is None:  # the list is full
            self._show_my_crops(session, farmer, out)
            return
        farmer.setup_step = ("setup:" if _in_setup(farmer) else "") + f"sowing:{plan.id}"
        out.say(
            say(ui_text.ASK_SOWING, crop=self.crop_names.name(crop, out.language)),
            keyboards.sowing(say, plan.id),
        )

    def _sown(self, session: Session, farmer: Farmer, plan_id: int, days: int | None, out: Outgoing) -> None:
        say = self._say(out.language)
        sown_on = dt.date.today() - dt.timedelta(days=days) if days is not None else None
        plan = farmers.set_sowing(session, farmer, plan_id, sown_on)
        if plan is None:
            return
        name = self.crop_names.name(plan.crop, out.language)
        if sown_on is None:
            out.say(say(ui_text.CROP_SAVED, crop=name))
        else:
            out.say(say(ui_text.CROP_SAVED_SOWN, crop=name, date=self._date(sown_on, out.language)))
        if _in_setup(farmer):
            self._ask_crops(farmer, out, setup=True, done=True)
        else:
            farmer.setup_step = None
            self._show_my_crops(session, farmer, out)

    def _after_crops(self, farmer: Farmer, out: Outgoing) -> None:
        say = self._say(out.language)
        if _in_setup(farmer):
            farmer.setup_step = "setup:tips"
            out.say(say(ui_text.ASK_TIPS), keyboards.tips(say, self._tip_times()))
        else:
            farmer.setup_step = None

    def _finish_setup(self, farmer: Farmer, out: Outgoing) -> None:
        if _in_setup(farmer):
            out.say(self._say(out.language)(ui_text.SETUP_DONE))
        farmer.setup_step = None

    def _show_my_crops(self, session: Session, farmer: Farmer, out: Outgoing) -> None:
        say = self._say(out.language)
        plans = farmers.crop_plans(session, farmer)
        labels = [(p.id, self._crop_label(p.crop, p.sown_on, out.language)) for p in plans]
        text = say(ui_text.CROPS_LIST) if plans else say(ui_text.NO_CROPS)
        out.say(text, keyboards.my_crops(say, labels))

    def _crop_label(self, crop: str, sown_on: dt.date | None, language: str) -> str:
        name = self.crop_names.name(crop, language)
        return f"{name} ({self._date(sown_on, language)})" if sown_on else name

    def _tip_times(self) -> list[str]:
        first = dt.datetime.strptime(self.settings.default_tip_time, "%H:%M")
        return [_hhmm(first.time()), _hhmm((first + dt.timedelta(hours=1)).time())]

    @staticmethod
    def _date(day: dt.date, language: str) -> str:
        try:
            return format_date(day, format="medium", locale=language)
        except (ValueError, LookupError):
            return day.isoformat()

    async def _set_chat_menu(self, chat_id: int, language: str) -> None:
        """The farmer's command menu in the language they chose, whatever their phone's language."""
        try:
            await self._bot.set_my_commands(self._menu(language), scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:
            log.debug("could not set a chat's command menu: %s", type(exc).__name__)

    # --- messages -----------------------------------------------------------------------------

    async def on_location(self, update: Update, out: Outgoing) -> None:
        message = update.effective_message
        assert message is not None and message.location is not None
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            farmers.set_location(farmer, message.location.latitude, message.location.longitude)
            out.say(self._say(out.language)(ui_text.LOCATION_SAVED), keyboards.remove_keyboard())
            if farmer.setup_step in ("place", "setup:place"):
                self._after_place(farmer, out)
                return
        # The location was shared because a weather question asked for it: answer that now.
        user = update.effective_user
        assert user is not None
        identity = Identity(CHANNEL, str(user.id), out.chat_id)
        waiting = partial(self.advisor.answer_waiting_weather_question, identity)
        reply = await asyncio.get_running_loop().run_in_executor(self._advisor_pool, waiting)
        if reply is not None:
            self._say_reply(reply, out)

    async def on_not_text(self, update: Update, out: Outgoing) -> None:
        message = update.effective_message
        assert message is not None
        kind = next((k for k in _NON_TEXT_KINDS if getattr(message, k, None)), "other")
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            store_unanswered(session, farmer, f"[{kind}]", ["not-text", kind])
        if self.flood.arrived(out.chat_id) is not Verdict.FLOOD_QUIET:
            out.say(self._say(out.language)(ui_text.NOT_TEXT))

    async def on_text(self, update: Update, out: Outgoing) -> None:
        message, user = update.effective_message, update.effective_user
        assert message is not None and message.text is not None and user is not None
        text = message.text
        verdict = self.flood.arrived(out.chat_id)
        with self.sessions.begin() as session:
            farmer = self._farmer(session, update, out)
            if verdict is not Verdict.OK:
                store_unanswered(
                    session, farmer, clean(text, self.settings.max_message_chars).text, ["flood"]
                )
                if verdict is Verdict.FLOOD_NOTIFY:
                    out.say(self._say(out.language)(ui_text.FLOOD))
                return
            if self._setup_reply(session, farmer, text, out):
                return
        lock = self._chat_lock(out.chat_id)
        try:
            async with lock:  # one farmer's questions are answered one at a time, in order
                await self._answer(update, text, user.language_code, out)
        finally:
            self._release_chat_lock(out.chat_id)

    def _setup_reply(self, session: Session, farmer: Farmer, text: str, out: Outgoing) -> bool:
        """A typed reply to a set-up question (a place, a crop); False: it is a question to answer."""
        step = (farmer.setup_step or "").removeprefix("setup:")
        if step not in ("place", "crops"):
            return False
        say = self._say(out.language)
        words = text.split()
        analysis = self.advisor.analyser.analyse(text, out.language)
        route = analysis.route
        if step == "place":
            if text.strip() in {
                self.advisor.translator.text(lang, ui_text.SKIP_BUTTON) for lang in SUPPORTED
            }:
                out.say(say(ui_text.SKIP_BUTTON), keyboards.remove_keyboard())
                self._after_place(farmer, out)
                return True
            looks_like_question = "?" in text or route.crops or route.pests or route.confidence >= 0.5
            if len(words) <= _PLACE_MAX_WORDS and not looks_like_question:
                place = farmers.set_place(farmer, clean(text).text)
                out.say(say(ui_text.PLACE_SAVED, place=place), keyboards.remove_keyboard())
                self._after_place(farmer, out)
                return True
        else:
            crops = [c for c in route.crops if c in self.crop_names]
            if crops and len(words) <= _PLACE_MAX_WORDS:
                self._add_crop(session, farmer, crops[0], out)
                return True
            if len(words) <= 2 and not route.courtesy:
                out.say(say(ui_text.CROP_NOT_KNOWN))
                return True
        farmer.setup_step = None  # the farmer moved on to a question: answer it
        return False

    async def _answer(self, update: Update, text: str, language_hint: str | None, out: Outgoing) -> None:
        user = update.effective_user
        assert user is not None
        identity = Identity(CHANNEL, str(user.id), out.chat_id)
        stream = AnswerStream(update.get_bot(), out.chat_id, self.pacer, self.settings.draft_interval_s)
        await stream.begin()
        loop = asyncio.get_running_loop()
        say = self._say(out.language)

        def on_queue(position: int) -> None:
            text = say(ui_text.QUEUE_POSITION, position=str(position))
            loop.call_soon_threadsafe(self._notify_now, out.chat_id, out.farmer_id, text)

        try:
            reply = await loop.run_in_executor(
                self._advisor_pool,
                partial(
                    self.advisor.answer,
                    identity,
                    text,
                    on_text=stream.feed,
                    language_hint=language_hint,
                    on_queue=on_queue,
                ),
            )
        finally:
            await stream.end()
        self._say_reply(reply, out)
        say = self._say(out.language)
        if reply.ask_location:  # its own message: the answer's buttons and a location button can't share one
            out.say(reply.ask_location, keyboards.share_location(say))

    def _say_reply(self, reply: Reply, out: Outgoing) -> None:
        """An answer in chunks under Telegram's limit; the feedback buttons on the last one."""
        out.language = reply.language if reply.language in SUPPORTED else out.language
        say = self._say(out.language)
        chunks = split_for_delivery(reply.text)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            markup = keyboards.feedback(say, reply.answer_id) if last and reply.answer_id else None
            out.say(chunk, markup, kind="answer", message_id=reply.answer_id)


def _in_setup(farmer: Farmer) -> bool:
    return (farmer.setup_step or "").startswith("setup:")


def _hhmm(at: dt.time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def _kind(update: Update) -> str | None:
    """What kind of update this is, or None for those kisanbot does not handle."""
    chat = update.effective_chat
    if chat is None or chat.type != "private" or update.effective_user is None:
        return None
    if update.callback_query is not None:
        return "button"
    message = update.message
    if message is None:
        return None  # edited messages, channel posts, ...
    if message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    return "location" if message.location else "other"
