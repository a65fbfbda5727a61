"""The advisor pipeline: detect → route → search → engine → store. Every door answers through it."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import review_queue, ui_text, verified_answers
from bot.card_search import CardSearch, Match
from bot.config import Settings
from bot.engines.base import (
    Engine,
    FarmerContext,
    Generation,
    GenerationControl,
    GenerationRequest,
    OnText,
    Turn,
)
from bot.engines.cards import CardEngine
from bot.i18n import Translator
from bot.knowledge import banned_names, load_cards
from bot.language import SWITCH_CONFIDENCE, Detection, LanguageDetector
from bot.languages import SUPPORTED
from bot.llm.generation_queue import FarmerBusy, GenerationQueue, QueueFull
from bot.message_text import CleanMessage, Shape, clean
from bot.routing import Route, Router
from bot.safety import GuardedStream, HealthTerms, ReplyCheck, looks_like_injection
from bot.storage.database import open_database
from bot.storage.models import Farmer, Message
from bot.storage.repository import (
    ASKED_LOCATION,
    Identity,
    asked_for_location,
    get_or_create_farmer,
    last_question,
    recent_messages,
)
from bot.weather.open_meteo import ForecastUnavailable
from bot.weather.service import Weather
from bot.weather.tips import Stale

log = logging.getLogger(__name__)

#: A question without a crop borrows the crop of the farmer's previous question this recent.
FOLLOW_UP_WINDOW = dt.timedelta(minutes=30)
_UNSURE_TOPIC = 0.5


@dataclass(frozen=True)
class Analysis:
    """What the pipeline understood of a message, before any answer."""

    detection: Detection
    route: Route
    matches: list[Match]
    injection: bool
    human_health: bool


@dataclass(frozen=True)
class Reply:
    text: str
    language: str
    topic: str | None
    card_ids: list[str]
    engine: str
    reviewed: bool
    flags: list[str] = field(default_factory=list)
    question_id: int | None = None
    answer_id: int | None = None
    latency_ms: float = 0.0
    #: Set when the farmer should share their location (a weather question, place unknown): the
    #: door shows it with its own way of asking (Telegram: a location button), once per farmer.
    ask_location: str | None = None


class Analyser:
    """Detect, route and search, without storage: the part of the pipeline `inspect` measures."""

    def __init__(
        self, detector: LanguageDetector, router: Router, search: CardSearch, health: HealthTerms
    ) -> None:
        self.detector = detector
        self.router = router
        self.search = search
        self.health = health

    @classmethod
    def load(cls, knowledge_dir: Path) -> Analyser:
        lexicon_dir = knowledge_dir / "lexicon"
        router = Router(lexicon_dir)
        return cls(
            LanguageDetector(lexicon_dir),
            router,
            CardSearch(load_cards(knowledge_dir), stopwords=router.function_words()),
            HealthTerms(lexicon_dir),
        )

    def analyse(self, text: str, prior: str | None = None) -> Analysis:
        """`analyse("kal barish hogi kya")` → language hi (romanized), topic weather, matching cards."""
        detection = self.detector.detect(text, prior)
        route = self.router.route(text, detection.language)
        matches = [] if route.courtesy else self.search.search(text, route)
        return Analysis(
            detection, route, matches, looks_like_injection(text), self.health.concerns_a_person(text)
        )


@dataclass(frozen=True)
class _WeatherOutcome:
    text: str | None = None  # the forecast answer
    notice: str | None = None  # the forecast failed: said before the cards' answer
    ask_location: str | None = None


@dataclass(frozen=True)
class _Prepared:
    """What phase one (a short transaction) hands to generation, which runs with no transaction open."""

    farmer_id: int
    question_id: int
    request: GenerationRequest
    analysis: Analysis
    message: CleanMessage
    flags: list[str]
    #: An officer's answer to a question of the same meaning, looked up in the same transaction.
    verified: Generation | None = None


class Advisor:
    """Answers farmers; knows nothing of Telegram or HTTP."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        analyser: Analyser,
        engine: Engine,
        translator: Translator,
        queue: GenerationQueue | None = None,
        reply_check: ReplyCheck | None = None,
        weather: Weather | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.analyser = analyser
        self.engine = engine
        self.translator = translator
        self.queue = queue
        self.reply_check = reply_check or ReplyCheck({})
        self.weather = weather
        self._cards_engine = CardEngine(translator)

    @classmethod
    def build(cls, settings: Settings) -> Advisor:
        """Upgrades the database, loads knowledge and lexicons, and picks the engine."""
        _engine, sessions = open_database(settings)
        analyser = Analyser.load(settings.knowledge_dir)
        translator = Translator()
        reply_check = ReplyCheck(banned_names(settings.knowledge_dir))
        engine = choose_engine(settings, translator)
        queue = None
        if not isinstance(engine, CardEngine):
            queue = GenerationQueue(
                settings.queue_max_waiting, settings.queue_max_per_farmer, settings.generation_timeout_s
            )
        log.info("%d cards loaded", len(analyser.search))
        weather = Weather.build(settings, translator)
        return cls(settings, sessions, analyser, engine, translator, queue, reply_check, weather)

    def close(self) -> None:
        if self.weather is not None:
            self.weather.close()
        if self.queue is not None:
            self.queue.close()
        close_engine = getattr(self.engine, "close", None)
        if close_engine is not None:
            close_engine()

    def answer(
        self,
        identity: Identity,
        text: str,
        on_text: OnText | None = None,
        language: str | None = None,
        language_hint: str | None = None,
        on_queue: Callable[[int], None] | None = None,
    ) -> Reply:
        """Answers one message. `language` fixes the reply language; `language_hint` is a weak prior;
        `on_queue` hears the farmer's place in line once, when they must wait for the model."""
        started = time.perf_counter()
        message = clean(text, self.settings.max_message_chars)
        with self.sessions.begin() as session:
            farmer = get_or_create_farmer(session, identity)
            if language in SUPPORTED:
                farmer.language, farmer.language_source = language, "chosen"
            prior = farmer.language or language_hint
            if message.shape is not Shape.TEXT:
                return self._not_a_question(session, farmer, message, prior, on_text, started)
            prepared = self._prepare(session, farmer, message, prior, language)
        if prepared.verified is not None:
            if on_text:
                on_text(prepared.verified.text)
            return self._finish(prepared, prepared.verified, [], on_text, language, started)
        weather = self._weather(prepared) if self._about_the_weather(prepared) else _WeatherOutcome()
        if weather.text is not None:
            generation = Generation(weather.text, "weather", [], flags=["forecast"])
            if on_text:
                on_text(weather.text)
            return self._finish(prepared, generation, [], on_text, language, started)
        generation, notices = self._generate(
            f"{identity.channel}:{identity.user_id}", prepared, on_text, on_queue
        )
        if weather.notice:
            generation = replace(generation, text=f"{weather.notice}\n\n{generation.text}")
        reply = self._finish(prepared, generation, notices, on_text, language, started)
        return replace(reply, ask_location=weather.ask_location)

    def answer_waiting_weather_question(self, identity: Identity) -> Reply | None:
        """After a farmer shares their location: their recent weather question, answered now from
        the forecast (None when there is none, it was answered so already, or no forecast)."""
        if self.weather is None:
            return None
        started = time.perf_counter()
        with self.sessions.begin() as session:
            farmer = get_or_create_farmer(session, identity)
            question = last_question(session, farmer.id, FOLLOW_UP_WINDOW)
            if question is None or question.topic != "weather":
                return None
            answered = select(Message.id).where(
                Message.reply_to_id == question.id, Message.engine == "weather"
            )
            if session.scalar(answered) is not None:  # a second location share: once is enough
                return None
            language = question.language or farmer.language or self.settings.default_language
            try:
                text = self.weather.answer(session, farmer, language)
            except (ForecastUnavailable, Stale) as exc:
                log.info("waiting weather question not answered: %s", exc)
                return None
            answer = Message(
                farmer_id=farmer.id,
                role="bot",
                text=text,
                reply_to_id=question.id,
                language=language,
                topic="weather",
                flags=["forecast", "after-location"],
                engine="weather",
                latency_ms=(time.perf_counter() - started) * 1000,
            )
            session.add(answer)
            session.flush()
            return Reply(
                text,
                language,
                "weather",
                [],
                "weather",
                reviewed=False,
                question_id=question.id,
                answer_id=answer.id,
            )

    @staticmethod
    def _verified(session: Session, analysis: Analysis, language: str, text: str) -> Generation | None:
        """An officer's answer to a question of the same meaning, if there is one."""
        if analysis.injection or analysis.route.courtesy:
            return None
        route = analysis.route
        found = verified_answers.find(session, language, route.topic, route.crops, route.pests, text)
        if found is None:
            return None
        found.uses += 1
        return Generation(found.answer, "verified", list(found.card_ids), flags=[f"verified:{found.id}"])

    def _about_the_weather(self, prepared: _Prepared) -> bool:
        analysis = prepared.analysis
        return self.weather is not None and analysis.route.topic == "weather" and not analysis.injection

    def _weather(self, prepared: _Prepared) -> _WeatherOutcome:
        """The forecast for the farmer's own farm; without a location, ask for it (once)."""
        assert self.weather is not None
        language = prepared.request.language
        say = partial(self.translator.text, language)
        with self.sessions.begin() as session:
            farmer = session.get(Farmer, prepared.farmer_id)
            if farmer is None:
                return _WeatherOutcome()
            if farmer.latitude is None or farmer.longitude is None:
                if asked_for_location(session, farmer.id):
                    return _WeatherOutcome()
                prepared.flags.append(ASKED_LOCATION)
                return _WeatherOutcome(ask_location=say(ui_text.WEATHER_NEED_LOCATION))
            try:
                return _WeatherOutcome(text=self.weather.answer(session, farmer, language))
            except (ForecastUnavailable, Stale) as exc:
                log.info("weather question answered from cards: %s", exc)
                prepared.flags.append("forecast-unavailable")
                return _WeatherOutcome(notice=say(ui_text.WEATHER_UNAVAILABLE))

    def _prepare(
        self, session: Session, farmer: Farmer, message: CleanMessage, prior: str | None, fixed: str | None
    ) -> _Prepared:
        """Understands the question and stores it before any answer, so a crash loses nothing."""
        part = message.text[: self.settings.max_message_chars]
        analysis = self._with_follow_up(session, farmer, part, self.analyser.analyse(part, prior))
        reply_language = fixed if fixed in SUPPORTED else analysis.detection.language
        history = [Turn(m.role, m.text) for m in recent_messages(session, farmer.id)]
        request = GenerationRequest(
            part,
            reply_language,
            analysis.route,
            [] if analysis.injection else analysis.matches,
            history=history,
            context=_context(farmer),
        )
        flags = _flags(message, analysis)
        self._remember_language(farmer, analysis.detection, fixed)
        question = _store_question(session, farmer, message, analysis, flags)
        verified = self._verified(session, analysis, reply_language, message.text)
        return _Prepared(farmer.id, question.id, request, analysis, message, flags, verified)

    def _generate(
        self,
        farmer_key: str,
        prepared: _Prepared,
        on_text: OnText | None,
        on_queue: Callable[[int], None] | None,
    ) -> tuple[Generation, list[str]]:
        """Runs the engine (through the queue for a model); returns the generation and notices."""
        request = prepared.request
        say = partial(self.translator.text, request.language)
        if self.queue is None:
            return self.engine.generate(request, on_text), []
        guards: list[GuardedStream] = []

        def job(control: GenerationControl) -> Generation:
            guard = GuardedStream(self.reply_check, on_text, control)
            guards.append(guard)
            generation = self.engine.generate(request, guard, control)
            guard.finish()
            return replace(generation, text=guard.released.strip()) if guard.blocked else generation

        try:
            ticket = self.queue.submit(farmer_key, job)
        except (QueueFull, FarmerBusy):
            busy = say(ui_text.BUSY)
            if on_text:
                on_text(busy)
            return Generation(busy, "queue", [], flags=["busy"]), []
        place = ticket.position()
        if place > 0 and on_queue:
            on_queue(place)
        generation = ticket.wait()
        review = self.reply_check.review(generation.text, [m.card for m in request.matches])
        blocked = review.blocked or any(g.blocked for g in guards)
        notices = [say(ui_text.CUT_SHORT)] if "stopped:timeout" in generation.flags else []
        generation = replace(generation, flags=generation.flags + review.flags)
        if blocked:
            return self._safe_referral(request, generation, on_text), notices
        return generation, notices

    def _safe_referral(
        self, request: GenerationRequest, generation: Generation, on_text: OnText | None
    ) -> Generation:
        """A reply that named a banned chemical is replaced by a referral and the curated cards."""
        referral = self.translator.text(request.language, ui_text.UNSAFE_REPLACED)
        cards = self._cards_engine.generate(request)
        text = f"{referral}\n\n{cards.text}"
        if on_text:
            on_text(("\n\n" if generation.text else "") + text)
        flags = [*generation.flags, "unsafe-replaced"]
        if not any(f.startswith("banned-chemical") for f in flags):
            flags.append("banned-chemical")
        return replace(generation, text=text, card_ids=cards.card_ids, flags=flags)

    def _finish(
        self,
        prepared: _Prepared,
        generation: Generation,
        notices: list[str],
        on_text: OnText | None,
        fixed: str | None,
        started: float,
    ) -> Reply:
        request, analysis = prepared.request, prepared.analysis
        flags = prepared.flags + generation.flags
        if any(m.card.risk == "high" and m.card.id in generation.card_ids for m in analysis.matches):
            flags.append("chemical-dose")  # a dose of a pesticide or drug was given: officers look
        extra = notices + self._extra_lines(
            request.language, analysis, prepared.message, generation.card_ids, generation.engine
        )
        if on_text and extra:
            on_text("\n\n" + "\n".join(extra))
        body = "\n\n".join(p for p in [generation.text, "\n".join(extra)] if p)
        if analysis.injection:
            body = self.translator.text(request.language, ui_text.INJECTION) + "\n\n" + body
        latency = (time.perf_counter() - started) * 1000
        with self.sessions.begin() as session:
            question = session.get(Message, prepared.question_id)
            if question is not None:
                question.flags = flags
            answer = Message(
                farmer_id=prepared.farmer_id,
                role="bot",
                text=body,
                reply_to_id=prepared.question_id,
                language=request.language,
                topic=analysis.route.topic,
                crops=analysis.route.crops,
                pests=analysis.route.pests,
                card_ids=generation.card_ids,
                flags=flags,
                engine=generation.engine,
                model=generation.model,
                prompt_tokens=generation.prompt_tokens,
                reply_tokens=generation.reply_tokens,
                latency_ms=latency,
            )
            session.add(answer)
            session.flush()
            answer_id = answer.id
            if not analysis.route.courtesy:  # "hello" and "thanks" need no officer
                review_queue.flag_if_needed(session, prepared.farmer_id, answer)
        log.info(
            "answered topic=%s language=%s cards=%d engine=%s latency_ms=%.1f",
            analysis.route.topic,
            request.language,
            len(generation.card_ids),
            generation.engine,
            latency,
        )
        return Reply(
            body,
            request.language,
            analysis.route.topic,
            generation.card_ids,
            generation.engine,
            reviewed=generation.engine == "verified",
            flags=flags,
            question_id=prepared.question_id,
            answer_id=answer_id,
            latency_ms=latency,
        )

    def _with_follow_up(self, session: Session, farmer: Farmer, text: str, analysis: Analysis) -> Analysis:
        """'And how much water?' after a wheat question is about wheat."""
        route = analysis.route
        if route.crops or route.courtesy or route.topic == "other":
            return analysis
        previous = last_question(session, farmer.id, FOLLOW_UP_WINDOW)
        if previous is None or not previous.crops:
            return analysis
        route = replace(route, crops=list(previous.crops))
        return replace(analysis, route=route, matches=self.analyser.search.search(text, route))

    def _extra_lines(
        self, language: str, analysis: Analysis, message: CleanMessage, card_ids: list[str], engine: str
    ) -> list[str]:
        """Referrals, cautions, sources and the review label: the same for every engine. An
        officer's verified answer is complete as written: it gets the reviewed label only."""
        say = self.translator.text
        if engine == "verified":
            return ["— " + say(language, ui_text.REVIEWED_LABEL)]
        cards = [m.card for m in analysis.matches if m.card.id in card_ids]
        lines = []
        if analysis.human_health:
            lines.append(say(language, ui_text.SEE_DOCTOR))
        if analysis.route.topic == "livestock" or any(c.topic == "livestock" for c in cards):
            lines.append(say(language, ui_text.CALL_VET))
        if any(c.risk == "high" and c.topic in ("pest", "crop", "soil") for c in cards):
            lines.append(say(language, ui_text.CHEMICAL_CAUTION))
        if message.truncated:
            lines.append(say(language, ui_text.TOO_LONG))
        if card_ids:
            lines.append(say(language, ui_text.BASED_ON, cards=", ".join(card_ids)))
        if not analysis.route.courtesy and engine != "weather":  # the forecast answer has its own label
            lines.append("— " + say(language, ui_text.DRAFT_LABEL))
        return lines

    def _not_a_question(
        self,
        session: Session,
        farmer: Farmer,
        message: CleanMessage,
        prior: str | None,
        on_text: OnText | None,
        started: float,
    ) -> Reply:
        language = prior or self.settings.default_language
        reply_text = self.translator.text(
            language, ui_text.EMPTY if message.shape is Shape.EMPTY else ui_text.NO_WORDS
        )
        if on_text:
            on_text(reply_text)
        flags = [message.shape.value]
        question_id = None
        if message.text:  # an emoji is still something the farmer said: keep it
            question = Message(
                farmer_id=farmer.id, role="farmer", text=message.text, language=language, flags=flags
            )
            session.add(question)
            session.flush()
            question_id = question.id
        latency = (time.perf_counter() - started) * 1000
        answer = Message(
            farmer_id=farmer.id,
            role="bot",
            text=reply_text,
            reply_to_id=question_id,
            language=language,
            flags=flags,
            engine="rules",
            latency_ms=latency,
        )
        session.add(answer)
        session.flush()
        return Reply(
            reply_text,
            language,
            None,
            [],
            "rules",
            reviewed=False,
            flags=flags,
            question_id=question_id,
            answer_id=answer.id,
            latency_ms=latency,
        )

    @staticmethod
    def _remember_language(farmer: Farmer, detection: Detection, fixed: str | None) -> None:
        if fixed in SUPPORTED or farmer.language_source == "chosen":
            return
        if farmer.language is None or (
            not detection.kept_prior and detection.confidence >= SWITCH_CONFIDENCE
        ):
            farmer.language, farmer.language_source = detection.language, "detected"


