"""The `kisanbot` command line: database, terminal chat, one-off answers, inspection, knowledge."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bot import officers
from bot.advisor import Advisor, Analyser, Reply
from bot.config import Settings
from bot.i18n import Translator
from bot.knowledge import check as check_knowledge
from bot.knowledge import load_cards
from bot.languages import NATIVE_NAMES, SUPPORTED
from bot.llm import catalogue
from bot.logging_filters import redact_everywhere
from bot.run_lock import AlreadyRunning
from bot.storage import database, outbox
from bot.storage.models import Farmer
from bot.storage.repository import Identity
from bot.weather.open_meteo import ForecastUnavailable
from bot.weather.rules import CropPlanView
from bot.weather.schedule import TipSchedule
from bot.weather.service import Weather
from bot.weather.tips import Stale

LANGUAGE = click.Choice(SUPPORTED)


def _settings() -> Settings:
    return Settings()


def _configure_logging(settings: Settings, quiet: bool) -> None:
    level = logging.WARNING if quiet else getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs request URLs at INFO, and a Bot API URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if settings.telegram_token is not None:
        redact_everywhere(settings.telegram_token.get_secret_value())


@click.group()
def main() -> None:
    """kisanbot: offline farmer advice in the farmer's language."""


# --- database ----------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema: upgrade, downgrade, current revision."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest)."""
    url = _settings().resolved_database_url()
    database.upgrade(url, revision)
    click.echo(f"database at revision {database.current_revision(url)}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION ("base" empties it)."""
    url = _settings().resolved_database_url()
    database.downgrade(url, revision)
    click.echo(f"database at revision {database.current_revision(url)}")


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision."""
    click.echo(database.current_revision(_settings().resolved_database_url()) or "empty")


# --- the Telegram bot --------------------------------------------------------------------------


@main.command()
def run() -> None:
    """Run the Telegram bot (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set)."""
    from bot.telegram_door import app

    settings = _settings()
    _configure_logging(settings, quiet=False)
    try:
        app.run(settings)
    except (AlreadyRunning, app.ConfigurationError) as exc:
        raise click.ClickException(str(exc)) from None


@main.group("outbox")
def outbox_group() -> None:
    """Outgoing messages and their delivery."""


@outbox_group.command("status")
def outbox_status() -> None:
    """Count outgoing messages by state (uncertain ones may or may not have arrived)."""
    settings = _settings()
    _engine, sessions = database.open_database(settings)
    with sessions() as session:
        counts = outbox.counts(session)
    for state in ("pending", "sending", "sent", "uncertain", "failed"):
        click.echo(f"{state:10} {counts.get(state, 0)}")


# --- officer console --------------------------------------------------------------------------


@main.command("console")
def console_command() -> None:
    """Serve the officer console on CONSOLE_HOST:CONSOLE_PORT."""
    from bot.officer_console.app import serve

    settings = _settings()
    _configure_logging(settings, quiet=False)
    serve(settings)


@main.group()
def officer() -> None:
    """Officer accounts of the console (passwords are read without echo, or from stdin)."""


def _password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm))


def _accounts() -> Any:
    _engine, sessions = database.open_database(_settings())
    return sessions.begin()


@officer.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(officers.ROLES), default="officer", show_default=True)
@click.option("--lang", "language", type=click.Choice(["en", "hi"]), default="en", show_default=True)
def officer_add(username: str, role: str, language: str) -> None:
    """Create an account (admins manage officers)."""
    password = _password()
    with _accounts() as session:
        try:
            created = officers.add(session, username, password, role, language)
        except officers.AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{created.username} ({created.role}) added")


@officer.command("disable")
@click.argument("username")
def officer_disable(username: str) -> None:
    """Disable an account; its open sessions end at once."""
    with _accounts() as session:
        found = officers.find(session, username)
        if found is None:
            raise click.ClickException(f"no officer {username}")
        officers.disable(session, found)
        click.echo(f"{found.username} disabled")


@officer.command("passwd")
@click.argument("username")
def officer_passwd(username: str) -> None:
    """Set a new password; the account's open sessions end."""
    password = _password()
    with _accounts() as session:
        found = officers.find(session, username)
        if found is None:
            raise click.ClickException(f"no officer {username}")
        try:
            officers.set_password(session, found, password)
        except officers.AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"password of {found.username} changed")


