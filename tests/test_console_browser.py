"""The officer console in a real browser: Playwright driving Debian's chromium (installed by
`make install-test`) against `kisanbot console`'s app served by uvicorn on 127.0.0.1, with the real
Telegram bot running against the fake Bot API so a correction can be seen reaching the farmer."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from bot_harness import bot_settings
from console_support import PASSWORD, add_officers, ask, thumbs_down
from fake_bot_api import FakeBotApi
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests_support import KNOWLEDGE_DIR

from bot import ui_text
from bot.advisor import Advisor, Analyser
from bot.config import Settings
from bot.engines.cards import CardEngine
from bot.i18n import Translator
from bot.officer_console.app import Console
from bot.storage.database import open_database
from bot.telegram_door.app import serve

CHROMIUM = Path("/usr/bin/chromium")
# Chromium in a closed network: no background calls home (they fail, many at a time, and slow it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class World:
    url: str
    fake: FakeBotApi
    advisor: Advisor
    translator: Translator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, analyser: Analyser, translator: Translator
) -> Iterator[World]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make install-test`"
    fake = FakeBotApi().start()
    settings: Settings = bot_settings(
        fake, tmp_path_factory.mktemp("console"), knowledge_dir=KNOWLEDGE_DIR, console_secure_cookies=False
    )
    _engine, sessions = open_database(settings)
    advisor = Advisor(settings, sessions, analyser, CardEngine(translator), translator)
    add_officers(sessions)
    ask(advisor, 9001, "mere gaay ko bukhar hai")
    bad = ask(advisor, 9002, "<script>alert(1)</script> gehu me peela pan aa gaya")
    thumbs_down(advisor, 9002, bad)
    ask(advisor, 9003, "tomato leaf curl what to spray")

    port = _free_port()
    app = Console(settings, sessions, translator).app()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")
    )
    web = threading.Thread(target=server.run, daemon=True)
    web.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    bot = threading.Thread(
        target=loop.run_until_complete, args=(serve(settings, advisor, stop),), daemon=True
    )
    bot.start()
    deadline = time.monotonic() + 20
    while not (server.started and fake.calls_of("getUpdates")):
        assert time.monotonic() < deadline, "console or bot did not start"
        time.sleep(0.05)
    yield World(f"http://127.0.0.1:{port}", fake, advisor, translator)
    loop.call_soon_threadsafe(stop.set)
    bot.join(timeout=20)
    loop.close()
    server.should_exit = True
    web.join(timeout=10)
    fake.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


def log_in(page: Page, world: World, username: str = "asha", password: str = PASSWORD) -> None:
    page.goto(world.url + "/")
    expect(page).to_have_url(world.url + "/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_login_refuses_a_wrong_password_then_lets_the_officer_in(page: Page, world: World) -> None:
    log_in(page, world, password="not the password")
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    log_in(page, world)
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(world.url + "/login")


def test_a_correction_in_the_queue_reaches_the_farmer_on_telegram(page: Page, world: World) -> None:
    log_in(page, world)
    items = page.locator("ol.queue li")
    # Animal health and two pesticide doses (one with a 👎): all safety items, oldest first.
    expect(items).to_have_count(3)
    expect(items.locator(".tag")).to_have_text(["safety", "safety", "safety"])
    expect(items.first).to_contain_text("mere gaay ko bukhar hai")
    expect(items.nth(1)).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    expect(items.nth(2)).to_contain_text("tomato leaf curl")
    items.first.locator("a").click()
    expect(page.locator("blockquote.farmer").first).to_have_text("mere gaay ko bukhar hai")
    corrected = "Bukhar ho to gaay ko chhaya aur saaf paani dein, aur aaj hi pashu chikitsak ko bulaayein."
    page.get_by_label("Corrected answer").fill(corrected)
    page.get_by_role("button", name="Send correction").click()
    expect(page.locator("ol.queue li")).to_have_count(2)
    label = world.translator.text("hi", ui_text.REVIEWED_LABEL)
    deadline = time.monotonic() + 15
    while not any(t.startswith(corrected) for t in world.fake.texts(9001)):
        assert time.monotonic() < deadline, "the correction never reached the fake Bot API"
        time.sleep(0.1)
    [delivered] = [t for t in world.fake.texts(9001) if t.startswith(corrected)]
    assert delivered.endswith(label)
    page.get_by_role("link", name="Verified answers").click()
    expect(page.locator("article textarea")).to_have_value(corrected)


def test_search_and_csv_export(page: Page, world: World) -> None:
    log_in(page, world, "ravi")
    page.get_by_role("link", name="Conversations").click()
    page.get_by_label("Words").fill("tomato")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody td.farmer")).to_have_text("tomato leaf curl what to spray")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["question"] == "tomato leaf curl what to spray" and row["farmer"].startswith("F-")
    assert "9003" not in text


def test_the_dashboard_on_a_phone_and_in_hindi(browser: Browser, world: World) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    log_in(page, world)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("section").filter(has_text="Questions by language")).to_contain_text("hi")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, "the dashboard scrolls sideways on a phone"
    page.get_by_label("Language").select_option("hi")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("link", name="डैशबोर्ड")).to_be_visible()
    context.close()