def choose_engine(settings: Settings, translator: Translator) -> Engine:
    """Phi when a usable model folder is set, else the cards engine; the log says which and why."""
    if settings.model_dir is None:
        log.info("engine: cards (MODEL_DIR is not set)")
        return CardEngine(translator)
    # Imported here: onnxruntime-genai takes a while to import, and the cards engine needs none of it.
    from bot.llm.model_folder import ModelError
    from bot.llm.worker_process import ProcessEngine

    try:
        engine = ProcessEngine(
            settings.model_dir,
            settings.model_threads,
            settings.prompt_token_budget,
            settings.reply_token_budget,
        )
    except ModelError as error:
        log.warning("engine: cards, because the model cannot be used: %s", error)
        return CardEngine(translator)
    log.info("engine: phi3 (%s, %d threads)", engine.model_name, settings.model_threads)
    return engine


def _context(farmer: Farmer) -> FarmerContext:
    crops = tuple((plan.crop, plan.sown_on) for plan in farmer.crop_plans)
    return FarmerContext(place=farmer.place_name, crops=crops, today=dt.date.today())


def _flags(message: CleanMessage, analysis: Analysis) -> list[str]:
    flags = []
    if analysis.detection.confidence < SWITCH_CONFIDENCE:
        flags.append("language-unsure")
    if analysis.route.topic != "other" and analysis.route.confidence < _UNSURE_TOPIC:
        flags.append("topic-unsure")
    if message.truncated:
        flags.append("truncated")
    if analysis.injection:
        flags.append("injection")
    if analysis.human_health:
        flags.append("human-health")
    return flags


def _store_question(
    session: Session, farmer: Farmer, message: CleanMessage, analysis: Analysis, flags: list[str]
) -> Message:
    question = Message(
        farmer_id=farmer.id,
        role="farmer",
        text=message.text,
        language=analysis.detection.language,
        language_confidence=analysis.detection.confidence,
        romanized=analysis.detection.romanized,
        topic=analysis.route.topic,
        crops=analysis.route.crops,
        pests=analysis.route.pests,
        card_ids=[m.card.id for m in analysis.matches],
        flags=flags,
    )
    session.add(question)
    session.flush()
    return question