# --- weather tips --------------------------------------------------------------------------------


@main.group()
def tips() -> None:
    """Morning weather tips: preview one, or queue the ones due now (for cron)."""


@tips.command("preview")
@click.option("--lat", type=click.FloatRange(-90, 90), help="Latitude of the farm.")
@click.option("--lon", type=click.FloatRange(-180, 180), help="Longitude of the farm.")
@click.option("--crop", help="Crop id, e.g. wheat (see knowledge/crop_coefficients.yaml).")
@click.option("--sown", type=click.DateTime(["%Y-%m-%d"]), help="Sowing date, YYYY-MM-DD.")
@click.option("--area", type=click.FloatRange(min=0, min_open=True), help="Area in hectares.")
@click.option("--lang", type=LANGUAGE, default="en", show_default=True)
@click.option("--farmer", "farmer_id", type=int, help="A stored farmer's id instead of --lat/--lon.")
def tips_preview(
    lat: float | None,
    lon: float | None,
    crop: str | None,
    sown: dt.datetime | None,
    area: float | None,
    lang: str,
    farmer_id: int | None,
) -> None:
    """Print the tip that would be sent now; nothing is stored or sent."""
    settings = _settings()
    _configure_logging(settings, quiet=True)
    weather = Weather.build(settings, Translator())
    try:
        if farmer_id is not None:
            text = _farmer_tip(settings, weather, farmer_id)
        elif lat is None or lon is None:
            raise click.UsageError("give --lat and --lon, or --farmer ID")
        else:
            plans = [CropPlanView(crop, sown.date() if sown else None, area)] if crop else []
            text = weather.preview(lat, lon, plans, lang)
    except (ForecastUnavailable, Stale) as exc:
        raise click.ClickException(f"no tip: {exc}") from None
    finally:
        weather.close()
    click.echo(text)


def _farmer_tip(settings: Settings, weather: Weather, farmer_id: int) -> str:
    _engine, sessions = database.open_database(settings)
    with sessions() as session:  # read only: a preview changes nothing
        farmer = session.get(Farmer, farmer_id)
        if farmer is None:
            raise click.ClickException(f"no farmer with id {farmer_id}")
        if farmer.latitude is None or farmer.longitude is None:
            raise click.ClickException(f"farmer {farmer_id} has not shared a location")
        language = farmer.language or settings.default_language
        text, _kinds = weather.tip(session, farmer, language, weather.clock())
        session.rollback()
        return text


@tips.command("send-due")
def tips_send_due() -> None:
    """Queue every tip that is due now, once (the running bot delivers them)."""
    settings = _settings()
    _configure_logging(settings, quiet=False)
    _engine, sessions = database.open_database(settings)
    weather = Weather.build(settings, Translator())
    try:
        report = TipSchedule(sessions, weather, settings).sweep()
    finally:
        weather.close()
    click.echo(
        f"queued {report.queued} tips over {len(report.cells)} places;"
        f" {report.skipped_late} skipped (past the grace window);"
        f" {report.waiting_for_forecast} waiting for a forecast;"
        f" {report.no_location} farmers without a location"
    )


# --- asking ------------------------------------------------------------------------------------


@main.command()
@click.option("--lang", type=LANGUAGE, help="Answer in this language whatever the message looks like.")
@click.option("--user", default=None, help="Whose conversation this is (default: your login name).")
def chat(lang: str | None, user: str | None) -> None:
    """A conversation in the terminal; the history is kept in the database."""
    settings = _settings()
    _configure_logging(settings, quiet=True)
    advisor = Advisor.build(settings)
    identity = Identity("cli", user or getpass.getuser())
    click.echo(
        f"kisanbot — engine: {advisor.engine.name}, {len(advisor.analyser.search)} cards. "
        "Ask in any of: " + ", ".join(NATIVE_NAMES.values()) + ".\nAn empty line or Ctrl-D ends the chat.",
        err=True,
    )
    while True:
        try:
            text = input("\n> ")
        except (EOFError, KeyboardInterrupt):
            click.echo("", err=True)
            return
        if not text.strip():
            advisor.close()
            return
        advisor.answer(identity, text, on_text=_print_piece, language=lang, on_queue=_print_place(advisor))
        click.echo("")


def _print_place(advisor: Advisor) -> Callable[[int], None]:
    def show(place: int) -> None:
        click.echo(f"[{place}] ", nl=False, err=True)

    return show


def _print_piece(piece: str) -> None:
    click.echo(piece, nl=False)
    sys.stdout.flush()


@main.command()
@click.argument("text")
@click.option("--lang", type=LANGUAGE, help="Answer in this language.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer and what was understood as JSON.")
@click.option("--user", default=None, help="Whose conversation this is (default: your login name).")
def ask(text: str, lang: str | None, as_json: bool, user: str | None) -> None:
    """Answer one question."""
    settings = _settings()
    _configure_logging(settings, quiet=True)
    advisor = Advisor.build(settings)
    identity = Identity("cli", user or getpass.getuser())
    if as_json:
        click.echo(json.dumps(_reply_json(advisor.answer(identity, text, language=lang)), ensure_ascii=False))
        return
    advisor.answer(identity, text, on_text=_print_piece, language=lang)
    click.echo("")


def _reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "answer": reply.text,
        "language": reply.language,
        "topic": reply.topic,
        "sources": reply.card_ids,
        "engine": reply.engine,
        "reviewed": reply.reviewed,
        "flags": reply.flags,
        "latency_ms": round(reply.latency_ms, 1),
    }


@main.command()
def inspect() -> None:
    """Read messages from stdin, one a line; print what was understood of each as JSON lines."""
    settings = _settings()
    _configure_logging(settings, quiet=True)
    analyser = Analyser.load(settings.knowledge_dir)
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    for line in stdin:
        text = line.rstrip("\r\n")[: settings.max_message_chars]
        analysis = analyser.analyse(text)
        record = {
            "language": analysis.detection.language,
            "topic": analysis.route.topic,
            "crops": analysis.route.crops,
            "sources": [m.card.id for m in analysis.matches[:5]],
        }
        click.echo(json.dumps(record, ensure_ascii=False))


# --- model -------------------------------------------------------------------------------------


@main.group()
def model() -> None:
    """The Phi model: download, check, write a synthetic one."""


@model.command("download")
@click.option("--repo", default=None, help="Hugging Face repository (default: Phi-3-mini-4k-instruct ONNX).")
@click.option("--variant", default=None, help="Folder inside the repository (default: the CPU int4 build).")
@click.option("--model", "key", type=click.Choice(sorted(catalogue.CATALOGUE)), default=catalogue.DEFAULT)
@click.option("--to", "models_dir", type=click.Path(path_type=Path), default=Path("models"))
def model_download(repo: str | None, variant: str | None, key: str, models_dir: Path) -> None:
    """Download a model (needs internet); prints the MODEL_DIR to set."""
    entry = catalogue.CATALOGUE[key]
    click.echo(f"downloading {repo or entry.repo} ({variant or entry.variant}, about {entry.size})", err=True)
    folder = catalogue.download(repo or entry.repo, variant or entry.variant, entry.target(models_dir))
    click.echo(f"MODEL_DIR={folder.resolve()}")


@model.command("check")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
def model_check(folder: Path | None) -> None:
    """Load the model in FOLDER (default: MODEL_DIR), generate one token, print what it is."""
    from bot.llm.model_folder import ModelError
    from bot.llm.phi3 import Phi3Engine

    settings = _settings()
    folder = folder or settings.model_dir
    if folder is None:
        raise click.ClickException("no folder given and MODEL_DIR is not set")
    try:
        engine = Phi3Engine(folder, settings.model_threads, reply_budget=1)
        started = time.perf_counter()
        text, tokens, _ = engine.run(
            engine.tokenizer.encode(engine.render([{"role": "user", "content": "Hi"}]))
        )
    except ModelError as error:
        click.echo(f"model check failed: {error}", err=True)
        sys.exit(2)
    click.echo(f"folder:         {folder}")
    click.echo(f"type:           {engine.model.type}")
    click.echo(f"context length: {engine.folder.context_length}")
    click.echo(f"threads:        {engine.threads}")
    click.echo(f"vocabulary:     {engine.folder.vocab_size}")
    click.echo(
        f"generated:      {tokens} token in {(time.perf_counter() - started) * 1000:.0f} ms ({text!r})"
    )


@model.command("synth")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--preset", type=click.Choice(["tiny", "phi3-mini-4k", "phi4-mini"]), default="tiny")
@click.option("--seed", type=int, default=0)
def model_synth(out: Path, preset: str, seed: int) -> None:
    """Write a random-weight model in ORT GenAI format (tiny for tests, full size for benchmarks)."""
    from bot.llm.synth import write_model

    started = time.perf_counter()
    write_model(out, preset, seed)
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    click.echo(f"wrote {preset} to {out} ({size / 1e6:,.1f} MB) in {time.perf_counter() - started:.1f} s")


# --- knowledge ---------------------------------------------------------------------------------


@main.group()
def knowledge() -> None:
    """The advisory cards: check, search, show."""


@knowledge.command("check")
def knowledge_check() -> None:
    """Validate every card and lexicon reference; exit 1 on any problem."""
    settings = _settings()
    cards, problems = check_knowledge(settings.knowledge_dir)
    for problem in problems:
        click.echo(str(problem), err=True)
    topics = sorted({c.topic for c in cards})
    click.echo(f"{len(cards)} cards, {len(problems)} problems; topics: {', '.join(topics)}")
    if problems:
        sys.exit(1)


@knowledge.command("stats")
def knowledge_stats() -> None:
    """Coverage of the cards: per topic, per crop and animal, per language."""
    settings = _settings()
    cards = load_cards(settings.knowledge_dir)
    click.echo(f"{len(cards)} cards\n")
    click.echo("per topic:")
    for topic, count in sorted(Counter(c.topic for c in cards).items()):
        click.echo(f"  {topic:12} {count}")
    click.echo("\nper crop or animal (cards naming it):")
    for crop, count in sorted(
        Counter(crop for c in cards for crop in c.crops).items(), key=lambda i: (-i[1], i[0])
    ):
        click.echo(f"  {crop:16} {count}")
    general = sum(1 for c in cards if not c.crops)
    click.echo(f"  {'(no crop)':16} {general}")
    click.echo("\nper language (cards with a title and summary in it):")
    for language in SUPPORTED:
        count = sum(1 for c in cards if c.title.get(language) and c.summary.get(language))
        click.echo(f"  {language:4} {NATIVE_NAMES[language]:12} {count}")
    click.echo("\nper risk:")
    for risk, count in sorted(Counter(c.risk for c in cards).items()):
        click.echo(f"  {risk:12} {count}")


@knowledge.command("search")
@click.argument("text")
@click.option("--lang", type=LANGUAGE, help="Show titles in this language (default: detected).")
def knowledge_search(text: str, lang: str | None) -> None:
    """Show the cards that best match TEXT, with their scores."""
    settings = _settings()
    started = time.perf_counter()
    analysis = Analyser.load(settings.knowledge_dir).analyse(text)
    language = lang or analysis.detection.language
    click.echo(
        f"language={analysis.detection.language} topic={analysis.route.topic} "
        f"crops={','.join(analysis.route.crops) or '-'} pests={','.join(analysis.route.pests) or '-'}"
    )
    for match in analysis.matches:
        click.echo(f"{match.score:6.2f}  {match.card.id}  {match.card.title_in(language)}")
    if not analysis.matches:
        click.echo("no card fits")
    logging.getLogger(__name__).debug("search took %.1f ms", (time.perf_counter() - started) * 1000)


@knowledge.command("show")
@click.argument("card_id")
@click.option("--lang", type=LANGUAGE, default="en", help="Language of the title and summary.")
def knowledge_show(card_id: str, lang: str) -> None:
    """Print a card: title and summary in a language; the English body with --lang en."""
    settings = _settings()
    card = Analyser.load(settings.knowledge_dir).search.get(card_id)
    if card is None:
        raise click.ClickException(f"no card with id {card_id!r}")
    click.echo(card.title_in(lang))
    click.echo("")
    click.echo(card.summary_in(lang))
    if lang == "en":
        click.echo("")
        click.echo(card.body.rstrip())
        click.echo("")
        click.echo("Sources: " + "; ".join(f"{s.institution}, {s.document}" for s in card.sources))
    click.echo(f"\ntopic: {card.topic}  risk: {card.risk}  last reviewed: {card.last_reviewed}")
